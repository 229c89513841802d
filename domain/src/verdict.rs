//! The community's verdict on a closed problem (issue #17 §6): asked at the next forum of the problem's
//! area, the community confirms it is resolved, disputes it (which reopens it, with the reason), or was not
//! asked (it stays on the list for the forum after).

use serde::{Deserialize, Serialize};

/// What the community said of a closed problem at a forum. Stored names: frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The community confirms the problem is resolved (only a problem closed as resolved can be).
    Confirmed,
    /// The community says it is not resolved: the problem is reopened with the reason.
    Disputed,
    /// The community was not asked (no time, nobody who knew): asked again at the next forum.
    NotAsked,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Confirmed, Verdict::Disputed, Verdict::NotAsked];

    pub fn parse(raw: &str) -> Option<Verdict> {
        Self::ALL.into_iter().find(|v| v.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Disputed => "disputed",
            Verdict::NotAsked => "not_asked",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_parse_from_their_stored_names() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(v.as_str()));
        }
        assert_eq!(Verdict::parse("Confirmed"), None);
    }
}
