//! Service levels (issue #17 §2): how many days a category's problems may wait for their first
//! assignment and for their resolution. Set by admins on the `Category` aggregate (`ServiceLevelSet`);
//! the escalation rule ([`crate::escalation`]) reads the level in force.

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// The days a category's problems may take; `None`: no limit of that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceLevel {
    pub days_to_assign: Option<u32>,
    pub days_to_resolve: Option<u32>,
}

impl ServiceLevel {
    /// The longest limit accepted: a year. Longer is no service level at all, and keeps every deadline
    /// computation far from overflow.
    pub const MAX_DAYS: u32 = 366;

    /// Checks raw day counts: each absent, or 1 to [`ServiceLevel::MAX_DAYS`] days. A resolution limit
    /// shorter than the assignment limit is refused too: a problem cannot be due resolved before it is
    /// due assigned.
    pub fn parse(days_to_assign: Option<i64>, days_to_resolve: Option<i64>) -> Result<ServiceLevel, ValueError> {
        let check = |field: &'static str, days: Option<i64>| match days {
            None => Ok(None),
            Some(d) if (1..=i64::from(Self::MAX_DAYS)).contains(&d) => Ok(Some(d as u32)),
            Some(_) => Err(ValueError::BadServiceDays { field }),
        };
        let level = ServiceLevel {
            days_to_assign: check("days_to_assign", days_to_assign)?,
            days_to_resolve: check("days_to_resolve", days_to_resolve)?,
        };
        if let (Some(a), Some(r)) = (level.days_to_assign, level.days_to_resolve) {
            if r < a {
                return Err(ValueError::BadServiceDays { field: "days_to_resolve" });
            }
        }
        Ok(level)
    }

    /// No limit of either kind: nothing is ever overdue.
    pub fn is_none(&self) -> bool {
        self.days_to_assign.is_none() && self.days_to_resolve.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_level_takes_one_to_366_days_or_none() {
        assert_eq!(
            ServiceLevel::parse(Some(3), Some(30)),
            Ok(ServiceLevel { days_to_assign: Some(3), days_to_resolve: Some(30) })
        );
        assert_eq!(ServiceLevel::parse(None, None), Ok(ServiceLevel::default()));
        assert!(ServiceLevel::parse(None, None).unwrap().is_none());
        for (a, r, field) in [
            (Some(0), None, "days_to_assign"),
            (Some(-1), None, "days_to_assign"),
            (None, Some(367), "days_to_resolve"),
            (Some(10), Some(5), "days_to_resolve"),
        ] {
            assert_eq!(ServiceLevel::parse(a, r), Err(ValueError::BadServiceDays { field }), "{a:?} {r:?}");
        }
    }
}
