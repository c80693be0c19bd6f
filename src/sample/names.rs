//! Synthetic identities and the free text staff type: small fixed lists, so no
//! real person's data can ever appear in a sample export.

use super::model::{Channel, Outcome};
use rand::Rng;

pub(super) const FIRST: &[&str] = &[
    "Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Olivia", "Mateo", "Sofia", "Ethan", "Aria",
    "Elijah", "Chloe", "James", "Layla", "Benjamin", "Zoe", "Henry", "Nora", "Samuel", "Grace",
    "Daniel", "Hazel", "Owen", "Ruby", "Isaac", "Alice", "Caleb", "Iris", "Leo", "Maya", "Julian",
    "Clara", "Adrian", "Vera", "Miles", "Lena", "Felix", "June", "Omar", "Priya", "Kenji", "Amara",
    "Tomas", "Ingrid", "Rafael", "Yara", "Dmitri", "Leila", "Hugo", "Nadia", "Arjun", "Elena",
    "Kofi", "Sana", "Mateus", "Greta", "Ravi", "Alma", "Theo",
];

pub(super) const LAST: &[&str] = &[
    "Abbott",
    "Baker",
    "Castillo",
    "Dawson",
    "Ellison",
    "Fischer",
    "Garcia",
    "Hartley",
    "Ibarra",
    "Jensen",
    "Kowalski",
    "Lindgren",
    "Moreau",
    "Nakamura",
    "Oduya",
    "Pereira",
    "Quinlan",
    "Rossi",
    "Sandoval",
    "Tanaka",
    "Underwood",
    "Varga",
    "Whitaker",
    "Xu",
    "Yilmaz",
    "Zeller",
    "Albright",
    "Brennan",
    "Carver",
    "Delgado",
    "Eastman",
    "Fontaine",
    "Gallagher",
    "Holm",
    "Iversen",
    "Juarez",
    "Keane",
    "Lowry",
    "Mendez",
    "Novak",
    "Osei",
    "Park",
    "Ramsey",
    "Soto",
    "Thorne",
    "Upton",
    "Vance",
    "Walsh",
    "Young",
    "Zamora",
    "Bishop",
    "Costa",
    "Duarte",
    "Ferris",
    "Grady",
    "Hale",
    "Imai",
    "Joshi",
    "Kerr",
    "Lund",
];

pub(super) const PROVIDERS: &[&str] = &[
    "Dr. Patel",
    "Dr. Reyes",
    "Dr. Kim",
    "Dr. Lindqvist",
    "Dr. Haddad",
    "Dr. Moreno",
    "Dr. Adeyemi",
    "Dr. Walsh",
];

pub(super) const CANCEL_REASONS: &[&str] = &[
    "Patient request",
    "Schedule conflict",
    "Feeling better",
    "Transportation",
    "Provider unavailable",
    "Insurance issue",
    "Weather",
];

/// Area codes of a made-up metro; the exchange is always 2xx so the numbers
/// are plainly synthetic.
pub(super) const AREA_CODES: &[u64] = &[617, 508, 781, 978, 413, 339, 857, 774];

pub(super) fn phone(rng: &mut impl Rng, area: u64) -> u64 {
    area * 10_000_000 + rng.gen_range(200..300) * 10_000 + rng.gen_range(0..10_000)
}

/// Phone systems and patient records disagree on formatting; the ingest has to
/// normalise all of these.
pub(super) fn push_phone(n: u64, style: u8, out: &mut Vec<u8>) {
    let (a, e, l) = (n / 10_000_000, n / 10_000 % 1000, n % 10_000);
    let s = match style % 3 {
        0 => format!("({a:03}) {e:03}-{l:04}"),
        1 => format!("+1 {a:03}-{e:03}-{l:04}"),
        _ => format!("{a:03}{e:03}{l:04}"),
    };
    out.extend_from_slice(s.as_bytes());
}

/// The task report always shows `617-555-0142`.
pub(super) fn push_task_phone(n: u64, out: &mut Vec<u8>) {
    let s = format!(
        "{:03}-{:03}-{:04}",
        n / 10_000_000,
        n / 10_000 % 1000,
        n % 10_000
    );
    out.extend_from_slice(s.as_bytes());
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// What a note can mention about the next step.
pub(super) struct NoteContext {
    pub(super) next_weekday: usize,
    pub(super) appt: Option<(u32, u32, &'static str)>,
    pub(super) callback: Option<(usize, u32)>,
    /// The attempt the rules allow last.
    pub(super) last_attempt: bool,
    /// Which attempt this is (1 for the first), for "3rd attempt" notes.
    pub(super) attempt: u8,
}

fn hour12(h: u32) -> String {
    let (hh, ap) = match h {
        0 => (12, "am"),
        1..=11 => (h, "am"),
        12 => (12, "pm"),
        _ => (h - 12, "pm"),
    };
    format!("{hh}{ap}")
}

fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A message that went out by text, email, portal or post.
fn sent_note(rng: &mut impl Rng, channel: Channel, ctx: &NoteContext) -> String {
    let (last, plain): ([&str; 3], [&str; 3]) = match channel {
        Channel::Email => (
            [
                "Final attempt by email",
                "{nth} attempt - emailed pt",
                "Final attempt, sent email w/ office #",
            ],
            [
                "Emailed pt w/ scheduling link",
                "Emailed pt to call office",
                "Sent email per pt preference",
            ],
        ),
        Channel::Portal => (
            [
                "Final attempt via portal",
                "{nth} attempt - portal msg sent",
                "Final attempt, portal msg w/ office #",
            ],
            [
                "Sent portal msg w/ scheduling link",
                "Portal msg asking pt to call office",
                "Sent msg per pt preference",
            ],
        ),
        Channel::Letter => (
            [
                "Final attempt - letter mailed",
                "{nth} attempt - letter sent to address on file",
                "Final attempt, mailed letter w/ office #",
            ],
            [
                "Mailed letter asking pt to call office",
                "Letter sent to address on file",
                "Mailed letter w/ office # and hours",
            ],
        ),
        _ => (
            [
                "Final attempt by text",
                "{nth} attempt - texted pt",
                "Final attempt, sent text w/ office #",
            ],
            [
                "Sent text w/ scheduling link",
                "Texted pt to call office",
                "Sent msg per pt preference",
            ],
        ),
    };
    let list = if ctx.last_attempt { &last } else { &plain };
    pick(rng, list).replace("{nth}", &ordinal(ctx.attempt.max(1)))
}

fn pick<'a>(rng: &mut impl Rng, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

/// A useful note for an outreach outcome. Callers decide separately whether this
/// person documents properly (about one note in five is just "called pt").
pub(super) fn note(
    rng: &mut impl Rng,
    outcome: Outcome,
    channel: Channel,
    ctx: &NoteContext,
) -> String {
    let by_phone = channel == Channel::Phone;
    let day = WEEKDAYS[ctx.next_weekday % 7];
    match outcome {
        Outcome::LeftMessage if by_phone => match rng.gen_range(0..4) {
            0 => format!("LM w/ callback #, retry {day}"),
            1 => format!("LM on VM, will try again {day}"),
            2 => "Left msg w/ office # and hours".to_string(),
            _ => format!("LVM, 2nd attempt {day} AM"),
        },
        Outcome::NoAnswer => match rng.gen_range(0..3) {
            0 => "NA, no VM set up".to_string(),
            1 => format!("No answer, try {day} afternoon"),
            _ => "rang out, no VM".to_string(),
        },
        Outcome::Busy => "busy signal, retry later".to_string(),
        Outcome::Sent | Outcome::LeftMessage => sent_note(rng, channel, ctx),
        Outcome::Reached if !by_phone => pick(
            rng,
            &[
                "Answered pt's msg, no appt needed",
                "Replied to pt, all set",
                "pt confirmed, nothing further",
            ],
        )
        .to_string(),
        Outcome::Reached => pick(
            rng,
            &[
                "Reached pt, question answered, no appt needed",
                "Spoke w/ pt, all set",
                "Reached pt, info given",
            ],
        )
        .to_string(),
        Outcome::Scheduled => match (ctx.appt, by_phone) {
            (Some((m, d, prov)), true) => format!("Reached pt, scheduled {m}/{d} w/ {prov}"),
            (Some((m, d, prov)), false) => format!("Scheduled {m}/{d} w/ {prov} per pt reply"),
            (None, _) => "Reached pt, scheduled".to_string(),
        },
        Outcome::CallbackSet => match ctx.callback {
            Some((wd, h)) => format!("Pt asked for call back {} {}", WEEKDAYS[wd % 7], hour12(h)),
            None => "Pt busy, asked for call back".to_string(),
        },
        Outcome::WrongNumber => pick(
            rng,
            &[
                "Wrong number - person doesn't know pt",
                "Wrong #, number disconnected",
                "wrong number",
            ],
        )
        .to_string(),
        Outcome::Declined => pick(
            rng,
            &[
                "Pt declined, will call when ready",
                "Pt not interested at this time",
                "Declined - going elsewhere",
            ],
        )
        .to_string(),
        Outcome::ClinicalReview => pick(
            rng,
            &[
                "Pt has question about meds, routed to nurse",
                "Clinical question, sent to RN",
                "Pt reports new symptoms, routed to clinical",
            ],
        )
        .to_string(),
        Outcome::InsuranceReview => pick(
            rng,
            &[
                "Needs prior auth, sent to insurance review",
                "Insurance not on file, waiting on card",
                "Auth required before booking",
            ],
        )
        .to_string(),
        Outcome::None => String::new(),
    }
}

pub(super) fn poor_note(rng: &mut impl Rng) -> String {
    pick(rng, &["called pt", "", "called pt", "", "f/u"]).to_string()
}
