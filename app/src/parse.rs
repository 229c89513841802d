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

/// Which end of a day a date given without a time stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEdge {
    /// 00:00 (Bangkok): a raise, so that anything done later that day comes after it.
    Start,
    /// 23:59:59 (Bangkok): an action, so that it never falls before a raise of the same day.
    End,
}

/// When something happened, as a web form gives it: a date (either era, [`parse_date_era`]) and an optional
/// time `HH:MM` in Bangkok. Both empty: `None` (now). A time alone is today's. A date alone is that day
/// at `edge`; never later than `now` (a date of today without a time is now). The error names the field
/// it belongs to (`at_date` or `at_time`). "Not in the future" stays the domain's rule.
pub fn parse_when(
    date: &str,
    time: &str,
    now: DateTime<Utc>,
    edge: DayEdge,
) -> Result<Option<DateTime<Utc>>, (&'static str, AppError)> {
    use chrono::{NaiveTime, TimeZone};
    let (date, time) = (date.trim(), time.trim());
    if date.is_empty() && time.is_empty() {
        return Ok(None);
    }
    let today = santisuk_domain::time::bangkok_date(now);
    let day = match date {
        "" => today,
        d => parse_date("at_date", d).map_err(|e| ("at_date", e))?,
    };
    let clock = match time {
        "" => None,
        t => Some(
            NaiveTime::parse_from_str(t, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
                .or_else(|_| NaiveTime::parse_from_str(t, "%H.%M"))
                .map_err(|_| {
                    (
                        "at_time",
                        AppError::invalid(
                            "bad_clock",
                            format!("the time must be HH:MM, e.g. 14:30 (got {:?})", clip(t)),
                        ),
                    )
                })?,
        ),
    };
    let at = match clock {
        Some(c) => day.and_time(c),
        None if day == today => return Ok(Some(now)),
        None => match edge {
            DayEdge::Start => day.and_time(NaiveTime::MIN),
            DayEdge::End => day.and_hms_opt(23, 59, 59).unwrap_or_default(),
        },
    };
    let at = santisuk_domain::time::bangkok()
        .from_local_datetime(&at)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    Ok(Some(if clock.is_none() { at.min(now) } else { at }))
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
    fn a_date_and_an_optional_time_say_when_something_happened() {
        let now: DateTime<Utc> = "2026-11-25T02:00:00Z".parse().unwrap(); // 09:00 in Bangkok
        let when = |d: &str, t: &str, edge| parse_when(d, t, now, edge).map(|a| a.map(|a| a.to_rfc3339()));
        assert_eq!(when("", "", DayEdge::End).unwrap(), None, "empty is now");
        assert_eq!(when("20/11/2569", "14:30", DayEdge::End).unwrap().unwrap(), "2026-11-20T07:30:00+00:00");
        assert_eq!(when("2026-11-20", "14:30:00", DayEdge::Start).unwrap().unwrap(), "2026-11-20T07:30:00+00:00");
        assert_eq!(when("20/11/2569", "", DayEdge::Start).unwrap().unwrap(), "2026-11-19T17:00:00+00:00");
        assert_eq!(when("20/11/2569", "", DayEdge::End).unwrap().unwrap(), "2026-11-20T16:59:59+00:00");
        assert_eq!(when("25/11/2569", "", DayEdge::End).unwrap().unwrap(), now.to_rfc3339(), "today is now");
        assert_eq!(
            when("", "08:15", DayEdge::End).unwrap().unwrap(),
            "2026-11-25T01:15:00+00:00",
            "a time alone is today"
        );
        // A time later today is kept as typed: "not in the future" is the domain's rule, with its own message.
        assert_eq!(when("", "23:00", DayEdge::End).unwrap().unwrap(), "2026-11-25T16:00:00+00:00");
        assert_eq!(when("31/02/2569", "", DayEdge::End).unwrap_err().0, "at_date");
        assert_eq!(when("20/11/2569", "7pm", DayEdge::End).unwrap_err().0, "at_time");
        assert_eq!(when("20/11/2569", "24:00", DayEdge::End).unwrap_err().1.code_and_message().0, "bad_clock");
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
