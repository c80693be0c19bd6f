//! Turning a merged practice table into a validated [`Practice`].

use super::{invalid, Category, Lane, Practice, RawPractice, Target, WeekHours, CHANNELS};
use crate::error::ConfigError;
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(super) fn practice(rp: RawPractice, path: &Path, key: &str) -> Result<Practice, ConfigError> {
    let err = |k: &str, m: String| invalid(path, &format!("{key}.{k}"), &m);

    if rp.id.is_empty()
        || !rp
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(err(
            "id",
            "a practice id is a short code of letters, digits, '-' or '_' (it names lake folders), e.g. \"p001\"".into(),
        ));
    }
    let tz: Tz = rp.timezone.parse().map_err(|_| {
        err(
            "timezone",
            format!(
                "unknown time zone `{}`; use an IANA name such as \"America/New_York\" or \"America/Chicago\"",
                rp.timezone
            ),
        )
    })?;
    let phone_region: phonenumber::country::Id = rp.phone_region.parse().map_err(|_| {
        err(
            "phone_region",
            format!(
                "unknown region `{}`; use a two-letter ISO country code such as \"US\" or \"CA\"",
                rp.phone_region
            ),
        )
    })?;
    let hours = WeekHours::parse(&rp.hours).map_err(|(day, m)| err(&format!("hours.{day}"), m))?;
    if hours.weekly_minutes() == 0 {
        return Err(err(
            "hours",
            "the practice has no business hours; add spans such as mon = [\"08:00-17:00\"]".into(),
        ));
    }

    if !(rp.target_share > 0.0 && rp.target_share <= 1.0) {
        return Err(err(
            "target_share",
            "the goal share is a fraction between 0 and 1, e.g. 0.9 for 90% within target".into(),
        ));
    }
    let maturity = rp
        .maturity
        .over(super::Maturity::default())
        .map_err(|(k, m)| err(&format!("maturity.{k}"), m))?;
    let mut categories = BTreeMap::new();
    for (name, rc) in rp.categories {
        let k = format!("categories.{name}");
        if !is_snake(&name) {
            return Err(err(
                &k,
                "category names are lower snake_case, e.g. new_patient_request".into(),
            ));
        }
        let label = match rc.label {
            None => super::default_label(&name),
            Some(l) if l.trim().is_empty() || l.contains(['\n', '\r']) => {
                return Err(err(
                    &format!("{k}.label"),
                    "a label is one line of text, e.g. label = \"New patient request\"; remove the key to use the name in words".into(),
                ));
            }
            Some(l) => l.trim().to_string(),
        };
        let target = Target::parse(&rc.target).map_err(|m| err(&format!("{k}.target"), m))?;
        if let Target::NextDayBy(t) = target {
            let earliest = hours.0.iter().flatten().map(|s| s.start).min();
            // At the opening itself the target is met by a call at opening time; before
            // it the next day adds nothing over `same_day`.
            if earliest.is_some_and(|e| t < e) {
                return Err(err(
                    &format!("{k}.target"),
                    format!(
                        "never met on the next day: {} is before the earliest opening ({}); use same_day, or a time at or after the opening",
                        t.format("%H:%M"),
                        earliest.map(|e| e.format("%H:%M").to_string()).unwrap_or_default()
                    ),
                ));
            }
        }
        if rc.max_attempts == 0 {
            return Err(err(
                &format!("{k}.max_attempts"),
                "at least one attempt is needed; set max_attempts = 1 or more".into(),
            ));
        }
        if !CHANNELS.contains(&rc.final_channel.as_str()) {
            return Err(err(
                &format!("{k}.final_channel"),
                format!(
                    "unknown channel `{}`; use one of {}",
                    rc.final_channel,
                    CHANNELS.join(", ")
                ),
            ));
        }
        for (field, value) in [("script", &rc.script), ("voicemail", &rc.voicemail)] {
            if value.trim().is_empty() {
                return Err(err(
                    &format!("{k}.{field}"),
                    format!("the approved {field} is required; callers use it verbatim"),
                ));
            }
        }
        if rc.voicemail.len() > 400 {
            return Err(err(
                &format!("{k}.voicemail"),
                "keep the approved voicemail to the minimum necessary (400 characters at most, no clinical detail)".into(),
            ));
        }
        let cat_maturity = rc
            .maturity
            .over(maturity)
            .map_err(|(m_k, m)| err(&format!("{k}.maturity.{m_k}"), m))?;
        categories.insert(
            name.clone(),
            Category {
                name,
                label,
                target,
                max_attempts: rc.max_attempts,
                min_gap_days: rc.min_gap_days,
                final_channel: rc.final_channel,
                script: rc.script,
                voicemail: rc.voicemail,
                weight: rc.weight,
                licensed: rc.licensed,
                maturity: cat_maturity,
            },
        );
    }
    if categories.is_empty() {
        return Err(err(
            "categories",
            "no request category is configured; add e.g. [defaults.categories.missed_call]".into(),
        ));
    }

    let mut roster = BTreeMap::new();
    for (owner, table) in &rp.roster {
        let w =
            WeekHours::parse(table).map_err(|(day, m)| err(&format!("roster.{owner}.{day}"), m))?;
        roster.insert(owner.clone(), w);
    }

    let mut lanes = BTreeMap::new();
    let mut worked_by: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, rl) in &rp.lanes {
        let k = format!("lanes.{name}");
        if rl.owners.is_empty() {
            return Err(err(
                &format!("{k}.owners"),
                "a lane needs at least one owner".into(),
            ));
        }
        for c in &rl.categories {
            let Some(cat) = categories.get(c) else {
                return Err(err(
                    &format!("{k}.categories"),
                    format!("unknown category `{c}`; define it under categories or remove it"),
                ));
            };
            if cat.licensed && !rl.licensed {
                return Err(err(
                    &format!("{k}.categories"),
                    format!("`{c}` needs licensed staff but lane `{name}` is not licensed; move it to a lane with licensed = true"),
                ));
            }
            if let Some(other) = worked_by.insert(c, name) {
                return Err(err(
                    &format!("{k}.categories"),
                    format!("`{c}` is already worked by lane `{other}`; each category belongs to exactly one lane"),
                ));
            }
        }
        for o in &rl.owners {
            if !roster.is_empty() && !roster.contains_key(o) {
                return Err(err(
                    &format!("{k}.owners"),
                    format!("owner `{o}` has no roster entry; add [roster.{o}] with the hours they work"),
                ));
            }
        }
        if let Some(e) = &rl.escalation {
            escalation_text(e).map_err(|m| err(&format!("{k}.escalation"), m))?;
        }
        lanes.insert(
            name.clone(),
            Lane {
                name: name.clone(),
                categories: rl.categories.clone(),
                owners: rl.owners.clone(),
                licensed: rl.licensed,
                escalation: rl.escalation.as_ref().map(|e| e.trim().to_string()),
            },
        );
    }
    if let Some(c) = categories
        .keys()
        .find(|c| !worked_by.contains_key(c.as_str()))
    {
        return Err(err(
            &format!("categories.{c}"),
            format!("category `{c}` is worked by no lane; add it to one lane's categories"),
        ));
    }
    for (owner, w) in &roster {
        if !w.within(&hours) {
            return Err(err(
                &format!("roster.{owner}"),
                "roster hours fall outside the practice's business hours; trim them to the opening spans".into(),
            ));
        }
    }

    let staffing = staffing(&rp.staffing).map_err(|(k, m)| err(&format!("staffing.{k}"), m))?;
    Ok(Practice {
        id: rp.id,
        name: rp.name,
        tz,
        phone_region,
        hours,
        holidays: rp.holidays.iter().copied().collect::<BTreeSet<_>>(),
        explicit_holidays: rp.holidays,
        us_federal_holidays: rp.us_federal_holidays,
        recovery_window_days: rp.recovery_window_days,
        target_share: rp.target_share,
        callback_number: rp.callback_number,
        stale_after_days: rp.stale_after_days,
        categories,
        lanes,
        roster,
        staffing,
    })
}

/// Parse a duration such as `"6m"`, `"90s"` or `"1h"` into seconds.
pub fn duration_s(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1.0),
        Some('m') => (&s[..s.len() - 1], 60.0),
        Some('h') => (&s[..s.len() - 1], 3600.0),
        _ => {
            return Err(format!(
                "`{s}` is not a duration; write e.g. \"90s\", \"6m\" or \"1h\""
            ))
        }
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v * mult),
        _ => Err(format!(
            "`{s}` is not a duration; write e.g. \"90s\", \"6m\" or \"1h\""
        )),
    }
}

fn staffing(r: &super::RawStaffing) -> Result<super::Staffing, (String, String)> {
    let mut s = super::Staffing::default();
    let dur = |k: &str, v: &Option<String>, into: &mut f64| -> Result<(), (String, String)> {
        if let Some(v) = v {
            *into = duration_s(v).map_err(|m| (k.to_string(), m))?;
        }
        Ok(())
    };
    dur("handle_time", &r.handle_time, &mut s.handle_time_s)?;
    dur(
        "after_call_work",
        &r.after_call_work,
        &mut s.after_call_work_s,
    )?;
    dur("answer_within", &r.answer_within, &mut s.answer_within_s)?;
    if s.handle_time_s <= 0.0 {
        return Err((
            "handle_time".into(),
            "must be longer than 0s, e.g. \"6m\"".into(),
        ));
    }
    if let Some(v) = r.max_va_hours {
        s.max_va_hours = v;
    }
    if let Some(v) = &r.shift_hours {
        if v.is_empty() || v.iter().any(|h| !(1..=12).contains(h)) {
            return Err((
                "shift_hours".into(),
                "list shift lengths in whole hours from 1 to 12, e.g. [4, 8]".into(),
            ));
        }
        let mut v = v.clone();
        v.sort_unstable();
        v.dedup();
        s.shift_hours = v;
    }
    if let Some(v) = r.max_assistants_per_hour {
        if v == 0 {
            return Err((
                "max_assistants_per_hour".into(),
                "must be at least 1".into(),
            ));
        }
        s.max_assistants_per_hour = v;
    }
    let frac = |k: &str, v: Option<f64>, lo: f64, hi: f64, into: &mut f64| {
        if let Some(v) = v {
            if !(lo..=hi).contains(&v) {
                return Err((k.to_string(), format!("must be between {lo} and {hi}")));
            }
            *into = v;
        }
        Ok(())
    };
    frac(
        "service_level",
        r.service_level,
        0.01,
        0.999,
        &mut s.service_level,
    )?;
    frac("shrinkage", r.shrinkage, 0.0, 0.95, &mut s.shrinkage)?;
    frac(
        "max_occupancy",
        r.max_occupancy,
        0.05,
        1.0,
        &mut s.max_occupancy,
    )?;
    if let Some(v) = r.va_hourly_rate {
        if !(v.is_finite() && v > 0.0) {
            return Err((
                "va_hourly_rate".into(),
                "the vendor's price of a paid assistant hour, a number above 0 (e.g. 15.5); leave the key out to show no cost".into(),
            ));
        }
        s.va_hourly_rate = Some(v);
    }
    if let Some(e) = &r.escalation {
        escalation_text(e).map_err(|m| ("escalation".to_string(), m))?;
        s.escalation = Some(e.trim().to_string());
    }
    Ok(s)
}

/// An escalation contact goes to a vendor in the scope of work: a role and a
/// number or extension, not a paragraph.
fn escalation_text(e: &str) -> Result<(), String> {
    let n = e.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(
            "name a role and how to reach them, e.g. \"Office manager, ext. 201\" (1 to 200 characters)".into(),
        );
    }
    Ok(())
}

pub(super) fn unique_practice_ids(practices: &[Practice], path: &Path) -> Result<(), ConfigError> {
    let mut seen = BTreeSet::new();
    for (i, p) in practices.iter().enumerate() {
        if !seen.insert(p.id.as_str()) {
            return Err(invalid(
                path,
                &format!("practices[{i}].id"),
                &format!("practice id `{}` is used twice; ids must be unique", p.id),
            ));
        }
    }
    Ok(())
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
