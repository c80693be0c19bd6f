//! Source profiles as written (TOML: built in, inline in the config, or in its own
//! file). Ingest compiles and checks them (`ingest::profile`); the config only
//! holds them.

use crate::lake::schema::Table;
use serde::Deserialize;
use std::collections::BTreeMap;

/// File formats a profile can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Json,
    Ndjson,
    /// A worked call list (`lists.xlsx` from `followup lists`, filled in).
    Xlsx,
}

/// Where a canonical column's value comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ColumnSource {
    /// One source column (a dotted path for nested JSON, e.g. `owner.reference`).
    Field(String),
    /// Several source columns joined with a space (e.g. first and last name).
    Concat(Vec<String>),
    /// The first of several source columns that is not empty (e.g. `Task.code`, else `reasonCode`).
    FirstOf { first_of: Vec<String> },
    /// The source column depends on the call's direction (the external party of a call).
    ByDirection {
        inbound: String,
        outbound: String,
        #[serde(default)]
        internal: Option<String>,
    },
}

impl ColumnSource {
    /// The source columns it reads.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            ColumnSource::Field(f) => vec![f],
            ColumnSource::Concat(v) => v.iter().map(String::as_str).collect(),
            ColumnSource::FirstOf { first_of } => first_of.iter().map(String::as_str).collect(),
            ColumnSource::ByDirection {
                inbound,
                outbound,
                internal,
            } => {
                let mut v = vec![inbound.as_str(), outbound.as_str()];
                v.extend(internal.as_deref());
                v
            }
        }
    }
}

/// A profile as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDef {
    pub name: String,
    pub table: Table,
    /// Glob matched against the file's path relative to the exports folder, e.g. `**/calls_*.csv`.
    pub pattern: String,
    pub format: Format,
    #[serde(default)]
    pub description: String,
    /// CSV delimiter (one byte); default `,`.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// CSV quote character; default `"`.
    #[serde(default)]
    pub quote: Option<char>,
    /// CSV only: the most lines one quoted field may run across (default 20); a
    /// longer one is taken for a quote left open and its row is quarantined.
    #[serde(default)]
    pub max_field_lines: Option<usize>,
    /// CSV only: whether the export ends its last row with a line end (default
    /// true; a last row without one is taken for a transfer cut short). `false`
    /// for a vendor that never writes one (RingCentral's Service Web download):
    /// the last row is read when it has all its fields.
    #[serde(default = "yes")]
    pub final_line_end: bool,
    /// chrono formats tried in order; `rfc3339` and `rfc2822` are accepted by name.
    pub timestamp_formats: Vec<String>,
    /// Zone of timestamps written without an offset: `practice` (its time zone), `UTC`, or an IANA name.
    #[serde(default = "default_zone")]
    pub timestamp_zone: String,
    /// Column holding the practice id.
    #[serde(default)]
    pub practice_column: Option<String>,
    /// Or: every row belongs to this practice.
    #[serde(default)]
    pub practice_id: Option<String>,
    /// Or: the practice id is the first folder of the file's path in the exports
    /// folder (`exports/p001/...`), for vendor exports that do not name the practice.
    #[serde(default)]
    pub practice_folder: bool,
    /// JSON only: the file is one object whose array at this key holds the records
    /// (`records` in a RingCentral call-log response, `calls` in Twilio's). A list
    /// names alternatives, tried in order; a dotted key goes through nested objects
    /// (`payload.object.call_logs` in a webhook payload).
    #[serde(default)]
    pub records_key: Option<RecordsKey>,
    /// Logic beyond a column map that runs before mapping (see docs/FORMATS.md).
    #[serde(default)]
    pub adapter: Option<Adapter>,
    /// FHIR only: the resourceType this profile reads; other resources are quarantined.
    #[serde(default)]
    pub resource_type: Option<String>,
    /// Records arrive at least once: keep one per `key`, the latest by `latest_by`;
    /// the others count as duplicates.
    #[serde(default)]
    pub dedupe: Option<Dedupe>,
    /// canonical column -> source column.
    pub columns: BTreeMap<String, ColumnSource>,
    /// canonical column -> { vendor value -> canonical value }; "" maps to empty.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Source columns deliberately not read (e.g. patient names in a task report).
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// Keep the latest record per key within a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dedupe {
    /// Source column (dotted JSON path) naming the record.
    pub key: String,
    /// Source timestamp column; the greatest wins, ties go to the later record.
    pub latest_by: String,
}

/// Where a JSON file's records are: one key, or alternatives tried in order.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RecordsKey {
    One(String),
    Any(Vec<String>),
}

impl RecordsKey {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            RecordsKey::One(k) => vec![k.as_str()],
            RecordsKey::Any(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl From<&str> for RecordsKey {
    fn from(k: &str) -> RecordsKey {
        RecordsKey::One(k.to_string())
    }
}

fn yes() -> bool {
    true
}

fn default_zone() -> String {
    "practice".into()
}

/// The adapters a profile can name with `adapter = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adapter {
    /// RingCentral call log: records sharing a session are one call.
    Ringcentral,
    /// Twilio Call resources: child legs merged into their parent call.
    Twilio,
    /// Zoom Phone call history: outcome from the last hop that is not an overflow.
    Zoom,
    /// Amazon Connect contact records: outcome from agent and queue presence.
    AmazonConnect,
    /// FHIR R4 resources: references, codings and the resource type.
    Fhir,
}
