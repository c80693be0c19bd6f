//! `followup init`: a practice's first config, matched to its exports.

use crate::cli::Cli;
use crate::config::starter::{self, Starter};
use crate::config::{folder_of, Config};
use crate::error::{UsageError, EXIT_OK};
use crate::ingest::profile::{self, Profile};
use crate::ingest::{self, guess};
use crate::lake::schema::Table;
use crate::privacy::Hasher;
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Write a commented starter followup.toml, a hashing key and the standard queries.
///
/// The config holds the practice, its time zone, business hours (Mon–Fri
/// 08:00–12:00 and 13:00–17:00), the ten request categories with common targets
/// (new-patient requests 30 min, missed calls 60 min, referrals the same day,
/// insurance documents by noon the next business day, …), a front-desk lane and a
/// licensed clinical lane, and a roster giving each owner the business hours;
/// the lines to adapt are marked EDIT. The config is written to --config
/// (default ./followup.toml); an existing one is kept unless --force. The hashing key is
/// 32 random bytes in followup.key, readable only by you (an existing key file is
/// kept: a new key would change every key in the lake). queries/ gets the
/// standard SQL (afternoon_slip, owner_backlog, unlogged_missed_calls) unless it
/// exists.
///
/// Given EXPORTS_DIR, every export in it is read with each built-in profile whose
/// file pattern matches; the profile that maps the most rows of a file is
/// written into [sources], the practice ids come from the exports, the lanes'
/// owners from the task exports, and `followup check` then prints its summary.
/// Writes nothing in the exports folder.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup init ./exports\n  followup init ~/exports --name \"Riverside Family Medicine\" --timezone America/Chicago\n  followup init                 # no exports yet: list your profiles in [sources] later"
)]
pub struct Args {
    /// The folder the exports land in (checked, and written into [paths] exports).
    #[arg(value_parser = super::existing_dir)]
    pub exports_dir: Option<PathBuf>,
    /// The practice's display name.
    #[arg(long, default_value = starter::DEFAULT_NAME)]
    pub name: String,
    /// The practice's IANA time zone.
    #[arg(long, default_value = starter::DEFAULT_TIMEZONE, value_parser = time_zone)]
    pub timezone: String,
    /// Replace an existing config file (its key file is kept).
    #[arg(long)]
    pub force: bool,
}

fn time_zone(s: &str) -> Result<String, String> {
    s.parse::<chrono_tz::Tz>()
        .map(|_| s.to_string())
        .map_err(|_| format!("unknown time zone `{s}`; use an IANA name such as America/New_York"))
}

/// The SQL shipped with followup: each file becomes a metrics table (and the
/// weekly report reads unlogged_missed_calls).
pub const STANDARD_QUERIES: &[(&str, &str)] = &[
    (
        "afternoon_slip.sql",
        include_str!("../../queries/afternoon_slip.sql"),
    ),
    (
        "owner_backlog.sql",
        include_str!("../../queries/owner_backlog.sql"),
    ),
    (
        "unlogged_missed_calls.sql",
        include_str!("../../queries/unlogged_missed_calls.sql"),
    ),
];

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let path = &cli.config;
    if path.exists() && !args.force {
        return Err(UsageError(format!(
            "{} already exists; edit it, or add --force to replace it (its key file is kept)",
            path.display()
        ))
        .into());
    }
    let dir = folder_of(path).to_path_buf();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if let Some(exports) = &args.exports_dir {
        if relative_to(exports, &dir) == "." {
            return Err(UsageError(format!(
                "{} is the config's own folder, where the lake and reports go; put the exports in a folder of their own (e.g. ./exports) and run `followup init ./exports`",
                exports.display()
            ))
            .into());
        }
    }
    let key_written = write_key(&dir.join(starter::KEY_FILE))?;

    let mut s = Starter {
        exports: "exports".into(),
        exports_given: args.exports_dir.is_some(),
        timezone: args.timezone.clone(),
        profiles: Vec::new(),
        practices: vec!["p001".into()],
        name: args.name.clone(),
        front_desk_owners: Vec::new(),
        clinical_owners: Vec::new(),
    };
    let mut unmatched = Vec::new();
    if let Some(exports) = &args.exports_dir {
        s.exports = relative_to(exports, &dir);
        let found = match_exports(path, &s, exports)?;
        s.profiles = found.profiles;
        if !found.practices.is_empty() {
            s.practices = found.practices.into_iter().collect();
        }
        s.front_desk_owners = found.front_desk_owners.into_iter().collect();
        s.clinical_owners = found.clinical_owners.into_iter().collect();
        unmatched = found.unmatched;
    } else {
        std::fs::create_dir_all(dir.join(&s.exports))?;
    }
    let text = starter::render(&s);
    // The file written is always one the loader accepts.
    Config::from_str(&text, path).context("the starter config does not load (a bug)")?;
    crate::lake::write_bytes_atomic(path, text.as_bytes())?;
    let queries = dir.join("queries");
    let queries_written = !queries.exists();
    if queries_written {
        std::fs::create_dir_all(&queries)?;
        for (name, sql) in STANDARD_QUERIES {
            std::fs::write(queries.join(name), sql)?;
        }
    }
    if !cli.quiet {
        let profiles = if s.profiles.is_empty() {
            "no source profile yet: list yours in [sources]".to_string()
        } else {
            format!("source profiles {}", s.profiles.join(", "))
        };
        let said = format!(
            "init: wrote {} ({}, {} practice(s), {profiles})",
            path.display(),
            args.timezone,
            s.practices.len(),
        );
        eprintln!("{said}");
        if key_written {
            eprintln!(
                "init: wrote the hashing key {} (owner-only; back it up with the lake, keep it out of version control)",
                dir.join(starter::KEY_FILE).display()
            );
        }
        if queries_written {
            eprintln!("init: wrote the standard queries to {}", queries.display());
        }
        for (file, closest) in &unmatched {
            let closest = match closest {
                Some(c) if c.missing.is_empty() => format!("; closest: {}", c.profile),
                Some(c) => format!(
                    "; closest: {}, missing columns {}",
                    c.profile,
                    c.missing.join(", ")
                ),
                None => String::new(),
            };
            eprintln!("init: {file}: no built-in profile reads it{closest}");
        }
        if args.exports_dir.is_some() && s.profiles.is_empty() {
            eprintln!(
                "init: no built-in profile reads any export, so [sources] is empty: describe your exports in a profile (docs/PROFILES.md) and list it there"
            );
        }
    }
    if args.exports_dir.is_some() && !s.profiles.is_empty() {
        let check = super::check::Args {
            files: Vec::new(),
            profiles: false,
            brief: true,
        };
        // The verdict is for the person reading; init itself succeeded.
        super::check::run(cli, &check)?;
    }
    if !cli.quiet {
        eprintln!(
            "next: edit the lines marked EDIT in {} (name, time zone, hours, owners), then run `followup nightly`",
            path.display()
        );
    }
    Ok(EXIT_OK)
}

/// Write 32 random bytes (hex) to `path`, owner-only; keep a key already there.
fn write_key(path: &Path) -> Result<bool> {
    use std::io::{Read, Write};
    if path.exists() {
        return Ok(false);
    }
    let mut secret = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut secret))
        .context("reading random bytes for the hashing key from /dev/urandom")?;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(format!("{}\n", hex::encode(secret)).as_bytes())?;
    f.sync_all()?;
    Ok(true)
}

/// `path` as written in a config in `base`: relative when it lies below it.
fn relative_to(path: &Path, base: &Path) -> String {
    let shown = match (path.canonicalize(), base.canonicalize()) {
        (Ok(p), Ok(b)) => match p.strip_prefix(&b) {
            Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Ok(rel) => rel.to_path_buf(),
            Err(_) => p,
        },
        _ => path.to_path_buf(),
    };
    shown.to_string_lossy().replace('\\', "/")
}

/// What the exports say.
struct Found {
    profiles: Vec<String>,
    practices: BTreeSet<String>,
    front_desk_owners: BTreeSet<String>,
    clinical_owners: BTreeSet<String>,
    /// Files no built-in profile reads, with the closest one.
    unmatched: Vec<(String, Option<guess::Closest>)>,
}

/// Pick, for each export, the built-in profile that maps the most of its rows.
fn match_exports(path: &Path, s: &Starter, exports: &Path) -> Result<Found> {
    // The worked-list profile is always active: init never lists it.
    let builtin: Vec<Profile> = profile::builtin_defs()
        .into_iter()
        .filter(|d| d.name != profile::WORKED_LIST)
        .map(|d| Profile::compile(d, Path::new("<built-in>")))
        .collect::<Result<_, _>>()?;
    let files = ingest::expand_manifests(ingest::discover(exports)?, exports)?;
    let candidates = |f: &ingest::ExportFile| -> Vec<&Profile> {
        builtin
            .iter()
            .filter(|p| match &f.resource_type {
                Some(t) => p.def.resource_type.as_deref() == Some(t.as_str()),
                None => p.matches(&f.rel),
            })
            .collect()
    };
    // 1. The practice ids the exports name, so their rows map.
    let mut contents = Vec::with_capacity(files.len());
    let mut practices = BTreeSet::new();
    for f in &files {
        let bytes =
            std::fs::read(&f.path).with_context(|| format!("reading {}", f.path.display()))?;
        for p in candidates(f) {
            practices.extend(guess::practice_ids(p, &f.rel, &bytes));
        }
        contents.push(bytes);
    }
    // 2. A provisional config with every built-in profile, to map rows with.
    let mut provisional = s.clone();
    provisional.exports = exports.to_string_lossy().into_owned();
    provisional.profiles = builtin.iter().map(|p| p.name().to_string()).collect();
    if !practices.is_empty() {
        provisional.practices = practices.iter().cloned().collect();
    }
    let config = Config::from_str(&starter::render(&provisional), path)?;
    let hasher = Hasher::from_config(&config.privacy)?;
    let phones = ingest::map::PhoneCache::default();
    let limits = ingest::map::Limits::from_config(&config)?;
    let mut chosen: BTreeSet<usize> = BTreeSet::new();
    let mut found = Found {
        profiles: Vec::new(),
        practices,
        front_desk_owners: BTreeSet::new(),
        clinical_owners: BTreeSet::new(),
        unmatched: Vec::new(),
    };
    for (f, bytes) in files.iter().zip(&contents) {
        let mut best: Option<(usize, usize, ingest::Analysed)> = None;
        for p in candidates(f) {
            let a = ingest::analyse(f, bytes, p, &config, &hasher, &phones, &limits);
            if a.file_error.is_some() || a.rows.is_empty() {
                continue;
            }
            let i = builtin
                .iter()
                .position(|b| b.name() == p.name())
                .unwrap_or(0);
            // More clean rows wins; a tie goes to the profile listed first.
            if best.as_ref().is_none_or(|(_, n, _)| a.rows.len() > *n) {
                best = Some((i, a.rows.len(), a));
            }
        }
        let Some((i, _, a)) = best else {
            found
                .unmatched
                .push((f.rel.clone(), guess::closest(&builtin, bytes)));
            continue;
        };
        chosen.insert(i);
        if a.table == Table::Tasks {
            let (oi, ci) = (
                Table::Tasks.col_index("owner"),
                Table::Tasks.col_index("category"),
            );
            for r in &a.rows {
                let owner = oi.and_then(|i| r.values[i].as_str()).unwrap_or("");
                let cat = ci.and_then(|i| r.values[i].as_str()).unwrap_or("");
                if owner.is_empty() {
                    continue;
                }
                if cat == "clinical_question" {
                    found.clinical_owners.insert(owner.to_string());
                } else {
                    found.front_desk_owners.insert(owner.to_string());
                }
            }
        }
    }
    found.profiles = chosen
        .into_iter()
        .map(|i| builtin[i].name().to_string())
        .collect();
    Ok(found)
}
