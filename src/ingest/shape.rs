//! What a message may say about a value it cannot show.
//!
//! Messages (the terminal, `check`, the nightly manifest, quarantine reasons that
//! reach a report) never carry a value from a column that can hold PHI. A vendor
//! code (`Left Message`, `CB Set`) is what a person needs to fix a value map, so
//! it is shown when it looks like one; anything else — and any value from a row
//! whose fields shifted — is described by its shape (`10 digits`,
//! `text of 23 characters`), with a short keyed hash where one is at hand so
//! equal values can still be told apart.

/// Header names are echoed at most this many characters.
pub const MAX_NAME: usize = 80;

/// A value's shape: its kind and length, never its content.
pub fn shape(s: &str) -> String {
    let n = s.chars().count();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let phoneish = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if n == 0 {
        "empty".into()
    } else if s.chars().all(phoneish) && digits > 0 {
        format!("{digits} digit{}", if digits == 1 { "" } else { "s" })
    } else if s.contains('@') {
        format!("e-mail-like text of {n} characters")
    } else if s
        .chars()
        .all(|c| c.is_ascii_digit() || "-/:.T ZAPMapm+".contains(c))
        && digits >= 4
    {
        format!("date- or time-like text of {n} characters")
    } else {
        format!("text of {n} character{}", if n == 1 { "" } else { "s" })
    }
}

/// Whether a value reads as a vendor code that is safe to show (short, few
/// digits, no e-mail, not a "Surname, Given" name).
pub fn is_code(s: &str) -> bool {
    let n = s.chars().count();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    n > 0
        && n <= 40
        && digits <= 3
        && !s.contains('@')
        && !s.chars().any(|c| c.is_control())
        && !looks_like_name(s)
}

/// `Jensen, Ruby`: a capitalised word, a comma, a capitalised word.
fn looks_like_name(s: &str) -> bool {
    let Some((a, b)) = s.split_once(", ") else {
        return false;
    };
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next().is_some_and(char::is_uppercase)
            && c.all(|c| c.is_alphabetic() || "-' ".contains(c))
    };
    cap(a.trim()) && cap(b.trim())
}

/// A vendor code as written when it looks like one, otherwise its shape.
pub fn code_or_shape(s: &str) -> String {
    if is_code(s) {
        format!("{s:?}")
    } else {
        format!("a value ({})", shape(s))
    }
}

/// A header name for a message: at most [`MAX_NAME`] characters, and described by
/// its shape when it reads as data rather than a name (a phone number, a date, an
/// e-mail address: a data row taken for the header).
pub fn header_name(s: &str) -> String {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if digits >= 5 || s.contains('@') || s.chars().any(|c| c.is_control()) || looks_like_name(s) {
        return format!("<{}>", shape(s));
    }
    if s.chars().count() > MAX_NAME {
        let cut: String = s.chars().take(MAX_NAME).collect();
        return format!("{cut}…");
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_never_show_the_value() {
        assert_eq!(shape("978-280-2241"), "10 digits");
        assert_eq!(shape("+1 (978) 280-2241"), "11 digits");
        assert_eq!(shape("Jensen, Ruby"), "text of 12 characters");
        assert_eq!(
            shape("ruby@example.org"),
            "e-mail-like text of 16 characters"
        );
        assert_eq!(
            shape("2026-11-16 08:01"),
            "date- or time-like text of 16 characters"
        );
        assert_eq!(shape(""), "empty");
    }

    #[test]
    fn codes_are_shown_and_data_is_not() {
        assert_eq!(code_or_shape("CB Set"), "\"CB Set\"");
        assert_eq!(
            code_or_shape("inbound completed, no child leg"),
            "\"inbound completed, no child leg\""
        );
        assert_eq!(code_or_shape("978-280-2241"), "a value (10 digits)");
        assert_eq!(
            code_or_shape("Jensen, Ruby"),
            "a value (text of 12 characters)"
        );
        assert_eq!(
            code_or_shape("MRN0773312"),
            "a value (text of 10 characters)"
        );
        assert_eq!(header_name("Patient Phone"), "Patient Phone");
        assert_eq!(header_name("978-280-2241"), "<10 digits>");
        assert_eq!(header_name("Jensen, Ruby"), "<text of 12 characters>");
        assert_eq!(header_name(&"x".repeat(100)).chars().count(), MAX_NAME + 1);
    }
}
