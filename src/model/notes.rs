//! Documentation quality of an attempt's note (see docs/METRICS.md, "documentation").

/// How well a note documents an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteQuality {
    /// No note, or words that say nothing ("called pt", "lm").
    Poor,
    /// Says what happened or what comes next, not both.
    Partial,
    /// Records the outcome and the next step.
    Complete,
}

/// Notes that record an action but neither its outcome nor a next step.
const CONTENTLESS: &[&str] = &[
    "called",
    "call",
    "called pt",
    "called patient",
    "pt called",
    "cld pt",
    "attempted",
    "attempt",
    "lm",
    "vm",
    "lvm",
    "na",
    "n/a",
    "left msg",
    "left message",
    "tried",
    "phoned",
    "done",
    "ok",
    "see above",
    ".",
];

const OUTCOME_WORDS: &[&str] = &[
    "reached",
    "spoke",
    "talked",
    "lm",
    "left msg",
    "left message",
    "left vm",
    "voicemail",
    "vm",
    "no answer",
    "n/a",
    "na,",
    "busy",
    "scheduled",
    "sched",
    "booked",
    "declined",
    "refused",
    "wrong #",
    "wrong number",
    "disconnected",
    "not in service",
    "callback",
    "cb ",
    "confirmed",
    "no show",
    "insurance",
    "auth",
    "clinical",
    "rn",
    "nurse",
];

const NEXT_STEP_WORDS: &[&str] = &[
    "will",
    "retry",
    "call back",
    "callback",
    "cb",
    "follow",
    "f/u",
    "fu ",
    "send",
    "sent",
    "mail",
    "tomorrow",
    "next",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "w/ dr",
    "with dr",
    "appt",
    "scheduled",
    "routed",
    "forward",
    "escalat",
    "close",
    "await",
    "pending",
];

/// Classify a note. Matching is on lower-cased words, so it is deterministic and cheap.
pub fn classify(note: Option<&str>) -> NoteQuality {
    let Some(note) = note else {
        return NoteQuality::Poor;
    };
    let n = note.trim().to_lowercase();
    let bare: String = n
        .trim_end_matches(|c: char| c == '.' || c == '!' || c.is_whitespace())
        .to_string();
    if bare.chars().filter(|c| c.is_alphanumeric()).count() < 3
        || CONTENTLESS.contains(&bare.as_str())
    {
        return NoteQuality::Poor;
    }
    let padded = format!(" {n} ");
    let outcome = OUTCOME_WORDS.iter().any(|w| padded.contains(w));
    let has_date = n
        .split(|c: char| !c.is_ascii_digit() && c != '/')
        .any(|t| t.contains('/') && t.len() >= 3);
    let next = has_date || NEXT_STEP_WORDS.iter().any(|w| padded.contains(w));
    if outcome && next {
        NoteQuality::Complete
    } else {
        NoteQuality::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_from_metrics_md() {
        assert_eq!(classify(None), NoteQuality::Poor);
        assert_eq!(classify(Some("")), NoteQuality::Poor);
        assert_eq!(classify(Some("called pt")), NoteQuality::Poor);
        assert_eq!(classify(Some("Called pt.")), NoteQuality::Poor);
        assert_eq!(classify(Some("LM")), NoteQuality::Poor);
        assert_eq!(
            classify(Some("LM w/ callback #, retry Thu")),
            NoteQuality::Complete
        );
        assert_eq!(
            classify(Some("Reached pt, scheduled 9/21 w/ Dr. Patel")),
            NoteQuality::Complete
        );
        assert_eq!(classify(Some("No answer")), NoteQuality::Partial);
        assert_eq!(classify(Some("Will try again later")), NoteQuality::Partial);
    }
}
