//! The report: figures made of rounds (Santisuk beside its baseline), their targets, the machine and the
//! storage settings, printed as a table and written as JSON.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

/// One round of one figure: Santisuk's value and its baseline's (the mean of the baseline turns run just
/// before and just after Santisuk's, so slow drift of the machine cancels out).
#[derive(Debug, Clone, Copy)]
pub struct Round {
    pub value: f64,
    pub baseline: Option<f64>,
}

/// How a figure is judged.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Santisuk ÷ baseline must be at least this (throughputs).
    RatioAtLeast(f64),
    /// The value must not exceed the baseline by more than this (latencies, in the figure's unit).
    AtMostBaselinePlus(f64),
    /// The value must stay under this (in the figure's unit).
    Below(f64),
    /// Throughput ratio at least `ratio`, and the whole job (`work` units at `value` per second) done
    /// in under `seconds`.
    RatioAndDuration { ratio: f64, work: f64, seconds: f64 },
    /// Reported, not judged.
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: String,
    pub name: String,
    /// Median over the rounds.
    pub value: f64,
    pub unit: String,
    /// Median of the baseline over the rounds; null when the figure has no baseline.
    pub baseline: Option<f64>,
    pub baseline_name: Option<String>,
    /// Median over the rounds of Santisuk ÷ baseline within the round.
    pub ratio: Option<f64>,
    pub target: String,
    pub met: Option<bool>,
    /// (max − min) / median of Santisuk's value over the rounds.
    pub spread: f64,
    pub rounds: Vec<f64>,
    pub baseline_rounds: Vec<f64>,
    /// Anything else worth reading beside the number (percentiles not judged, sizes, durations).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

impl Figure {
    pub fn new(
        id: &str,
        name: &str,
        unit: &str,
        baseline_name: Option<&str>,
        rounds: &[Round],
        target: Target,
        note: String,
    ) -> Figure {
        let values: Vec<f64> = rounds.iter().map(|r| r.value).collect();
        let baselines: Vec<f64> = rounds.iter().filter_map(|r| r.baseline).collect();
        let ratios: Vec<f64> = rounds.iter().filter_map(|r| r.baseline.map(|b| r.value / b)).collect();
        let value = median(&values);
        let baseline = (!baselines.is_empty()).then(|| median(&baselines));
        let ratio = (!ratios.is_empty()).then(|| median(&ratios));
        let max = values.iter().copied().fold(f64::MIN, f64::max);
        let min = values.iter().copied().fold(f64::MAX, f64::min);
        let spread = if value.abs() > 0.0 { (max - min) / value } else { 0.0 };
        let (target_text, met) = match target {
            Target::RatioAtLeast(r) => (format!("ratio ≥ {r}"), ratio.map(|x| x >= r)),
            Target::AtMostBaselinePlus(d) => (format!("≤ baseline + {d} {unit}"), baseline.map(|b| value <= b + d)),
            Target::Below(limit) => (format!("< {limit} {unit}"), Some(value < limit)),
            Target::RatioAndDuration { ratio: r, work, seconds } => {
                let took = work / value;
                (
                    format!("ratio ≥ {r} and under {seconds} s (took {took:.1} s)"),
                    ratio.map(|x| x >= r && took < seconds),
                )
            }
            Target::None => ("—".to_owned(), None),
        };
        Figure {
            id: id.to_owned(),
            name: name.to_owned(),
            value,
            unit: unit.to_owned(),
            baseline,
            baseline_name: baseline_name.map(str::to_owned),
            ratio,
            target: target_text,
            met,
            spread,
            rounds: values,
            baseline_rounds: baselines,
            note,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    /// `full` or `smoke` (tiny sizes; targets shown but not judged).
    pub mode: String,
    pub judged: bool,
    pub started_at: String,
    pub sizes: Value,
    pub figures: Vec<Figure>,
    pub machine: Value,
    pub backend_settings: Value,
    /// Set-up steps worth knowing about (loading, catch-up), with their durations.
    pub setup: Vec<String>,
}

fn num(x: f64) -> String {
    if !x.is_finite() {
        "—".to_owned()
    } else if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

impl Report {
    /// The table, as printed: one line per figure.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{:<6} {:<52} {:>10} {:>8} {:<10} {:>10} {:>7}  {:<34} {}\n",
            "id", "figure", "santisuk", "spread", "unit", "baseline", "ratio", "target", "met"
        ));
        for f in &self.figures {
            let met = match (self.judged, f.met) {
                (_, None) => "—",
                (false, Some(_)) => "(smoke)",
                (true, Some(true)) => "yes",
                (true, Some(false)) => "NO",
            };
            out.push_str(&format!(
                "{:<6} {:<52} {:>10} {:>7.0}% {:<10} {:>10} {:>7}  {:<34} {}\n",
                f.id,
                f.name,
                num(f.value),
                f.spread * 100.0,
                f.unit,
                f.baseline.map(num).unwrap_or_else(|| "—".into()),
                f.ratio.map(|r| format!("{r:.3}")).unwrap_or_else(|| "—".into()),
                f.target,
                met
            ));
            if !f.note.is_empty() {
                out.push_str(&format!("{:<6} {}\n", "", f.note));
            }
        }
        out
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(self)? + "\n")?;
        Ok(())
    }
}

/// Cores, memory, kernel and CPU model, read from /proc (Linux); missing facts are null.
pub fn machine() -> Value {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let cpu_model = read("/proc/cpuinfo").and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
    });
    let memory_mb = read("/proc/meminfo").and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb / 1024)
    });
    serde_json::json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "memory_mb": memory_mb,
        "kernel": read("/proc/sys/kernel/osrelease").map(|s| s.trim().to_owned()),
        "cpu_model": cpu_model,
        "os": std::env::consts::OS,
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
    })
}
