//! A worked call list's layout, shared by the lists that write it
//! (`lists::worked`) and the ingest that reads it back (`read_xlsx`), and by the
//! daily review's adherence: docs/LISTS.md, "Worked lists come back".

/// The columns a caller fills in, after the list's own.
pub const OUTCOME: &str = "today's outcome";
pub const TIME: &str = "time called";
pub const CALLBACK_DATE: &str = "callback date";
pub const CALLBACK_TIME: &str = "callback time";
pub const NOTE: &str = "today's note";
pub const COLUMNS: [&str; 5] = [OUTCOME, TIME, CALLBACK_DATE, CALLBACK_TIME, NOTE];

/// The hidden sheet naming the workbook's practice, list date and owners.
pub const ABOUT: &str = "followup";
/// Its first cell: what the workbook is, and the layout's version.
pub const MARK: &str = "followup call lists";
pub const VERSION: &str = "1";

/// One worked sheet: its name and whose list it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub owner: String,
    pub lane: String,
}

/// The identity of a workbook, as its hidden sheet gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct About {
    pub practice_id: String,
    pub list_date: chrono::NaiveDate,
    pub sheets: Vec<Sheet>,
    /// The task a row's attempt is recorded on, by (sheet, rank): the row's
    /// first task id (its most urgent item that is a task); empty for a row of
    /// missed calls only.
    pub tasks: std::collections::BTreeMap<(String, u32), String>,
}

/// The attempt id of a worked row: the list's date, owner and the row's rank
/// (unique on an owner's list), so a workbook ingested again gives the same ids.
pub fn attempt_id(list_date: chrono::NaiveDate, owner: &str, rank: u32) -> String {
    format!("list:{list_date}:{owner}:{rank}")
}

/// The list date, owner and rank of a worked row's attempt id.
pub fn parse_attempt_id(id: &str) -> Option<(chrono::NaiveDate, &str, u32)> {
    let rest = id.strip_prefix("list:")?;
    let (date, rest) = rest.split_once(':')?;
    let (owner, rank) = rest.rsplit_once(':')?;
    Some((date.parse().ok()?, owner, rank.parse().ok()?))
}

/// The file of an owner's list: `<lane>--<owner>.csv`.
pub fn owner_file(lane: &str, owner: &str) -> String {
    format!("{lane}--{owner}.csv")
}

/// The lane and owner of an owner's list file (none for the manager's lists and
/// the messages).
pub fn parse_owner_file(name: &str) -> Option<(String, String)> {
    let (lane, owner) = name.strip_suffix(".csv")?.split_once("--")?;
    (lane != "manager" && owner != "messages").then(|| (lane.to_string(), owner.to_string()))
}
