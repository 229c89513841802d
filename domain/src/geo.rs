//! The districts (amphoe) and subdistricts (tambon) in scope, with their DOPA geocodes.
//!
//! Data: GeoThai (package `geothai` 3.2.1, release 2026-10-23), CC BY 4.0; copied from the project's
//! reference data into `domain/data/` and embedded at build time so validation needs no I/O.
//! Names repeat across districts (ต.สะกอม is in both Chana and Thepha): everything is keyed by code.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Serialize;

/// One district (amphoe) in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amphoe {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub province_code: String,
    pub province_th: String,
    pub province_en: String,
}

/// One subdistrict (tambon) in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tambon {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub amphoe_code: String,
}

/// The geography in scope, parsed once from the embedded CSV files.
#[derive(Debug)]
pub struct Geography {
    amphoes: BTreeMap<String, Amphoe>,
    tambons: BTreeMap<String, Tambon>,
}

static GEOGRAPHY: LazyLock<Geography> =
    LazyLock::new(|| Geography::parse(include_str!("../data/amphoe.csv"), include_str!("../data/tambon.csv")));

impl Geography {
    /// The embedded geography (37 districts, 290 subdistricts).
    pub fn get() -> &'static Geography {
        &GEOGRAPHY
    }

    // The files are generated, unquoted and comma-free inside fields (checked by the tests below), so a
    // split is exact; a malformed embedded file is a build defect, hence the panics.
    fn parse(amphoe_csv: &'static str, tambon_csv: &'static str) -> Geography {
        let rows = |text: &'static str| -> Vec<Vec<&'static str>> {
            text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.split(',').collect()).collect()
        };
        let amphoes = rows(amphoe_csv)
            .into_iter()
            .map(|f| {
                assert_eq!(f.len(), 7, "amphoe.csv row {f:?}");
                let a = Amphoe {
                    province_code: f[0].into(),
                    province_th: f[1].into(),
                    province_en: f[2].into(),
                    code: f[3].into(),
                    name_th: f[4].into(),
                    name_en: f[5].into(),
                };
                (a.code.clone(), a)
            })
            .collect();
        let tambons = rows(tambon_csv)
            .into_iter()
            .map(|f| {
                assert_eq!(f.len(), 5, "tambon.csv row {f:?}");
                let t =
                    Tambon { code: f[0].into(), name_th: f[1].into(), name_en: f[2].into(), amphoe_code: f[3].into() };
                (t.code.clone(), t)
            })
            .collect();
        Geography { amphoes, tambons }
    }

    pub fn amphoe(&self, code: &str) -> Option<&Amphoe> {
        self.amphoes.get(code)
    }

    pub fn tambon(&self, code: &str) -> Option<&Tambon> {
        self.tambons.get(code)
    }

    pub fn amphoes(&self) -> impl Iterator<Item = &Amphoe> {
        self.amphoes.values()
    }

    pub fn tambons(&self) -> impl Iterator<Item = &Tambon> {
        self.tambons.values()
    }
}

/// The letters that open the case numbers of a province's problems (`PTN-2569-00123`): Pattani `PTN`, Yala
/// `YLA`, Narathiwat `NWT`, Songkhla `SKA`. Every area's district is one of these provinces' (checked when
/// the area is registered); any other gets `TH`, so a raise is never refused for it.
pub fn province_prefix(province_code: &str) -> &'static str {
    match province_code {
        "94" => "PTN",
        "95" => "YLA",
        "96" => "NWT",
        "90" => "SKA",
        _ => "TH",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_geography_has_every_district_and_subdistrict_in_scope() {
        let g = Geography::get();
        assert_eq!(g.amphoes().count(), 37);
        assert_eq!(g.tambons().count(), 290);
        let provinces: std::collections::BTreeSet<_> = g.amphoes().map(|a| a.province_code.as_str()).collect();
        assert_eq!(provinces.iter().copied().collect::<Vec<_>>(), ["90", "94", "95", "96"]);
        let prefixes: std::collections::BTreeSet<_> = provinces.iter().map(|p| province_prefix(p)).collect();
        assert_eq!(prefixes.into_iter().collect::<Vec<_>>(), ["NWT", "PTN", "SKA", "YLA"], "one each, none TH");
        assert!(g.tambons().all(|t| g.amphoe(&t.amphoe_code).is_some()));
    }

    #[test]
    fn repeated_names_stay_apart_by_code() {
        let g = Geography::get();
        assert_eq!(g.tambon("900304").unwrap().amphoe_code, "9003");
        assert_eq!(g.tambon("900507").unwrap().amphoe_code, "9005");
        assert_eq!(g.tambon("900304").unwrap().name_th, g.tambon("900507").unwrap().name_th);
    }
}
