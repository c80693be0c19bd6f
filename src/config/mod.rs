//! The practice's process as configuration: one TOML file, many practices.
//!
//! Loading is two steps: every `[[practices]]` table is deep-merged over
//! `[defaults]` (so a group shares what its practices agree on), then the merged
//! tables are deserialised and validated. Every error names the key.

mod age;
mod holidays;
mod hours;
pub mod profile;
pub mod starter;
mod target;
mod validate;

use age::RawMaturity;
pub use age::{Age, Maturity};
pub use hours::{parse_span, Span, WeekHours};
pub use target::Target;
pub use validate::duration_s;

use crate::error::ConfigError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use profile::ProfileDef;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    privacy: Privacy,
    #[serde(default)]
    sources: Sources,
    #[serde(default)]
    nightly: Nightly,
    #[serde(default)]
    ingest: Ingest,
    #[serde(default)]
    report: ReportConfig,
    #[serde(default)]
    defaults: toml::Table,
    #[serde(default)]
    practices: Vec<toml::Table>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    exports: Option<PathBuf>,
    lake: Option<PathBuf>,
    quarantine: Option<PathBuf>,
    reports: Option<PathBuf>,
    lists: Option<PathBuf>,
    runs: Option<PathBuf>,
}

/// Folders, resolved against the config file's folder.
#[derive(Debug, Clone)]
pub struct Paths {
    pub exports: PathBuf,
    pub lake: PathBuf,
    pub quarantine: PathBuf,
    pub reports: PathBuf,
    /// Tomorrow's call lists (PHI: owner-only permissions).
    pub lists: PathBuf,
    /// Nightly run manifests and the lock file.
    pub runs: PathBuf,
}

/// What `followup nightly` does besides the every-night stages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nightly {
    /// On the night whose data day is this weekday, render the weekly report for
    /// the last complete ISO week ("sun" = the week that day completes).
    #[serde(default = "default_report_day")]
    pub weekly_report_day: String,
}

fn default_report_day() -> String {
    "sun".into()
}

impl Default for Nightly {
    fn default() -> Self {
        Nightly {
            weekly_report_day: default_report_day(),
        }
    }
}

impl Nightly {
    /// The configured weekday (validated at load).
    pub fn report_weekday(&self) -> chrono::Weekday {
        hours::parse_weekday(&self.weekly_report_day).unwrap_or(chrono::Weekday::Sun)
    }
}

/// How ingest judges instants (see docs/PROFILES.md, "What ingest refuses and why").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ingest {
    /// An instant that happened (a call's start, a task's creation, a version) may
    /// be at most this many days after the run's clock; a later one is quarantined
    /// as "in the future". Default 1 (clocks and time zones differ a little).
    #[serde(default = "default_future_slack_days")]
    pub future_slack_days: u32,
}

fn default_future_slack_days() -> u32 {
    1
}

impl Default for Ingest {
    fn default() -> Self {
        Ingest {
            future_slack_days: default_future_slack_days(),
        }
    }
}

/// How the reports draw their charts (see docs/CONFIG.md, `[report]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// A category chart of a group with fewer requests than this says "too few
    /// requests (n=…)" instead of drawing bars or lines. Default 10.
    #[serde(default = "default_min_n")]
    pub min_n: u32,
}

fn default_min_n() -> u32 {
    10
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            min_n: default_min_n(),
        }
    }
}

/// Where the keyed-hash secret comes from (see README, "Privacy").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// Environment variable holding the secret.
    #[serde(default = "default_key_env")]
    pub key_env: String,
    /// A file holding the secret; must be mode 0600 (owner only).
    pub key_file: Option<PathBuf>,
    /// Use the documented, public demo key. For sample data only.
    #[serde(default)]
    pub demo_key: bool,
}

fn default_key_env() -> String {
    "FOLLOWUP_HASH_KEY".into()
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            key_env: default_key_env(),
            key_file: None,
            demo_key: false,
        }
    }
}

/// Which source profiles are active.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// Names of active profiles: built-in ones or ones defined below / in `profile_files`.
    #[serde(default)]
    pub profiles: Vec<String>,
    /// Extra profile files (TOML, one profile each), relative to the config file.
    #[serde(default)]
    pub profile_files: Vec<PathBuf>,
    /// Profiles written inline.
    #[serde(default)]
    pub profile: Vec<ProfileDef>,
}

/// One practice after merging over `[defaults]`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPractice {
    id: String,
    name: String,
    timezone: String,
    #[serde(default = "default_region")]
    phone_region: String,
    hours: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
    #[serde(default)]
    us_federal_holidays: bool,
    #[serde(default = "default_recovery_days")]
    recovery_window_days: u32,
    #[serde(default = "default_target_share")]
    target_share: f64,
    #[serde(default)]
    callback_number: Option<String>,
    /// Business days after which overdue work leaves the callers' lists for
    /// the manager's stale list (docs/LISTS.md, "Order").
    #[serde(default = "default_stale_days")]
    stale_after_days: u32,
    categories: BTreeMap<String, RawCategory>,
    lanes: BTreeMap<String, RawLane>,
    #[serde(default)]
    roster: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    staffing: RawStaffing,
    /// Outcome ages for every category (docs/METRICS.md, "maturity").
    #[serde(default)]
    maturity: RawMaturity,
}

/// `[defaults.staffing]` as written: assumptions of the staffing view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStaffing {
    handle_time: Option<String>,
    after_call_work: Option<String>,
    max_va_hours: Option<u32>,
    shift_hours: Option<Vec<u32>>,
    max_assistants_per_hour: Option<u32>,
    answer_within: Option<String>,
    service_level: Option<f64>,
    shrinkage: Option<f64>,
    max_occupancy: Option<f64>,
    va_hourly_rate: Option<f64>,
    escalation: Option<String>,
}

/// Assumptions of the staffing view (see docs/STAFFING.md); durations in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffing {
    /// Handle time of a phone attempt where the call log cannot measure it.
    pub handle_time_s: f64,
    /// Wrap-up after each attempt (notes, status), added to measured talk time.
    pub after_call_work_s: f64,
    /// Most virtual-assistant hours per week the recommendation may add.
    pub max_va_hours: u32,
    /// Shift lengths the recommendation may buy, in paid hours (vendors sell 4 h
    /// and 8 h shifts).
    pub shift_hours: Vec<u32>,
    /// Most added assistants the recommendation puts in any one hour.
    pub max_assistants_per_hour: u32,
    /// Inbound line: answer target, service level, shrinkage, occupancy cap.
    pub answer_within_s: f64,
    pub service_level: f64,
    pub shrinkage: f64,
    pub max_occupancy: f64,
    /// What the vendor charges for a paid assistant hour, in the practice's
    /// currency; None: no cost is shown.
    pub va_hourly_rate: Option<f64>,
    /// Whom the vendor's assistants call when the script does not cover a
    /// case (the scope of work), unless their lane names its own.
    pub escalation: Option<String>,
}

impl Default for Staffing {
    fn default() -> Self {
        Staffing {
            handle_time_s: 360.0,
            after_call_work_s: 60.0,
            max_va_hours: 200,
            shift_hours: vec![4, 8],
            max_assistants_per_hour: 3,
            answer_within_s: 20.0,
            service_level: 0.8,
            shrinkage: 0.3,
            max_occupancy: 0.85,
            va_hourly_rate: None,
            escalation: None,
        }
    }
}

fn default_region() -> String {
    "US".into()
}
fn default_recovery_days() -> u32 {
    14
}
fn default_stale_days() -> u32 {
    10
}
fn default_target_share() -> f64 {
    0.9
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    #[serde(default)]
    label: Option<String>,
    target: String,
    max_attempts: u32,
    #[serde(default)]
    min_gap_days: u32,
    #[serde(default = "default_channel")]
    final_channel: String,
    script: String,
    voicemail: String,
    #[serde(default = "default_weight")]
    weight: u32,
    #[serde(default)]
    licensed: bool,
    /// This category's outcome ages, over the practice's.
    #[serde(default)]
    maturity: RawMaturity,
}

fn default_channel() -> String {
    "phone".into()
}
fn default_weight() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLane {
    categories: Vec<String>,
    owners: Vec<String>,
    #[serde(default)]
    licensed: bool,
    #[serde(default)]
    escalation: Option<String>,
}

/// Outreach channels an attempt rule may prescribe.
pub const CHANNELS: &[&str] = &["phone", "sms", "email", "portal", "letter"];

/// A request category and its rules.
#[derive(Debug, Clone)]
pub struct Category {
    pub name: String,
    /// How reports name it to a person (`label`, or the name in words).
    pub label: String,
    pub target: Target,
    pub max_attempts: u32,
    pub min_gap_days: u32,
    pub final_channel: String,
    pub script: String,
    pub voicemail: String,
    pub weight: u32,
    /// Only a licensed lane may work it (clinical questions).
    pub licensed: bool,
    /// How long its outcomes are given before they are judged.
    pub maturity: Maturity,
}

/// A lane: a queue of categories worked by its owners.
#[derive(Debug, Clone)]
pub struct Lane {
    pub name: String,
    pub categories: Vec<String>,
    pub owners: Vec<String>,
    pub licensed: bool,
    /// Whom an assistant working this lane escalates to (the scope of work);
    /// else the practice's `staffing.escalation`.
    pub escalation: Option<String>,
}

/// A practice, validated.
#[derive(Debug, Clone)]
pub struct Practice {
    pub id: String,
    pub name: String,
    pub tz: Tz,
    pub phone_region: phonenumber::country::Id,
    pub hours: WeekHours,
    pub holidays: BTreeSet<NaiveDate>,
    pub explicit_holidays: Vec<NaiveDate>,
    pub us_federal_holidays: bool,
    pub recovery_window_days: u32,
    /// The share of requests that should be first attempted within target (the goal line).
    pub target_share: f64,
    /// The number patients are asked to call back (fills `{callback_number}` in voicemail wording).
    pub callback_number: Option<String>,
    /// Business days after which overdue work goes to the manager's stale list.
    pub stale_after_days: u32,
    pub categories: BTreeMap<String, Category>,
    pub lanes: BTreeMap<String, Lane>,
    pub roster: BTreeMap<String, WeekHours>,
    pub staffing: Staffing,
}

impl Practice {
    /// Whether `date` is a holiday (explicit or, if opted in, a US federal holiday).
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
            || (self.us_federal_holidays && holidays::is_us_federal_holiday(date))
    }

    /// A category's approved voicemail wording with `{practice}` and, when
    /// configured, `{callback_number}` filled in.
    pub fn voicemail(&self, c: &Category) -> String {
        let v = c.voicemail.replace("{practice}", &self.name);
        match &self.callback_number {
            Some(n) => v.replace("{callback_number}", n),
            None => v,
        }
    }

    /// The lane that works `category` (validation guarantees exactly one exists).
    pub fn lane_for(&self, category: &str) -> Option<&Lane> {
        self.lanes
            .values()
            .find(|l| l.categories.iter().any(|c| c == category))
    }
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub paths: Paths,
    pub privacy: Privacy,
    pub sources: Sources,
    pub nightly: Nightly,
    pub ingest: Ingest,
    pub report: ReportConfig,
    pub practices: Vec<Practice>,
}

/// The folder holding a config file (`.` for a bare file name): relative paths in
/// the config, and `queries/`, are resolved against it.
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

impl Config {
    /// The folder holding this config's file (see `folder_of`).
    pub fn dir(&self) -> &Path {
        folder_of(&self.path)
    }

    /// Read, merge and validate a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ConfigError::Missing {
                    path: path.to_path_buf(),
                }
            } else {
                ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        Self::from_str(&text, path)
    }

    /// Parse config text; `path` is used for messages and to resolve relative folders.
    pub fn from_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let base = folder_of(path).to_path_buf();
        let resolve = |p: Option<PathBuf>, default: &str| {
            let p = p.unwrap_or_else(|| PathBuf::from(default));
            if p.is_absolute() {
                p
            } else {
                base.join(p)
            }
        };
        let paths = Paths {
            exports: resolve(raw.paths.exports, "exports"),
            lake: resolve(raw.paths.lake, "lake"),
            quarantine: resolve(raw.paths.quarantine, "quarantine"),
            reports: resolve(raw.paths.reports, "reports"),
            lists: resolve(raw.paths.lists, "lists"),
            runs: resolve(raw.paths.runs, "runs"),
        };
        if raw.report.min_n == 0 {
            return Err(invalid(
                path,
                "report.min_n",
                "a chart needs at least one request; set min_n = 1 or more (10 is the default)",
            ));
        }
        if hours::parse_weekday(&raw.nightly.weekly_report_day).is_none() {
            return Err(invalid(
                path,
                "nightly.weekly_report_day",
                &format!(
                    "unknown weekday `{}`; use mon, tue, wed, thu, fri, sat or sun",
                    raw.nightly.weekly_report_day
                ),
            ));
        }
        let mut privacy = raw.privacy;
        privacy.key_file = privacy.key_file.map(|p| resolve(Some(p), ""));
        let mut sources = raw.sources;
        sources.profile_files = sources
            .profile_files
            .into_iter()
            .map(|p| resolve(Some(p), ""))
            .collect();

        if raw.practices.is_empty() {
            return Err(invalid(
                path,
                "practices",
                "no practice is configured; add at least one [[practices]] table with id, name and timezone",
            ));
        }
        let mut practices = Vec::with_capacity(raw.practices.len());
        for (i, table) in raw.practices.into_iter().enumerate() {
            let mut merged = raw.defaults.clone();
            deep_merge(&mut merged, table);
            let key = format!("practices[{i}]");
            let de = toml::Value::Table(merged);
            let rp: RawPractice = serde_path_to_error::deserialize(de).map_err(|e| {
                let inner = e.path().to_string();
                let key = if inner == "." {
                    key.clone()
                } else {
                    format!("{key}.{inner}")
                };
                invalid(path, &key, &e.into_inner().to_string())
            })?;
            practices.push(validate::practice(rp, path, &key)?);
        }
        validate::unique_practice_ids(&practices, path)?;
        Ok(Config {
            path: path.to_path_buf(),
            paths,
            privacy,
            sources,
            nightly: raw.nightly,
            ingest: raw.ingest,
            report: raw.report,
            practices,
        })
    }

    /// The same configuration with only the given practices.
    pub fn restricted_to(&self, ids: &[&str]) -> Config {
        let mut c = self.clone();
        c.practices.retain(|p| ids.contains(&p.id.as_str()));
        c
    }

    /// How reports name `category` to a person: its `label` in the first
    /// practice that has it, else the name in words (`default_label`).
    pub fn category_label(&self, category: &str) -> String {
        self.practices
            .iter()
            .find_map(|p| p.categories.get(category))
            .map(|c| c.label.clone())
            .unwrap_or_else(|| default_label(category))
    }

    /// Look up a practice by id.
    pub fn practice(&self, id: &str) -> Option<&Practice> {
        self.practices.iter().find(|p| p.id == id)
    }
}

/// A category name in words: underscores as spaces, the first letter a
/// capital ("new_patient_request" → "New patient request").
pub fn default_label(name: &str) -> String {
    let s = name.replace('_', " ");
    let mut ch = s.chars();
    match ch.next() {
        Some(f) => f.to_uppercase().collect::<String>() + ch.as_str(),
        None => s,
    }
}

pub(crate) fn invalid(path: &Path, key: &str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_path_buf(),
        key: key.to_string(),
        message: message.to_string(),
    }
}

/// Merge `over` into `base`: tables merge key by key, anything else replaces.
fn deep_merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => deep_merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests;
