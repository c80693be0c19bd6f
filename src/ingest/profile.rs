//! Source profiles: how one kind of vendor export maps onto a canonical table.
//!
//! A profile is TOML (built in, inline in the config, or in its own file). It is
//! compiled once at start; every mistake in it is a configuration error naming
//! the profile and key.

pub use crate::config::profile::{ColumnSource, Dedupe, Format, ProfileDef, RecordsKey};
use crate::error::ConfigError;
use crate::lake::schema::{Kind, Table};
use std::collections::BTreeMap;
use std::path::Path;

/// The profiles shipped in the binary, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("sample-calls", include_str!("profiles/sample-calls.toml")),
    ("sample-tasks", include_str!("profiles/sample-tasks.toml")),
    (
        "sample-activity",
        include_str!("profiles/sample-activity.toml"),
    ),
    (
        "sample-appointments",
        include_str!("profiles/sample-appointments.toml"),
    ),
    (
        "sample-patients",
        include_str!("profiles/sample-patients.toml"),
    ),
    (
        "ringcentral-call-log",
        include_str!("profiles/ringcentral-call-log.toml"),
    ),
    (
        "ringcentral-call-log-csv",
        include_str!("profiles/ringcentral-call-log-csv.toml"),
    ),
    (
        "twilio-calls-json",
        include_str!("profiles/twilio-calls-json.toml"),
    ),
    (
        "twilio-calls-ndjson",
        include_str!("profiles/twilio-calls-ndjson.toml"),
    ),
    (
        "zoom-call-history",
        include_str!("profiles/zoom-call-history.toml"),
    ),
    (
        "amazon-connect-ctr",
        include_str!("profiles/amazon-connect-ctr.toml"),
    ),
    ("fhir-task", include_str!("profiles/fhir-task.toml")),
    (
        "fhir-communication",
        include_str!("profiles/fhir-communication.toml"),
    ),
    (
        "fhir-appointment",
        include_str!("profiles/fhir-appointment.toml"),
    ),
    ("fhir-patient", include_str!("profiles/fhir-patient.toml")),
    (
        "followup-worked-list",
        include_str!("profiles/followup-worked-list.toml"),
    ),
];

/// The profile that reads a worked call list back: always active, after the
/// configured ones (the lists are followup's own; docs/LISTS.md).
pub const WORKED_LIST: &str = "followup-worked-list";

/// Where timestamps without an offset live.
#[derive(Debug, Clone, Copy)]
pub enum Zone {
    Practice,
    Fixed(chrono_tz::Tz),
}

/// A profile checked against the table schema.
#[derive(Debug, Clone)]
pub struct Profile {
    pub def: ProfileDef,
    pub pattern: glob::Pattern,
    pub zone: Zone,
    pub delimiter: u8,
    pub quote: u8,
    /// `timestamp_formats`, compiled.
    pub formats: Vec<super::parse::TsFormat>,
    /// Column source for each canonical column of the table (None when unmapped).
    pub sources: Vec<Option<ColumnSource>>,
}

impl Profile {
    pub fn name(&self) -> &str {
        &self.def.name
    }
    pub fn table(&self) -> Table {
        self.def.table
    }

    /// The source columns the mapping reads: every column source, the practice
    /// column and the dedupe key and version.
    fn mapped_fields(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .sources
            .iter()
            .flatten()
            .flat_map(ColumnSource::fields)
            .collect();
        v.extend(self.def.practice_column.as_deref());
        if let Some(d) = &self.def.dedupe {
            v.push(&d.key);
            v.push(&d.latest_by);
        }
        v
    }

    /// Every source column the profile reads or ignores (to spot unknown columns).
    pub fn known_fields(&self) -> Vec<&str> {
        let mut v = self.mapped_fields();
        v.extend(self.def.ignore.iter().map(String::as_str));
        if let Some(a) = self.def.adapter {
            v.extend(a.reads());
        }
        v
    }

    /// The source columns the profile reads (known fields without `ignore`), sorted.
    pub fn read_fields(&self) -> Vec<&str> {
        let mut v = self.mapped_fields();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether `rel` (a path relative to the exports folder, with `/`) matches. A
    /// gzip-compressed export matches by its name without `.gz` (read::decompress).
    pub fn matches(&self, rel: &str) -> bool {
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: false,
            require_literal_leading_dot: true,
        };
        self.pattern.matches_with(rel, opts)
            || rel
                .strip_suffix(".gz")
                .is_some_and(|r| self.pattern.matches_with(r, opts))
    }

    /// Compile and check a definition. `origin` names where it came from, for messages.
    pub fn compile(def: ProfileDef, origin: &Path) -> Result<Profile, ConfigError> {
        let key = |k: &str| format!("profile `{}`: {k}", def.name);
        let bad = |k: &str, m: String| ConfigError::Invalid {
            path: origin.to_path_buf(),
            key: key(k),
            message: m,
        };
        let pattern = glob::Pattern::new(&def.pattern)
            .map_err(|e| bad("pattern", format!("not a valid glob: {e}")))?;
        let zone = match def.timestamp_zone.as_str() {
            "practice" => Zone::Practice,
            z => Zone::Fixed(z.parse().map_err(|_| {
                bad(
                    "timestamp_zone",
                    format!("unknown zone `{z}`; use \"practice\", \"UTC\" or an IANA name"),
                )
            })?),
        };
        let one_byte = |c: Option<char>, default: u8, k: &str| match c {
            None => Ok(default),
            Some(c) if c.is_ascii() => Ok(c as u8),
            Some(_) => Err(bad(k, "must be a single ASCII character".into())),
        };
        let delimiter = one_byte(def.delimiter, b',', "delimiter")?;
        let quote = one_byte(def.quote, b'"', "quote")?;
        let formats = def
            .timestamp_formats
            .iter()
            .map(|f| super::parse::TsFormat::compile(f))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| bad("timestamp_formats", m))?;
        if def.timestamp_formats.is_empty() {
            return Err(bad(
                "timestamp_formats",
                "list at least one format, e.g. [\"%Y-%m-%d %H:%M:%S\"] or [\"rfc3339\"]".into(),
            ));
        }
        let practice_sources = [
            def.practice_column.is_some(),
            def.practice_id.is_some(),
            def.practice_folder,
        ];
        if practice_sources.iter().filter(|b| **b).count() != 1 {
            return Err(bad(
                "practice_column",
                "set exactly one of practice_column (a column with the practice id), practice_id (one practice per file) or practice_folder = true (the file's first folder)".into(),
            ));
        }
        if def.max_field_lines == Some(0) {
            return Err(bad(
                "max_field_lines",
                "must be at least 1 (a field on one line)".into(),
            ));
        }
        if def.records_key.is_some() && def.format != Format::Json {
            return Err(bad(
                "records_key",
                "only a JSON file (format = \"json\") has records under a key".into(),
            ));
        }
        if let Some(a) = def.adapter {
            a.check(&def).map_err(|m| bad("adapter", m))?;
        }
        let table = def.table;
        for name in def.columns.keys().chain(def.values.keys()) {
            if table.col(name).is_none() {
                let known: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
                return Err(bad(
                    &format!("columns.{name}"),
                    format!(
                        "`{name}` is not a column of {table}; its columns are {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        for col in table.columns() {
            let mapped = def.columns.contains_key(col.name);
            if col.required && !mapped && col.name != "updated_at" {
                return Err(bad(
                    &format!("columns.{}", col.name),
                    format!(
                        "{table} needs `{}`; map it to the export's column",
                        col.name
                    ),
                ));
            }
            if let (Some(map), Kind::Enum(allowed)) = (def.values.get(col.name), col.kind) {
                for (from, to) in map {
                    if !to.is_empty() && !allowed.contains(&to.as_str()) {
                        return Err(bad(
                            &format!("values.{}.\"{from}\"", col.name),
                            format!(
                                "`{to}` is not a {} value; use one of {}",
                                col.name,
                                allowed.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        let sources = table
            .columns()
            .iter()
            .map(|c| def.columns.get(c.name).cloned())
            .collect();
        Ok(Profile {
            formats,
            pattern,
            zone,
            delimiter,
            quote,
            sources,
            def,
        })
    }
}

/// Parse a profile file's text.
pub fn parse_def(text: &str, origin: &Path) -> Result<ProfileDef, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: origin.to_path_buf(),
        message: e.to_string().trim_end().to_string(),
    })
}

/// Resolve the config's active profiles: built-in, inline, and from files.
pub fn load_active(cfg: &crate::config::Config) -> Result<Vec<Profile>, ConfigError> {
    let mut defs: BTreeMap<String, (ProfileDef, std::path::PathBuf)> = BTreeMap::new();
    for (name, text) in BUILTIN {
        let origin = Path::new("<built-in>").join(format!("{name}.toml"));
        defs.insert(name.to_string(), (parse_def(text, &origin)?, origin));
    }
    for f in &cfg.sources.profile_files {
        let text = std::fs::read_to_string(f).map_err(|source| ConfigError::Read {
            path: f.clone(),
            source,
        })?;
        let def = parse_def(&text, f)?;
        defs.insert(def.name.clone(), (def, f.clone()));
    }
    for def in &cfg.sources.profile {
        defs.insert(def.name.clone(), (def.clone(), cfg.path.clone()));
    }
    let mut out = Vec::new();
    for (i, name) in cfg.sources.profiles.iter().enumerate() {
        let Some((def, origin)) = defs.get(name) else {
            let known: Vec<&str> = defs.keys().map(String::as_str).collect();
            return Err(ConfigError::Invalid {
                path: cfg.path.clone(),
                key: format!("sources.profiles[{i}]"),
                message: format!(
                    "unknown profile `{name}`; known profiles: {}",
                    known.join(", ")
                ),
            });
        };
        out.push(Profile::compile(def.clone(), origin)?);
    }
    let configured = out.len();
    if !cfg.sources.profiles.iter().any(|n| n == WORKED_LIST) {
        if let Some((def, origin)) = defs.get(WORKED_LIST) {
            out.push(Profile::compile(def.clone(), origin)?);
        }
    }
    if configured == 0 {
        return Err(ConfigError::Invalid {
            path: cfg.path.clone(),
            key: "sources.profiles".into(),
            message: "no source profile is active; list the ones that read your exports (`followup check --profiles` shows the built-in ones), or let `followup init EXPORTS_DIR --force` match them".into(),
        });
    }
    Ok(out)
}

/// Every profile definition known without a config (for `check --profiles`).
pub fn builtin_defs() -> Vec<ProfileDef> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            parse_def(text, Path::new(name)).expect("built-in profiles are valid (tested)")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_compile() {
        for def in builtin_defs() {
            let name = def.name.clone();
            Profile::compile(def, Path::new("builtin")).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn rejects_unknown_canonical_column_and_bad_value_target() {
        let text = r#"
            name = "x"
            table = "calls"
            pattern = "*.csv"
            format = "csv"
            timestamp_formats = ["rfc3339"]
            practice_id = "p001"
            [columns]
            call_id = "id"
            direction = "dir"
            started_at = "start"
            outcome = "result"
            colour = "c"
        "#;
        let e = Profile::compile(parse_def(text, Path::new("x")).unwrap(), Path::new("x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`colour` is not a column of calls"), "{e}");
        let text = text.replace("colour = \"c\"", "[values.outcome]\n\"Missed\" = \"lost\"");
        let e = Profile::compile(parse_def(&text, Path::new("x")).unwrap(), Path::new("x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`lost` is not a outcome value"), "{e}");
    }

    #[test]
    fn requires_key_columns() {
        let text = r#"
            name = "x"
            table = "tasks"
            pattern = "*.csv"
            format = "csv"
            timestamp_formats = ["rfc3339"]
            practice_id = "p001"
            [columns]
            task_id = "id"
        "#;
        let e = Profile::compile(parse_def(text, Path::new("x")).unwrap(), Path::new("x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("tasks needs `category`"), "{e}");
    }
}
