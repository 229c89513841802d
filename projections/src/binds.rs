//! Bind parameters of one statement, numbered `$1`, `$2`, … (SQLite reads them too): the one way the read
//! model's filters, the statistics and the progress report number what they bind.

/// Pushes `value` onto a statement's `binds` and answers its placeholder (`$n`, following on from what
/// `binds` already holds).
pub(crate) fn placeholder(binds: &mut Vec<String>, value: impl Into<String>) -> String {
    binds.push(value.into());
    format!("${}", binds.len())
}

/// Placeholders and values of one statement (every value is text: dates, months, instants and ids).
#[derive(Default)]
pub(crate) struct Binds(pub(crate) Vec<String>);

impl Binds {
    pub(crate) fn bind(&mut self, value: impl Into<String>) -> String {
        placeholder(&mut self.0, value)
    }

    /// ` AND column IN (…)` for `Some(areas)` (no row for no area), nothing for every area (`None`).
    pub(crate) fn within(&mut self, column: &str, areas: Option<&[String]>) -> String {
        match areas {
            None => String::new(),
            Some([]) => " AND 1 = 0".to_owned(),
            Some(areas) => {
                let list: Vec<String> = areas.iter().map(|a| self.bind(a.clone())).collect();
                format!(" AND {column} IN ({})", list.join(", "))
            }
        }
    }
}
