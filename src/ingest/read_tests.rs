use super::*;
use crate::ingest::profile::{parse_def, Profile};
use std::path::Path;

fn profile(format: &str, delimiter: &str) -> Profile {
    let text = format!(
        r#"
        name = "t"
        table = "calls"
        pattern = "*"
        format = "{format}"
        delimiter = "{delimiter}"
        timestamp_formats = ["rfc3339"]
        practice_id = "p001"
        [columns]
        call_id = "id"
        direction = "dir"
        started_at = "start"
        outcome = "result"
        "#
    );
    Profile::compile(parse_def(&text, Path::new("t")).unwrap(), Path::new("t")).unwrap()
}

#[test]
fn csv_with_bom_semicolons_and_quotes() {
    let bytes = b"\xEF\xBB\xBFid;dir;note\r\n1;in;\"a;b\"\r\n2;out;\"multi\nline\"\r\n3;in;x\r\n";
    let p = parse(bytes, &profile("csv", ";")).unwrap();
    assert_eq!(p.header, vec!["id", "dir", "note"]);
    assert_eq!(p.records.len(), 3);
    assert!(p.bad.is_empty());
    assert_eq!(p.records[0].line, 2);
    assert_eq!(
        p.records[2].line, 5,
        "the quoted newline moves line numbers on"
    );
    match &p.records[0].fields {
        Fields::Csv(f) => assert_eq!(f[2], "a;b"),
        _ => panic!(),
    }
}

#[test]
fn truncated_and_non_utf8_rows_are_rejected_alone() {
    let bytes = b"id,dir,note\n1,in,ok\n2,in,caf\xE9\n3,in,fine\n4,in";
    let p = parse(bytes, &profile("csv", ",")).unwrap();
    assert_eq!(p.records.len(), 2);
    assert_eq!(p.bad.len(), 2);
    assert_eq!(p.bad[0].line, 3);
    assert_eq!(p.bad[0].column.as_deref(), Some("note"));
    assert!(p.bad[0].reason.contains("UTF-8"));
    assert_eq!(p.bad[1].line, 5);
    assert!(p.bad[1].reason.contains("truncated"), "{}", p.bad[1].reason);
}

#[test]
fn whole_file_problems() {
    assert!(matches!(
        parse(b"", &profile("csv", ",")),
        Err(FileError::Empty)
    ));
    assert!(matches!(
        parse(b"\xFF\xFEi\0d\0", &profile("csv", ",")),
        Err(FileError::Utf16)
    ));
    assert!(matches!(
        parse(b"{\"a\":1}", &profile("json", ",")),
        Err(FileError::NotArray)
    ));
}

#[test]
fn json_array_survives_a_broken_element_and_truncation() {
    let bytes = b"[\n {\"id\": \"1\"},\n {\"id\": 2, oops},\n {\"id\": \"3\", \"o\": {\"r\": \"x\"}},\n {\"id\": \"4\"";
    let p = parse(bytes, &profile("json", ",")).unwrap();
    let ids: Vec<String> = p
        .records
        .iter()
        .map(|r| r.fields.get(&[], "id").unwrap().into_owned())
        .collect();
    assert_eq!(ids, vec!["1", "3"]);
    assert_eq!(p.records[1].fields.get(&[], "o.r").as_deref(), Some("x"));
    assert_eq!(p.bad.len(), 2);
    assert_eq!(p.bad[0].line, 3);
    assert_eq!(p.bad[1].line, 5);
}

#[test]
fn ndjson_lines() {
    let bytes = b"{\"id\":\"1\"}\n\n{\"id\":\nnot json\n[1]\n";
    let p = parse(bytes, &profile("ndjson", ",")).unwrap();
    assert_eq!(p.records.len(), 1);
    assert_eq!(
        p.bad.iter().map(|b| b.line).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
}

#[test]
fn records_under_a_key_keep_their_lines() {
    let mut p = profile("json", ",");
    p.def.records_key = Some("records".into());
    let bytes = b"{\n  \"uri\": \"x\",\n  \"paging\": {\"records\": [1]},\n  \"records\": [\n    {\"id\": 1},\n    {\"id\": 2}\n  ],\n  \"navigation\": {}\n}\n";
    let parsed = parse(bytes, &p).unwrap();
    let lines: Vec<u64> = parsed.records.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![5, 6]);
    p.def.records_key = Some("calls".into());
    assert!(matches!(parse(bytes, &p), Err(FileError::NoRecordsKey(_))));
}

#[test]
fn ndjson_reads_objects_written_back_to_back() {
    let bytes = b"{\"id\":1}{\"id\":2} {\"id\":3}\n{\"id\":4}\n{\"id\":5}{broken\n";
    let p = parse(bytes, &profile("ndjson", ",")).unwrap();
    let ids: Vec<(u64, String)> = p.records.iter().map(|r| (r.line, r.raw.clone())).collect();
    assert_eq!(
        ids,
        vec![
            (1, "{\"id\":1}".to_string()),
            (1, "{\"id\":2}".to_string()),
            (1, "{\"id\":3}".to_string()),
            (2, "{\"id\":4}".to_string()),
        ]
    );
    // A line that breaks part-way is one bad record, as before.
    assert_eq!(p.bad.len(), 1);
    assert_eq!(p.bad[0].line, 3);
}
