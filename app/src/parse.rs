//! Request values into checked values, the same for the API, the web app and the CLI: instants (`at`,
//! `as_of`), dates, optional fields; bad values echo back clipped.

pub use santisuk_store::events::{fmt_ts, parse_ts};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use crate::error::AppError;

/// Parses an optional RFC 3339 instant (`at`); absent means now. Kept to microseconds, like the read
/// tables. "Not in the future" is a domain rule, checked by the aggregate.
/// A Buddhist-Era year (2569 for 2026) is read as such, as in dates ([`FIRST_BE_YEAR`]).
pub fn parse_at(raw: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    let Some(text) = raw else { return Ok(now) };
    let bad = || {
        AppError::invalid(
            "bad_time",
            format!("`at` must be an RFC 3339 instant, e.g. 2026-11-25T07:00:00Z (got {:?})", clip(text)),
        )
    };
    let text = text.trim();
    let (year, rest) = text.split_at_checked(4).ok_or_else(bad)?;
    let text = match year.parse::<i32>() {
        Ok(y) if year.bytes().all(|b| b.is_ascii_digit()) && y >= FIRST_BE_YEAR => {
            format!("{:04}{rest}", y - BE_OFFSET)
        }
        _ => text.to_owned(),
    };
    DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc).trunc_subsecs(6)).map_err(|_| bad())
}

/// The calendar a date was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    Common,
    Buddhist,
}

/// Years from this one on are Buddhist Era. Unambiguous for every date Santisuk records: 2400 BE is 1857 CE,
/// and no date is as late as 2400 CE.
pub const FIRST_BE_YEAR: i32 = 2400;
/// Buddhist Era = Common Era + 543.
const BE_OFFSET: i32 = 543;

/// A date as Thai users and machines write it: `2026-11-28` or `2569-11-28` (year first), or `28/11/2569` or
/// `28/11/2026` (day first, as Thai forms and spreadsheets have it); either era, told apart by the year
/// ([`FIRST_BE_YEAR`]). Returns the date (always stored in the Common Era) and the era it was written in.
pub fn parse_date_era(text: &str) -> Option<(NaiveDate, Era)> {
    let text = text.trim();
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let [a, b, c] = parts[..] else { return None };
    let (year, month, day) = match (text.contains('-'), text.contains('/')) {
        (true, false) if a.len() == 4 => (number(a)?, number(b)?, number(c)?),
        (false, true) if c.len() == 4 => (number(c)?, number(b)?, number(a)?),
        _ => return None,
    };
    let (year, era) = if year >= FIRST_BE_YEAR { (year - BE_OFFSET, Era::Buddhist) } else { (year, Era::Common) };
    let date = NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    Some((date, era))
}

/// Parses a date named `field` ([`parse_date_era`]).
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    parse_date_era(text).map(|(date, _)| date).ok_or_else(|| {
        AppError::invalid(
            "bad_date",
            format!(
                "`{field}` must be a date: 2026-11-28, or in the Buddhist Era 2569-11-28 or 28/11/2569 (got {:?})",
                clip(text)
            ),
        )
    })
}

/// Parses `as_of`: an RFC 3339 instant not in the future. `now` is the server clock truncated to
/// milliseconds ([`crate::now`]), so an instant within the current millisecond (a client's own
/// "now", with microseconds, sent and answered within the same millisecond) is not the future.
pub fn parse_as_of(raw: Option<&str>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(text) = raw else { return Ok(None) };
    let at = DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        AppError::invalid("bad_as_of", format!("`as_of` must be an RFC 3339 instant (got {:?})", clip(text)))
    })?;
    if at.trunc_subsecs(3) > now {
        return Err(AppError::invalid("as_of_in_future", "`as_of` is in the future"));
    }
    Ok(Some(at))
}

/// Echo at most 64 characters of a bad value back.
pub fn clip(text: &str) -> String {
    text.chars().take(64).collect()
}

/// Applies `parse` to an optional raw value.
pub fn opt<T, E>(raw: Option<&str>, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    raw.map(parse).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thai_dates_are_read_in_either_era() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        for (text, era) in [
            ("2026-11-28", Era::Common),
            ("2569-11-28", Era::Buddhist),
            ("28/11/2569", Era::Buddhist),
            ("28/11/2026", Era::Common),
            (" 28/11/2569 ", Era::Buddhist),
        ] {
            assert_eq!(parse_date_era(text), Some((d, era)), "{text:?}");
        }
        // 29 February 2567 BE is 29 February 2024 (a leap year); 2568 BE has none.
        assert_eq!(parse_date_era("29/02/2567").map(|p| p.0), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in [
            "29/02/2568",
            "2569/11/28",
            "28-11-2569",
            "11/28",
            "",
            "2569-13-01",
            "32/01/2569",
            "28/11/69",
            "+2026-11-28",
            "2026-11-28T00:00",
        ] {
            assert_eq!(parse_date_era(bad), None, "{bad:?}");
        }
        let err = parse_date("held_on", "28.11.2569").unwrap_err().to_string();
        assert!(err.contains("28/11/2569"), "the hint shows the forms accepted: {err}");
    }

    #[test]
    fn an_instant_with_a_buddhist_era_year_is_read_as_such() {
        let now = Utc::now();
        let be = parse_at(Some("2569-11-28T10:00:00+07:00"), now).unwrap();
        assert_eq!(be, parse_at(Some("2026-11-28T03:00:00Z"), now).unwrap());
        assert!(parse_at(Some("28/11/2569"), now).is_err());
        assert!(parse_at(Some("20"), now).is_err());
    }

    proptest! {
        /// Every date from 1900 to 2200 CE, written in each of the four forms, reads back as itself.
        #[test]
        fn every_form_reads_back(days in 0i64..110_000) {
            let date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            let be = date.format("%Y").to_string().parse::<i32>().unwrap() + 543;
            let forms = [
                (date.format("%Y-%m-%d").to_string(), Era::Common),
                (format!("{be}-{}", date.format("%m-%d")), Era::Buddhist),
                (format!("{}/{be}", date.format("%d/%m")), Era::Buddhist),
                (date.format("%-d/%-m/%Y").to_string(), Era::Common),
            ];
            for (text, era) in forms {
                prop_assert_eq!(parse_date_era(&text), Some((date, era)), "{}", text);
            }
        }
    }
}
