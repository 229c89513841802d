//! Case numbers (`PTN-2569-00123`), allocated at raise without gaps per province and Buddhist-Era year.
//!
//! The number goes into the `IssueRaised` event itself, and the row carries it under a unique
//! index, written in the same statement as the event: two raises can never commit one number. Within a
//! process, [`CaseNumbers`] hands out the lowest number of the series that is neither stored nor in flight,
//! so raises of one province go on being grouped in one commit (no lock is held across the append). A raise
//! that fails gives its number back for the next one; a number another instance took first is met by the
//! unique index, and the raise asks again after reading the series afresh. So the series stays without gaps
//! however raises fail: a gap left by a failure (or a crash mid-raise) is filled by the next raise of that
//! province and year, which can make numbers slightly out of raise order in those rare cases.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};

use santisuk_domain::geo::province_prefix;
use santisuk_domain::values::CaseNumber;
use santisuk_store::{Db, StoreError};

/// One series (a province and year) as this process knows it: every number below `next` is stored or in
/// flight, except those in `free`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Series {
    next: u32,
    free: BTreeSet<u32>,
}

impl Series {
    /// The series whose stored numbers are `used`: the gaps below the highest are free.
    pub fn from_used(used: impl IntoIterator<Item = u32>) -> Series {
        let used: BTreeSet<u32> = used.into_iter().filter(|n| *n > 0).collect();
        let next = used.last().map_or(1, |max| max + 1);
        Series { next, free: (1..next).filter(|n| !used.contains(n)).collect() }
    }

    /// The lowest number neither stored nor in flight; it is in flight until given back or stored.
    pub fn take(&mut self) -> u32 {
        match self.free.pop_first() {
            Some(n) => n,
            None => {
                self.next += 1;
                self.next - 1
            }
        }
    }

    /// A number whose raise failed: the next raise takes it.
    pub fn give_back(&mut self, number: u32) {
        if number > 0 && number < self.next {
            self.free.insert(number);
        }
    }
}

/// The series of this process, and the province prefix of each area (areas never move: `AreaRegistered` is
/// their only event). Owned by the application state.
#[derive(Debug, Default)]
pub struct CaseNumbers {
    series: Mutex<HashMap<String, Series>>,
    prefixes: Mutex<HashMap<String, &'static str>>,
}

impl CaseNumbers {
    /// The letters of the case numbers of `area`'s problems.
    pub async fn prefix(&self, db: &Db, area: &str) -> Result<&'static str, StoreError> {
        if let Some(p) = self.prefixes.lock().unwrap_or_else(PoisonError::into_inner).get(area) {
            return Ok(p);
        }
        // The log, not the read model: an area registered a moment ago may not be projected yet.
        let history = santisuk_store::events::aggregate_history(db, "Area", area).await?;
        let province = history
            .first()
            .and_then(|e| e.payload["AreaRegistered"]["province_code"].as_str().map(str::to_owned))
            .ok_or_else(|| StoreError::corrupt(format!("area {area} has no AreaRegistered event")))?;
        let prefix = province_prefix(&province);
        self.prefixes.lock().unwrap_or_else(PoisonError::into_inner).insert(area.to_owned(), prefix);
        Ok(prefix)
    }

    /// Takes the next number of `prefix` in `be_year` (reading the series from the store on its first use).
    pub async fn take(&self, db: &Db, prefix: &str, be_year: i32) -> Result<CaseNumber, StoreError> {
        let key = CaseNumber::new(prefix, be_year, 1).series().to_owned();
        if let Some(series) = self.series.lock().unwrap_or_else(PoisonError::into_inner).get_mut(&key) {
            return Ok(CaseNumber::new(prefix, be_year, series.take()));
        }
        let stored = stored_numbers(db, &key).await?;
        let mut all = self.series.lock().unwrap_or_else(PoisonError::into_inner);
        // Another raise may have read it meanwhile: the first one read is kept (its numbers may be in flight).
        let series = all.entry(key).or_insert_with(|| Series::from_used(stored));
        Ok(CaseNumber::new(prefix, be_year, series.take()))
    }

    /// The raise with `number` failed: the number is free again.
    pub fn give_back(&self, number: &CaseNumber) {
        if let Some(series) = self.series.lock().unwrap_or_else(PoisonError::into_inner).get_mut(number.series()) {
            series.give_back(number.number());
        }
    }

    /// `number` was taken elsewhere (another instance): read its series from the store again on next use.
    pub fn forget(&self, number: &CaseNumber) {
        self.series.lock().unwrap_or_else(PoisonError::into_inner).remove(number.series());
    }
}

/// The running numbers stored in a series (`PTN-2569-`).
async fn stored_numbers(db: &Db, series: &str) -> Result<Vec<u32>, StoreError> {
    let numbers = santisuk_projections::read_model::case_numbers_in_series(db, series).await?;
    Ok(numbers.iter().filter_map(|n| n.rsplit('-').next()?.parse().ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_series_starts_at_one_and_fills_its_gaps_first() {
        let mut s = Series::from_used([]);
        assert_eq!((s.take(), s.take()), (1, 2));
        let mut s = Series::from_used([1, 2, 5]);
        assert_eq!((s.take(), s.take(), s.take()), (3, 4, 6));
        s.give_back(4);
        assert_eq!(s.take(), 4);
        s.give_back(99);
        assert_eq!(s.take(), 7, "a number never handed out is not taken back");
    }

    proptest! {
        /// Whatever raises fail and in whatever order they finish, the stored numbers of a series are
        /// always 1..=n with none twice once nothing is in flight, and while raises are in flight the
        /// numbers stored and in flight together are 1..=m.
        #[test]
        fn numbers_stay_without_gaps_or_doubles(
            stored_first in proptest::collection::btree_set(1u32..30, 0..10),
            steps in proptest::collection::vec((0u8..3, any::<prop::sample::Index>()), 1..200),
        ) {
            // Start from a store that may hold gaps (a crash): they are filled first.
            let mut series = Series::from_used(stored_first.iter().copied());
            let mut stored: BTreeSet<u32> = stored_first.clone();
            let mut in_flight: Vec<u32> = Vec::new();
            for (op, pick) in steps {
                match op {
                    0 => {
                        let n = series.take();
                        prop_assert!(!stored.contains(&n) && !in_flight.contains(&n), "{n} handed out twice");
                        in_flight.push(n);
                    }
                    1 if !in_flight.is_empty() => { stored.insert(in_flight.remove(pick.index(in_flight.len()))); }
                    2 if !in_flight.is_empty() => series.give_back(in_flight.remove(pick.index(in_flight.len()))),
                    _ => {}
                }
            }
            for n in in_flight.drain(..) {
                series.give_back(n);
            }
            // Raises until every gap below the highest stored number is filled.
            let max = stored.last().copied().unwrap_or(0);
            while stored.len() < max as usize {
                let n = series.take();
                prop_assert!(stored.insert(n), "{n} handed out twice");
            }
            prop_assert_eq!(stored.iter().copied().collect::<Vec<_>>(), (1..=max).collect::<Vec<_>>());
        }
    }
}
