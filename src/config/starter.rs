//! The commented starter `followup.toml` that `followup init` writes.
//!
//! The text lives in starter.toml beside this file, with `@name@` placeholders
//! (the voicemail wording's own `{practice}` placeholders stay as they are).
//! A test loads the rendered text through `Config::from_str`, so the starter is
//! always a valid config.

const TEMPLATE: &str = include_str!("starter.toml");

/// The practice's name when `init` is not told it.
pub const DEFAULT_NAME: &str = "My Practice";
/// The time zone when `init` is not told it.
pub const DEFAULT_TIMEZONE: &str = "America/New_York";
/// The key file written beside the config.
pub const KEY_FILE: &str = "followup.key";

/// What varies between starters.
#[derive(Debug, Clone)]
pub struct Starter {
    /// The exports folder, relative to the config's folder (or absolute).
    pub exports: String,
    /// Whether the exports folder was given (and checked) or is the default.
    pub exports_given: bool,
    pub timezone: String,
    /// Active source profiles, in order; empty when no exports were checked.
    pub profiles: Vec<String>,
    /// Practice ids (from the exports, else one default), with the display name.
    pub practices: Vec<String>,
    pub name: String,
    /// Owners of the front-desk and clinical lanes (from the task exports, else a placeholder).
    pub front_desk_owners: Vec<String>,
    pub clinical_owners: Vec<String>,
}

/// A TOML string literal.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
    )
}

/// A TOML key: bare when it can be, quoted otherwise.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

/// The config text.
pub fn render(s: &Starter) -> String {
    let sources = if s.profiles.is_empty() {
        "# EDIT: no exports were checked; list the profiles that read yours, e.g.\n\
         # profiles = [\"ringcentral-call-log-csv\", \"fhir-task\"]; then `followup check`.\n\
         profiles = []\n"
            .to_string()
    } else {
        format!(
            "# Matched by `followup init` against the exports folder.\nprofiles = {}\n",
            list(&s.profiles)
        )
    };
    let exports_note = if s.exports_given {
        "  # the inbox: where the exports land"
    } else {
        "  # EDIT: the inbox, where the exports land"
    };
    let mut practices = String::new();
    for (i, id) in s.practices.iter().enumerate() {
        if i > 0 {
            practices.push('\n');
        }
        let name = if s.practices.len() == 1 {
            s.name.clone()
        } else {
            format!("{} {id}", s.name)
        };
        practices.push_str(&format!(
            "[[practices]]\nid = {}\nname = {}          # EDIT: as the reports and call lists show it\n\
             # callback_number = \"(555) 010-0100\"   # EDIT: fills {{callback_number}} in the voicemail wording\n",
            quote(id),
            quote(&name)
        ));
    }
    let placeholder = vec!["staff".to_string()];
    let or_placeholder = |v: &'_ [String]| -> Vec<String> {
        if v.is_empty() {
            placeholder.clone()
        } else {
            v.to_vec()
        }
    };
    let (front, clinical) = (
        or_placeholder(&s.front_desk_owners),
        or_placeholder(&s.clinical_owners),
    );
    let everyone: std::collections::BTreeSet<&String> = front.iter().chain(&clinical).collect();
    let mut roster = String::new();
    for o in everyone {
        roster.push_str(&format!("[defaults.roster.{}]\n", key(o)));
        for d in ["mon", "tue", "wed", "thu", "fri"] {
            roster.push_str(&format!("{d} = [\"08:00-12:00\", \"13:00-17:00\"]\n"));
        }
        roster.push('\n');
    }
    let owners_from = if s.front_desk_owners.is_empty() && s.clinical_owners.is_empty() {
        "\"staff\" is a placeholder"
    } else {
        "these were found in the task exports"
    };
    TEMPLATE
        .replace("@exports@", &s.exports.replace('\\', "/"))
        .replace("@exports_note@", exports_note)
        .replace("@key_file@", KEY_FILE)
        .replace("@sources@", &sources)
        .replace("@timezone@", &s.timezone)
        .replace("@front_desk_owners@", &list(&front))
        .replace("@clinical_owners@", &list(&clinical))
        .replace("@owners_from@", owners_from)
        .replace("@roster@", &roster)
        .replace("@practices@", &practices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn starter() -> Starter {
        Starter {
            exports: "exports".into(),
            exports_given: true,
            timezone: DEFAULT_TIMEZONE.into(),
            profiles: vec!["sample-calls".into(), "sample-tasks".into()],
            practices: vec!["p001".into()],
            name: DEFAULT_NAME.into(),
            front_desk_owners: vec!["amartin".into()],
            clinical_owners: vec![],
        }
    }

    #[test]
    fn the_starter_is_a_valid_config_with_the_common_targets() {
        let text = render(&starter());
        assert!(!text.contains('@'), "a placeholder is left:\n{text}");
        let c = Config::from_str(&text, Path::new("followup.toml")).unwrap();
        let p = &c.practices[0];
        assert_eq!(p.categories.len(), 10);
        let target = |c: &str| p.categories[c].target.to_string();
        let parsed = |t: &str| crate::config::Target::parse(t).unwrap().to_string();
        // The common targets: new patients 30 min, missed calls 60 min,
        // referrals the same day, insurance by the next morning.
        assert_eq!(target("new_patient_request"), parsed("30m"));
        assert_eq!(target("missed_call"), parsed("60m"));
        assert_eq!(target("referral"), parsed("same_day"));
        assert_eq!(target("insurance_documents"), parsed("next_day 12:00"));
        assert_eq!(p.lanes.len(), 2);
        // Every owner has a roster, so tomorrow's lists have someone to go to.
        assert_eq!(
            p.roster.keys().collect::<Vec<_>>(),
            vec!["amartin", "staff"]
        );
        assert!(p.lanes["clinical"].licensed);
        assert_eq!(c.sources.profiles, vec!["sample-calls", "sample-tasks"]);
        assert_eq!(
            c.privacy.key_file.as_deref(),
            Some(Path::new("./followup.key"))
        );
        assert!(text.contains("voicemail = \"Hello, this is {practice} returning your call."));
    }

    #[test]
    fn several_practices_and_no_exports() {
        let mut s = starter();
        s.practices = vec!["a".into(), "b".into()];
        s.profiles.clear();
        s.exports_given = false;
        s.front_desk_owners = vec!["a.b@example".into()];
        let text = render(&s);
        // No profile is a configuration error until the user lists theirs.
        let e = Config::from_str(&text, Path::new("followup.toml"));
        assert!(e.is_ok(), "{e:?}");
        assert!(text.contains("id = \"a\"") && text.contains("id = \"b\""));
    }
}
