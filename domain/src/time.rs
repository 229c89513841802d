//! Time rules shared by the aggregates: Asia/Bangkok dates and the Thai fiscal year.
//!
//! Everything is stored in UTC. Asia/Bangkok has been UTC+7 without daylight saving since 1920, so a
//! fixed offset is exact and spares the tree a time-zone database.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// The Asia/Bangkok offset (UTC+7).
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("7 hours is a valid offset")
}

/// The calendar date in Asia/Bangkok of an instant.
pub fn bangkok_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&bangkok()).date_naive()
}

/// The Buddhist-Era calendar year of an instant in Asia/Bangkok (2026 CE is 2569 BE).
pub fn be_year(at: DateTime<Utc>) -> i32 {
    bangkok_date(at).year() + 543
}

/// The Thai fiscal year (1 October – 30 September) of a date, named by the Buddhist-Era year in which it
/// ends: 1 October 2026 starts FY2570.
pub fn fiscal_year_be(date: NaiveDate) -> i32 {
    let ends_in = if date.month() >= 10 { date.year() + 1 } else { date.year() };
    ends_in + 543
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_year_turns_on_the_first_of_october() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(fiscal_year_be(d(2026, 9, 30)), 2569);
        assert_eq!(fiscal_year_be(d(2026, 10, 1)), 2570);
        assert_eq!(fiscal_year_be(d(2027, 9, 30)), 2570);
    }

    #[test]
    fn bangkok_date_is_seven_hours_ahead_of_utc() {
        let late_utc: DateTime<Utc> = "2026-11-24T17:30:00Z".parse().unwrap();
        assert_eq!(bangkok_date(late_utc), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        let early_utc: DateTime<Utc> = "2026-11-24T16:59:59Z".parse().unwrap();
        assert_eq!(bangkok_date(early_utc), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    }
}
