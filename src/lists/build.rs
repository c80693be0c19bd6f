//! From classified items to lists: one row per patient and lane, ordered by the
//! documented priority, routed to a lane, assigned to an owner working that day,
//! and measured against the owner's capacity.

use super::rules::{self, Day, Disposition, Item, Reason};
use super::state::{Contact, Snapshot};
use super::{Capacity, OwnerList, PracticeLists, Row};
use crate::config::{Lane, Practice};
use crate::model::clock::Calendar;
use crate::model::domain::Status;
use crate::model::rules::is_clinical;
use chrono::{Datelike, NaiveTime};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// Minutes per attempt for a category the staffing model has no time for.
pub const DEFAULT_HANDLE_MIN: f64 = 5.0;

/// The priority key: smaller is called first (docs/LISTS.md, "Order").
type Key = (rules::Tier, i64, Reverse<u32>, u32, i64, u8, String);

fn key(p: &Practice, item: &Item, window: Option<&str>, day: Day) -> Key {
    let tier = rules::tier(p, item, day);
    (
        tier,
        rules::within_tier(tier, item),
        Reverse(
            p.categories
                .get(&item.category)
                .map(|c| c.weight)
                .unwrap_or(0),
        ),
        item.attempts + 1,
        item.callback_at.unwrap_or(i64::MAX),
        rules::window_order(window),
        item.task_id
            .clone()
            .or_else(|| item.call_id.clone())
            .unwrap_or_default(),
    )
}

/// The lane an item is routed to: clinical questions and tasks waiting on a clinical
/// review go to a licensed lane only, whatever lane the export put them in.
fn route<'a>(p: &'a Practice, item: &Item) -> Option<&'a Lane> {
    if is_clinical(p, &item.category, Status::parse(&item.status)) {
        p.lanes.values().find(|l| l.licensed)
    } else {
        p.lane_for(&item.category)
    }
}

/// The person a row is about: the patient, or the number when it is not in contacts.
fn person(item: &Item) -> String {
    match (&item.patient_key, &item.phone_key, &item.call_id) {
        (Some(k), _, _) => format!("patient:{k}"),
        (None, Some(ph), _) => format!("phone:{ph}"),
        (None, None, Some(c)) => format!("call:{c}"),
        _ => format!("task:{}", item.task_id.as_deref().unwrap_or("")),
    }
}

fn hhmm(p: &Practice, t: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t)
        .expect("instant")
        .with_timezone(&p.tz)
        .format("%H:%M")
        .to_string()
}

/// The window to call: a requested time, else the patient's preferred part of the
/// day inside business hours, else business hours.
fn window(p: &Practice, day: Day, callback: Option<i64>, preferred: Option<&str>) -> String {
    let spans = p.hours.day(day.date.weekday());
    let open = spans.iter().map(|s| s.start).min();
    let close = spans.iter().map(|s| s.end).max();
    let (Some(open), Some(close)) = (open, close) else {
        return String::new();
    };
    if let Some(cb) = callback.filter(|&cb| cb >= day.start && cb <= day.end) {
        // A callback date without a time (a worked list's) is at local midnight.
        if hhmm(p, cb) == "00:00" {
            return format!(
                "{}–{} (callback requested for today)",
                open.format("%H:%M"),
                close.format("%H:%M")
            );
        }
        return format!("from {} (requested)", hhmm(p, cb));
    }
    if callback.is_some_and(|cb| cb < day.start) {
        return format!(
            "{}–{} (requested callback missed)",
            open.format("%H:%M"),
            close.format("%H:%M")
        );
    }
    let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("noon");
    let (a, b, label) = match preferred {
        Some("morning") => (open, noon.min(close), " (prefers mornings)"),
        Some("afternoon") => (noon.max(open), close, " (prefers afternoons)"),
        Some("evening") => (
            (close - chrono::Duration::hours(1)).max(open),
            close,
            " (prefers evenings)",
        ),
        _ => (open, close, ""),
    };
    format!("{}–{}{label}", a.format("%H:%M"), b.format("%H:%M"))
}

/// Minutes an owner is rostered on the list date.
fn rostered(p: &Practice, owner: &str, day: Day) -> f64 {
    p.roster
        .get(owner)
        .map(|w| {
            w.day(day.date.weekday())
                .iter()
                .map(|s| s.minutes())
                .sum::<i64>() as f64
        })
        .unwrap_or(0.0)
}

/// What one practice's lists are built from.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    p: &'a Practice,
    snap: &'a Snapshot,
    day: Day,
}

impl Ctx<'_> {
    /// One row for a group of items of one patient in `lane`, keyed by its
    /// most urgent item (the patient's preferred window applied).
    fn make_row(&self, group: &[Item], lane: &str) -> (Key, Row) {
        let (p, snap, day) = (self.p, self.snap, self.day);
        let pref = (group[0].patient_key.as_ref())
            .and_then(|k| snap.contacts.get(k))
            .and_then(|c| c.preferred_window.clone());
        let mut keyed: Vec<(Key, &Item)> = group
            .iter()
            .map(|i| (key(p, i, pref.as_deref(), day), i))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let (k, primary) = (keyed[0].0.clone(), keyed[0].1);
        let r = row(
            p,
            snap,
            day,
            lane,
            primary,
            keyed.iter().map(|(_, i)| *i).collect(),
            pref.as_deref(),
        );
        (k, r)
    }

    /// An owner's rostered minutes on the list date, and the inbound minutes
    /// they usually answer then (never more than rostered).
    fn available(&self, o: &str) -> (f64, f64) {
        let r = rostered(self.p, o, self.day);
        let inbound = (self.snap.measured.inbound_min.get(o).copied())
            .unwrap_or(0.0)
            .min(r);
        (r, inbound)
    }

    /// Minutes per call of a row: the measured time per attempt of its first
    /// category, else the default.
    fn handle_of(&self, r: &Row) -> f64 {
        (r.categories.first())
            .and_then(|c| self.snap.measured.handle_min.get(c))
            .map(|h| h.0)
            .unwrap_or(DEFAULT_HANDLE_MIN)
    }

    /// A side list (contact fixes, close suggestions): one row per item, in
    /// priority order, each with `note` as its reason.
    fn side(&self, items: Vec<Item>, note: &str) -> Vec<Row> {
        let mut rows: Vec<(Key, Row)> = items
            .iter()
            .map(|i| {
                let lane = route(self.p, i).map(|l| l.name.clone()).unwrap_or_default();
                let (k, mut r) = self.make_row(std::slice::from_ref(i), &lane);
                r.reasons = vec![note.to_string()];
                (k, r)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.into_iter()
            .enumerate()
            .map(|(n, (_, mut r))| {
                r.rank = n as u32 + 1;
                r
            })
            .collect()
    }
}

/// The practice's items sorted by what becomes of them.
#[derive(Default)]
struct Sorted {
    excluded: BTreeMap<String, usize>,
    fix: Vec<Item>,
    close: Vec<Item>,
    /// Overdue past the practice's `stale_after_days`: the manager's.
    stale: Vec<Item>,
    /// (lane, person) -> items due
    due: BTreeMap<(String, String), Vec<Item>>,
    unrouted: Vec<Item>,
}

fn sort_items(p: &Practice, cal: &Calendar, day: Day, items: Vec<Item>) -> Sorted {
    let mut s = Sorted::default();
    for item in items {
        match &item.disposition {
            Disposition::Excluded(why) => *s.excluded.entry(why.to_string()).or_default() += 1,
            Disposition::FixContact => s.fix.push(item),
            Disposition::Close => s.close.push(item),
            Disposition::Due(_) if rules::stale(p, cal, &item, day) => s.stale.push(item),
            Disposition::Due(_) => match route(p, &item) {
                Some(lane) => s
                    .due
                    .entry((lane.name.clone(), person(&item)))
                    .or_default()
                    .push(item),
                None => s.unrouted.push(item),
            },
        }
    }
    s
}

/// An empty list for every owner of every lane rostered on the list date.
fn owner_lists(ctx: Ctx) -> BTreeMap<(String, String), OwnerList> {
    let mut lists = BTreeMap::new();
    for lane in ctx.p.lanes.values() {
        for o in lane
            .owners
            .iter()
            .filter(|o| rostered(ctx.p, o, ctx.day) > 0.0)
        {
            let (r, inbound) = ctx.available(o);
            lists.insert(
                (lane.name.clone(), o.clone()),
                OwnerList {
                    lane: lane.name.clone(),
                    owner: o.clone(),
                    capacity: Capacity {
                        rostered_min: r,
                        inbound_min: inbound,
                        available_min: r - inbound,
                        planned_min: 0.0,
                        work_min: 0.0,
                        fits: 0,
                        overflow: 0,
                    },
                    rows: Vec::new(),
                },
            );
        }
    }
    lists
}

/// Deal the rows, in priority order, to their lane's rostered owners: the
/// owner the row names if they have room, else the one with the most room.
/// A row no owner of its lane can take goes to `unassigned`. Returns each
/// owner's planned minutes.
fn assign(
    ctx: Ctx,
    rows: Vec<(Key, Row)>,
    lists: &mut BTreeMap<(String, String), OwnerList>,
    unassigned: &mut Vec<Row>,
) -> BTreeMap<String, f64> {
    let mut planned: BTreeMap<String, f64> = BTreeMap::new();
    // An owner whose list has overflowed: every later row of theirs overflows
    // too, so the capacity line falls after the most valuable work, never
    // through it (a short call does not jump a longer, more valuable one).
    let mut full: std::collections::BTreeSet<String> = Default::default();
    for (_, mut r) in rows {
        let handle = ctx.handle_of(&r);
        r.work_min = handle;
        let lane = &ctx.p.lanes[&r.lane];
        let cands: Vec<&String> = lane
            .owners
            .iter()
            .filter(|o| lists.contains_key(&(lane.name.clone(), (*o).clone())))
            .collect();
        if cands.is_empty() {
            unassigned.push(r);
            continue;
        }
        let room = |o: &str| {
            let (r, inbound) = ctx.available(o);
            r - inbound - planned.get(o).copied().unwrap_or(0.0)
        };
        let preferred = r
            .owner_hint
            .as_ref()
            .filter(|h| cands.contains(h) && room(h) >= handle)
            .cloned();
        let most_room = cands
            .iter()
            .max_by(|a, b| {
                room(a)
                    .partial_cmp(&room(b))
                    .expect("finite")
                    .then(b.cmp(a))
            })
            .map(|o| (*o).clone())
            .expect("an owner");
        let owner = preferred.unwrap_or(most_room);
        r.fits = !full.contains(&owner) && room(&owner) >= handle;
        if !r.fits {
            full.insert(owner.clone());
        }
        *planned.entry(owner.clone()).or_default() += handle;
        let l = lists.get_mut(&(lane.name.clone(), owner)).expect("list");
        l.capacity.work_min += handle;
        if r.fits {
            l.capacity.fits += 1;
        } else {
            l.capacity.overflow += 1;
        }
        r.rank = l.rows.len() as u32 + 1;
        l.rows.push(r);
    }
    planned
}

/// Build the lists of one practice.
pub fn practice(
    p: &Practice,
    cal: &Calendar,
    snap: &Snapshot,
    day: Day,
    data_day: chrono::NaiveDate,
) -> PracticeLists {
    let ctx = Ctx { p, snap, day };
    let mut items: Vec<Item> = snap
        .tasks
        .iter()
        .map(|t| rules::task(p, cal, snap, t, day))
        .collect();
    items.extend(snap.owed.iter().map(|o| rules::owed(p, cal, snap, o, day)));
    let sorted = sort_items(p, cal, day, items);

    // Every due row of every lane in one priority order, so an owner who works two
    // lanes spends one day's budget on the most urgent calls of both.
    let mut rows: Vec<(Key, Row)> = (sorted.due.iter())
        .map(|((lane, _), g)| ctx.make_row(g, lane))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.lane.cmp(&b.1.lane)));
    let mut unassigned: Vec<Row> = (sorted.unrouted.iter())
        .map(|i| ctx.make_row(std::slice::from_ref(i), "").1)
        .collect();
    // Work for patients who prefer sms, email, portal or a letter is sent, not
    // called: its own list per lane, taking no calling time.
    let (calls, sent): (Vec<(Key, Row)>, Vec<(Key, Row)>) =
        rows.into_iter().partition(|(_, r)| r.channel == "phone");
    let mut messages: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for (_, mut r) in sent {
        let m = messages.entry(r.lane.clone()).or_default();
        r.rank = m.len() as u32 + 1;
        m.push(r);
    }
    let rows = calls;
    let mut lists = owner_lists(ctx);
    let planned = assign(ctx, rows, &mut lists, &mut unassigned);
    let owners: Vec<OwnerList> = lists
        .into_values()
        .map(|mut l| {
            l.capacity.planned_min = planned.get(&l.owner).copied().unwrap_or(0.0);
            l
        })
        .collect();
    for (i, r) in unassigned.iter_mut().enumerate() {
        r.rank = i as u32 + 1;
    }
    PracticeLists {
        practice_id: p.id.clone(),
        practice_name: p.name.clone(),
        data_day,
        list_date: day.date,
        owners,
        // Nobody calls the patient from this list: no script or voicemail.
        fix_contact: ctx
            .side(sorted.fix, "wrong number: correct the contact details")
            .into_iter()
            .map(|mut r| {
                r.script.clear();
                r.voicemail.clear();
                r.goal = "correct the contact details".into();
                r
            })
            .collect(),
        close_suggestions: ctx.side(
            sorted.close,
            "maximum attempts made: close as unable to reach",
        ),
        stale: ctx.side(sorted.stale, "stale: call, message or close"),
        unassigned,
        messages: messages.into_iter().collect(),
        excluded: sorted.excluded,
        handle_sources: snap
            .measured
            .handle_min
            .iter()
            .map(|(c, h)| (c.clone(), h.0, h.1))
            .collect(),
    }
}

fn row(
    p: &Practice,
    snap: &Snapshot,
    day: Day,
    lane: &str,
    primary: &Item,
    all: Vec<&Item>,
    pref: Option<&str>,
) -> Row {
    let contact = primary
        .patient_key
        .as_ref()
        .and_then(|k| snap.contacts.get(k));
    let cat = p.categories.get(&primary.category);
    let max = cat.map(|c| c.max_attempts).unwrap_or(0);
    // The attempt this one is, never above the maximum (a close suggestion
    // reads "3 of 3": the maximum has been made).
    let next = (primary.attempts + 1).min(max.max(1));
    let preferred_channel = contact
        .and_then(|c| c.preferred_channel.as_deref())
        .filter(|c| *c != "phone");
    let channel = match (preferred_channel, cat) {
        (Some(pref), _) => pref.to_string(),
        (None, Some(c)) if next >= c.max_attempts => c.final_channel.clone(),
        _ => "phone".into(),
    };
    let asked = all
        .iter()
        .map(|i| i.created_at)
        .min()
        .unwrap_or(primary.created_at);
    let mut categories: Vec<String> = all.iter().map(|i| i.category.clone()).collect();
    categories.dedup();
    let reasons = all
        .iter()
        .map(|i| match &i.disposition {
            Disposition::Due(r) => format!("{}: {}", i.category, r.text()),
            _ => i.category.clone(),
        })
        .collect();
    let voicemail = cat.map(|c| p.voicemail(c)).unwrap_or_default();
    let callback = all.iter().filter_map(|i| i.callback_at).min();
    let script = cat.map(|c| c.script.clone()).unwrap_or_default();
    Row {
        rank: 0,
        urgent: rules::tier(p, primary, day) == rules::Tier::Urgent,
        lane: lane.to_string(),
        display_name: contact
            .and_then(|c| c.display_name.clone())
            .unwrap_or_else(|| "(not in contacts)".into()),
        phone: phone(p, snap, contact, primary, &all),
        asked_at: chrono::DateTime::from_timestamp_micros(asked)
            .expect("instant")
            .with_timezone(&p.tz)
            .format("%a %m-%d %H:%M")
            .to_string(),
        categories,
        goal: crate::model::rules::call_goal(&primary.category, Status::parse(&primary.status))
            .to_string(),
        reasons,
        attempt: next,
        max_attempts: max,
        channel,
        window: window(p, day, callback, pref),
        last_outcome: primary.last_outcome.clone().unwrap_or_default(),
        last_note: primary.last_note.clone().unwrap_or_default(),
        task_ids: all.iter().filter_map(|i| i.task_id.clone()).collect(),
        call_ids: all.iter().filter_map(|i| i.call_id.clone()).collect(),
        // A message's template key: the script's key and the channel.
        script: match preferred_channel {
            Some(ch) if !script.is_empty() => format!("{script}/{ch}"),
            _ => script,
        },
        voicemail,
        owner_hint: primary
            .owner
            .clone()
            .or_else(|| all.iter().find_map(|i| i.owner.clone())),
        fits: true,
        work_min: 0.0,
        at_risk: matches!(
            primary.disposition,
            Disposition::Due(Reason::Callback { .. })
        ) || rules::risk_tier(primary, day) <= 1,
    }
}

/// The number to call: the contact's, else the one the call log saw for the
/// row's number (the callers table), else why there is none: a call from a
/// withheld caller id, or no number on file.
pub(super) fn phone(
    p: &Practice,
    snap: &Snapshot,
    contact: Option<&Contact>,
    primary: &Item,
    all: &[&Item],
) -> String {
    let seen = || {
        std::iter::once(primary)
            .chain(all.iter().copied())
            .find_map(|i| snap.callers.get(i.phone_key.as_deref()?))
    };
    match (
        contact.and_then(|c| c.phone.as_ref()).or_else(seen),
        &primary.call_id,
    ) {
        (Some(e164), _) => display_phone(p, e164),
        (None, Some(id)) if primary.task_id.is_none() && primary.phone_key.is_none() => {
            format!("(caller id withheld, call {id})")
        }
        _ => "(no number on file)".into(),
    }
}

/// A phone number as people read it: national format in the practice's region.
fn display_phone(p: &Practice, e164: &str) -> String {
    display_phone_in(p.phone_region, e164)
}

fn display_phone_in(region: phonenumber::country::Id, e164: &str) -> String {
    if let Some(s) = north_american(region, e164) {
        return s;
    }
    match phonenumber::parse(Some(region), e164) {
        Ok(n) if n.code().value() as u32 == region_code(region) => {
            n.format().mode(phonenumber::Mode::National).to_string()
        }
        Ok(n) => n
            .format()
            .mode(phonenumber::Mode::International)
            .to_string(),
        Err(_) => e164.to_string(),
    }
}

/// A North American number (area code and exchange each starting 2–9) of a
/// practice in the United States or Canada, in national format, written out
/// directly: the phone metadata takes 0.1 s to load, and a nightly with
/// nothing new to ingest needs it for nothing else. The test
/// `north_american_numbers_read_as_the_phone_metadata_writes_them` holds the
/// two to the same text; any other number goes to the metadata.
fn north_american(region: phonenumber::country::Id, e164: &str) -> Option<String> {
    let d = e164.strip_prefix("+1")?;
    crate::ingest::parse::plain_north_american(region, d.as_bytes())
        .then(|| format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]))
}

fn region_code(region: phonenumber::country::Id) -> u32 {
    phonenumber::metadata::DATABASE
        .by_id(region.as_ref())
        .map(|m| m.country_code() as u32)
        .unwrap_or(0)
}

/// The next business day after `d` and its bounds.
pub fn list_day(p: &Practice, cal: &Calendar, d: chrono::NaiveDate) -> Option<Day> {
    let date = *cal
        .business_days(
            d + chrono::Duration::days(1),
            d + chrono::Duration::days(60),
        )
        .first()?;
    let start = crate::model::day::start(p.tz, date)?;
    Some(Day {
        date,
        start,
        end: super::state::end_of_day(p, date),
    })
}

#[cfg(test)]
mod phone_tests {
    use super::{display_phone_in, north_american};
    use phonenumber::country::Id;

    /// The metadata's text for a number, whatever the shortcut would say.
    fn by_metadata(region: Id, e164: &str) -> String {
        let n = phonenumber::parse(Some(region), e164).unwrap();
        n.format().mode(phonenumber::Mode::National).to_string()
    }

    #[test]
    fn north_american_numbers_read_as_the_phone_metadata_writes_them() {
        assert_eq!(
            north_american(Id::US, "+12015550123").as_deref(),
            Some("(201) 555-0123")
        );
        // Area codes and exchanges over the whole range, toll-free and
        // Caribbean ones among them, in both countries.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut checked = 0;
        for i in 0..3000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let area = 200 + (x % 800);
            let exchange = 200 + ((x >> 16) % 800);
            let line = (x >> 32) % 10_000;
            let e164 = format!("+1{area}{exchange}{line:04}");
            let region = if i % 2 == 0 { Id::US } else { Id::CA };
            let short = north_american(region, &e164).expect("a plain NANP number");
            assert_eq!(short, by_metadata(region, &e164), "{region:?} {e164}");
            checked += 1;
        }
        assert_eq!(checked, 3000);
    }

    #[test]
    fn other_numbers_and_regions_go_to_the_metadata() {
        // An exchange starting 0 or 1, a short number, another country's number.
        for e164 in ["+12010550123", "+1201555012", "+442079460958"] {
            assert_eq!(north_american(Id::US, e164), None, "{e164}");
        }
        assert_eq!(north_american(Id::GB, "+12015550123"), None);
        assert_eq!(display_phone_in(Id::GB, "+442079460958"), "020 7946 0958");
        assert_eq!(
            display_phone_in(Id::US, "+442079460958"),
            "+44 20 7946 0958"
        );
    }
}
