//! FHIR R4 resources (bulk-data NDJSON): references, codings and resource types.
//!
//! A profile reads one resource type; a resource of another type in its file is
//! quarantined naming the type. References are followed by type
//! (`for` = `Patient/123` gives `[patient]` = `123`, the same id the Patient export
//! uses, so both hash to one patient_key). A CodeableConcept gives its first
//! coding's code, else its text. Derived fields, per type:
//!
//! - Task: `[patient]` (for), `[category]` (code, else reasonCode),
//!   `[status]` (status, or `status/businessStatus`), `[owner]` (owner reference's
//!   id, or identifier), `[due]` (restriction.period.end), `[appointment]` (focus, when
//!   it is an Appointment), `[closed_at]` (lastModified of a terminal status).
//! - Communication: `[task]` (the basedOn that is a Task), `[patient]` (subject),
//!   `[channel]` (medium), `[outcome]` (status, or `status/statusReason`),
//!   `[direction]` (inbound when the sender is the Patient), `[staff]` (a
//!   Practitioner sender).
//! - Appointment: `[patient]` and `[provider]` (participant actors),
//!   `[cancel_reason]` (cancelationReason), `[type]` (appointmentType),
//!   `[task]` (a basedOn that is a Task).
//! - Patient: `[phone]` (the first telecom with system `phone`, by rank),
//!   `[name]` (the official name, else the first: text, else given and family).

use super::{at, put, str_at};
use crate::ingest::read::{Fields, Record};
use serde_json::{Map, Value};

pub const READS: &[&str] = &[
    "resourceType",
    "status",
    "for",
    "code",
    "reasonCode",
    "businessStatus",
    "owner",
    "focus",
    "restriction",
    "basedOn",
    "subject",
    "medium",
    "statusReason",
    "sender",
    "participant",
    "cancelationReason",
    "appointmentType",
    "telecom",
    "name",
];

/// Derive the fields of one resource; `Err((value, reason))` for a resource of
/// another type.
pub fn derive(profile: &str, want: &str, rec: &mut Record) -> Result<(), (String, String)> {
    let Fields::Json(m) = &mut rec.fields else {
        return Ok(());
    };
    let got = str_at(m, "resourceType");
    if got != want {
        return Err((
            got.clone(),
            if got.is_empty() {
                format!("not a FHIR resource (no resourceType); profile `{profile}` reads {want}")
            } else {
                format!("resourceType `{got}` is not read by profile `{profile}` (it reads {want}); export {got} separately or leave it out")
            },
        ));
    }
    match want {
        "Task" => task(m),
        "Communication" => communication(m),
        "Appointment" => appointment(m),
        "Patient" => patient(m),
        _ => {}
    }
    Ok(())
}

fn task(m: &mut Map<String, Value>) {
    let patient = reference(at(m, "for"), "Patient");
    let category = codeable(at(m, "code")).or_else(|| codeable(at(m, "reasonCode")));
    let status = with_reason(str_at(m, "status"), codeable(at(m, "businessStatus")));
    let owner = reference_any(at(m, "owner"));
    let due = str_at(m, "restriction.period.end");
    let appointment = reference(at(m, "focus"), "Appointment");
    // A Task in a terminal status closed when it was last modified.
    let closed = match str_at(m, "status").as_str() {
        "completed" | "cancelled" | "rejected" | "failed" | "entered-in-error" => {
            str_at(m, "lastModified")
        }
        _ => String::new(),
    };
    put(m, "[closed_at]", closed);
    derive_opt(m, "[patient]", patient);
    derive_opt(m, "[category]", category);
    put(m, "[status]", status);
    derive_opt(m, "[owner]", owner);
    put(m, "[due]", due);
    derive_opt(m, "[appointment]", appointment);
}

fn communication(m: &mut Map<String, Value>) {
    let task = references(at(m, "basedOn"), "Task");
    let patient = reference(at(m, "subject"), "Patient");
    let channel = codeable(at(m, "medium"));
    let outcome = with_reason(str_at(m, "status"), codeable(at(m, "statusReason")));
    let sender = at(m, "sender");
    let direction = if reference(sender, "Patient").is_some() {
        "inbound"
    } else {
        "outbound"
    };
    let staff = reference(sender, "Practitioner").or_else(|| reference(sender, "PractitionerRole"));
    derive_opt(m, "[task]", task);
    derive_opt(m, "[patient]", patient);
    derive_opt(m, "[channel]", channel);
    put(m, "[outcome]", outcome);
    put(m, "[direction]", direction.into());
    derive_opt(m, "[staff]", staff);
}

fn appointment(m: &mut Map<String, Value>) {
    let actors = |ty: &str| {
        at(m, "participant")
            .and_then(Value::as_array)
            .and_then(|ps| ps.iter().find_map(|p| reference(p.get("actor"), ty)))
    };
    let patient = actors("Patient");
    let provider = actors("Practitioner");
    let cancel = codeable(at(m, "cancelationReason"));
    let kind = codeable(at(m, "appointmentType"));
    let task = references(at(m, "basedOn"), "Task");
    derive_opt(m, "[patient]", patient);
    derive_opt(m, "[provider]", provider);
    derive_opt(m, "[cancel_reason]", cancel);
    derive_opt(m, "[type]", kind);
    derive_opt(m, "[task]", task);
}

fn patient(m: &mut Map<String, Value>) {
    let mut phones: Vec<(i64, usize, String)> = at(m, "telecom")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let c = c.as_object()?;
                    (str_at(c, "system") == "phone" && !str_at(c, "value").is_empty()).then(|| {
                        let rank = c.get("rank").and_then(Value::as_i64).unwrap_or(i64::MAX);
                        (rank, i, str_at(c, "value"))
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    phones.sort();
    let names: Vec<&Map<String, Value>> = at(m, "name")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let name = names
        .iter()
        .find(|n| str_at(n, "use") == "official")
        .or_else(|| names.first())
        .map(|n| {
            let text = str_at(n, "text");
            if !text.is_empty() {
                return text;
            }
            let mut parts: Vec<String> = n
                .get("given")
                .and_then(Value::as_array)
                .map(|g| {
                    g.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            parts.push(str_at(n, "family"));
            parts.retain(|s| !s.is_empty());
            parts.join(" ")
        });
    derive_opt(m, "[phone]", phones.into_iter().next().map(|p| p.2));
    derive_opt(m, "[name]", name);
}

fn derive_opt(m: &mut Map<String, Value>, name: &str, v: Option<String>) {
    put(m, name, v.unwrap_or_default());
}

/// `status`, or `status/reason` when a reason refines it.
fn with_reason(status: String, reason: Option<String>) -> String {
    match reason {
        Some(r) if !status.is_empty() => format!("{status}/{r}"),
        _ => status,
    }
}

/// The id a Reference points to when it is of type `ty` (`Patient/123`, a full URL
/// `https://…/Patient/123`, or `Patient/123/_history/2`).
fn reference(v: Option<&Value>, ty: &str) -> Option<String> {
    let r = v?.get("reference")?.as_str()?;
    let parts: Vec<&str> = r.split('/').collect();
    let i = parts.iter().position(|p| *p == ty)?;
    parts
        .get(i + 1)
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
}

/// The first of a list of References that is of type `ty`.
fn references(v: Option<&Value>, ty: &str) -> Option<String> {
    match v? {
        Value::Array(a) => a.iter().find_map(|r| reference(Some(r), ty)),
        one => reference(Some(one), ty),
    }
}

/// A Reference as an id: the last segment of its reference (`Practitioner/amartin`
/// gives `amartin`), else its identifier's value.
fn reference_any(v: Option<&Value>) -> Option<String> {
    let o = v?.as_object()?;
    let r = str_at(o, "reference");
    let id = r
        .split("/_history/")
        .next()
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default()
        .to_string();
    [id, str_at(o, "identifier.value")]
        .into_iter()
        .find(|s| !s.is_empty())
}

/// A CodeableConcept (or the first of a list): first coding's code, else its text.
fn codeable(v: Option<&Value>) -> Option<String> {
    let o = match v? {
        Value::Array(a) => a.first()?.as_object()?,
        Value::Object(o) => o,
        _ => return None,
    };
    [str_at(o, "coding.0.code"), str_at(o, "text")]
        .into_iter()
        .find(|s| !s.is_empty())
}
