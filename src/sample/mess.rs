//! A little of the mess real exports have: one file sent twice, and a handful
//! of broken rows the ingest must quarantine rather than choke on. Drawn from
//! its own random stream, so turning mess on changes only these rows.

use rand::Rng;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Calls,
    Tasks,
    Activity,
}

/// What to break in one row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Break {
    /// Tasks: a Created timestamp that cannot exist.
    ImpossibleCreated,
    /// Tasks: no Task ID at all.
    EmptyTaskId,
    /// Activity: a Result no profile maps.
    UnmappedResult,
    /// Activity: a note saved by a Latin-1 client (one raw 0xE9 byte).
    Latin1Note,
    /// Calls: a From that is too short to be a phone number (on an inbound
    /// call, where From is the caller's number the ingest reads).
    ShortFrom,
}

#[derive(Default, Debug)]
pub(super) struct Plan {
    rows: Vec<(Kind, u32, usize, Break)>,
    pub(super) duplicate_tasks: Option<u32>,
    pub(super) truncated_activity: Option<u32>,
}

/// Row counts per period of the three CSV kinds.
pub(super) struct Counts<'a> {
    pub(super) calls: &'a [usize],
    pub(super) tasks: &'a [usize],
    pub(super) activity: &'a [usize],
}

fn pick_period(rng: &mut impl Rng, counts: &[usize], min_rows: usize) -> Option<u32> {
    pick_period_except(rng, counts, min_rows, None)
}

/// A period with enough rows, other than `except` unless it is the only one.
fn pick_period_except(
    rng: &mut impl Rng,
    counts: &[usize],
    min_rows: usize,
    except: Option<u32>,
) -> Option<u32> {
    let ok: Vec<u32> = (0..counts.len() as u32)
        .filter(|&p| counts[p as usize] >= min_rows)
        .collect();
    let others: Vec<u32> = ok.iter().copied().filter(|&p| Some(p) != except).collect();
    let ok = if others.is_empty() { ok } else { others };
    (!ok.is_empty()).then(|| ok[rng.gen_range(0..ok.len())])
}

impl Plan {
    pub(super) fn new(rng: &mut impl Rng, counts: &Counts) -> Plan {
        let mut plan = Plan {
            duplicate_tasks: pick_period(rng, counts.tasks, 1),
            truncated_activity: pick_period(rng, counts.activity, 2),
            ..Plan::default()
        };
        let wanted = [
            (Kind::Tasks, Break::ImpossibleCreated),
            (Kind::Activity, Break::UnmappedResult),
            (Kind::Calls, Break::ShortFrom),
            (Kind::Tasks, Break::EmptyTaskId),
            (Kind::Activity, Break::Latin1Note),
        ];
        for (kind, brk) in wanted {
            let per_period = match kind {
                Kind::Calls => counts.calls,
                Kind::Tasks => counts.tasks,
                Kind::Activity => counts.activity,
            };
            // A broken row in the file that is sent twice would be broken twice.
            let except = match kind {
                Kind::Tasks => plan.duplicate_tasks,
                _ => None,
            };
            let Some(period) = pick_period_except(rng, per_period, 3, except) else {
                continue;
            };
            // Keep clear of the truncated last line, and of rows already broken.
            let n = per_period[period as usize] - 1;
            for _ in 0..8 {
                let row = rng.gen_range(0..n);
                if !plan
                    .rows
                    .iter()
                    .any(|&(k, p, r, _)| (k, p, r) == (kind, period, row))
                {
                    plan.rows.push((kind, period, row, brk));
                    break;
                }
            }
        }
        plan
    }

    pub(super) fn at(&self, kind: Kind, period: u32, row: usize) -> Option<Break> {
        self.rows
            .iter()
            .find(|&&(k, p, r, _)| (k, p, r) == (kind, period, row))
            .map(|r| r.3)
    }

    /// The breaks planned for one period of one kind, by row.
    pub(super) fn planned(&self, kind: Kind, period: u32) -> Vec<(usize, Break)> {
        self.rows
            .iter()
            .filter(|&&(k, p, _, _)| (k, p) == (kind, period))
            .map(|&(_, _, r, b)| (r, b))
            .collect()
    }

    pub(super) fn malformed_rows(&self) -> u64 {
        self.rows.len() as u64 + u64::from(self.truncated_activity.is_some())
    }

    pub(super) fn duplicated_files(&self) -> u64 {
        u64::from(self.duplicate_tasks.is_some())
    }
}

/// Apply a row break to the fields about to be written.
pub(super) fn apply(brk: Break, fields: &mut [Vec<u8>]) {
    let (i, value): (usize, &[u8]) = match brk {
        Break::ImpossibleCreated => (6, b"2026-13-45 25:00"),
        Break::EmptyTaskId => (0, b""),
        Break::UnmappedResult => (6, b"Pending??"),
        Break::Latin1Note => (8, b"Spoke w/ Ren\xe9e (daughter), will call back"),
        Break::ShortFrom => (9, b"12"),
    };
    fields[i].clear();
    fields[i].extend_from_slice(value);
}

/// Cut the file's last row mid-way, the way an interrupted export ends: a few
/// fields, part of the next, and no line end.
pub(super) fn truncate_last_row(bytes: &mut Vec<u8>) {
    let body_end = bytes.len().saturating_sub(1);
    let Some(start) = bytes[..body_end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| i + 1)
    else {
        return;
    };
    let line = &bytes[start..body_end];
    let commas: Vec<usize> = line
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b',')
        .map(|(i, _)| i)
        .collect();
    let cut = match commas.get(3) {
        // The first four fields (ids, practice, time) never need quoting.
        Some(&c) => (c + 6).min(line.len().saturating_sub(1)),
        None => line.len() / 2,
    };
    bytes.truncate(start + cut);
}
