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
    assert!(
        p.bad[1].reason.contains("file ends mid-row"),
        "{}",
        p.bad[1].reason
    );
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

fn lines_of(p: &Parsed) -> (Vec<u64>, Vec<u64>) {
    (
        p.records.iter().map(|r| r.line).collect(),
        p.bad.iter().map(|b| b.line).collect(),
    )
}

#[test]
fn a_last_row_without_its_line_end_is_cut() {
    // Cut inside the last field: the right number of fields, a clipped value.
    let p = parse(b"id,dir,note\n1,in,ok\n2,in,clipp", &profile("csv", ",")).unwrap();
    assert_eq!(lines_of(&p), (vec![2], vec![3]));
    assert!(
        p.bad[0].reason.contains("file ends mid-row"),
        "{}",
        p.bad[0].reason
    );
    assert!(p.bad[0].reason.contains("cut short"), "{}", p.bad[0].reason);
    // A closed quote ends the record for certain: nothing is missing.
    let p = parse(b"id,dir,note\n1,in,\"whole\"", &profile("csv", ",")).unwrap();
    assert_eq!(lines_of(&p), (vec![2], vec![]));
    // A cut inside a quoted last field is still a cut.
    let p = parse(b"id,dir,note\n1,in,\"a \"\"b\"\"", &profile("csv", ",")).unwrap();
    assert_eq!(lines_of(&p), (vec![], vec![2]));
}

#[test]
fn an_unclosed_quote_counts_every_row_it_swallows() {
    // Row 3 opens a quote it never closes: rows 4 and 5 vanish into its note,
    // until row 6's own quote closes it.
    let bytes =
        b"id,dir,note\n1,in,ok\n2,in,\"left open\n3,in,x\n4,in,y\n5,in,\"quoted\"\n6,in,z\n";
    let p = parse(bytes, &profile("csv", ",")).unwrap();
    let (good, bad) = lines_of(&p);
    assert_eq!(good, vec![2, 7]);
    assert_eq!(
        bad,
        vec![3, 4, 5, 6],
        "the opening row and each row it swallowed"
    );
    assert!(
        p.bad[0].reason.contains("not closed before line 6"),
        "{}",
        p.bad[0].reason
    );
    assert!(
        p.bad[0].reason.contains("swallowed 3 row(s)"),
        "{}",
        p.bad[0].reason
    );
    assert_eq!(p.bad[0].column.as_deref(), Some("note"));
    assert_eq!(p.bad[1].raw, "3,in,x");
    assert!(p.bad[1].reason.contains("quote left open on line 3"));
    // Open to the end of the file.
    let p = parse(
        b"id,dir,note\n1,in,\"open\n2,in,x\n3,in,y\n",
        &profile("csv", ","),
    )
    .unwrap();
    assert_eq!(lines_of(&p), (vec![], vec![2, 3, 4]));
    // A note on several lines is no runaway quote.
    let p = parse(
        b"id,dir,note\n1,in,\"line one\nline two\"\n2,in,x\n",
        &profile("csv", ","),
    )
    .unwrap();
    assert_eq!(lines_of(&p), (vec![2, 4], vec![]));
    // ... unless it runs across more lines than the profile allows.
    let mut pr = profile("csv", ",");
    pr.def.max_field_lines = Some(2);
    let p = parse(b"id,dir,note\n1,in,\"a\nb\nc\"\n2,in,x\n", &pr).unwrap();
    assert_eq!(lines_of(&p), (vec![5], vec![2]));
    assert!(
        p.bad[0].reason.contains("max_field_lines"),
        "{}",
        p.bad[0].reason
    );
}

#[test]
fn cr_only_line_ends_keep_true_line_numbers() {
    let bytes = b"id,dir,note\r1,in,ok\r2,in\r3,in,\"two\rlines\"\r4,in,x\r";
    let p = parse(bytes, &profile("csv", ",")).unwrap();
    assert_eq!(lines_of(&p), (vec![2, 4, 6], vec![3]));
    let p = parse(
        b"{\"id\":\"1\"}\r{\"id\":\r{\"id\":\"3\"}\r",
        &profile("ndjson", ","),
    )
    .unwrap();
    assert_eq!(lines_of(&p), (vec![1, 3], vec![2]));
    let p = parse(
        b"[\r{\"id\":\"1\"},\r{\"id\":\"2\"}\r]",
        &profile("json", ","),
    )
    .unwrap();
    assert_eq!(lines_of(&p), (vec![2, 3], vec![]));
}

#[test]
fn a_byte_order_mark_inside_the_file_never_reaches_a_value() {
    // Two exports concatenated: the second starts with a BOM and its own header.
    let bytes = b"\xEF\xBB\xBFid,dir,note\n1,in,ok\n\xEF\xBB\xBFid,dir,note\n2,in,x\n\xEF\xBB\xBF\"3\",in,y\n";
    let p = parse(bytes, &profile("csv", ",")).unwrap();
    let ids: Vec<String> = p
        .records
        .iter()
        .map(|r| r.fields.get(&p.header, "id").unwrap().into_owned())
        .collect();
    assert_eq!(ids, vec!["1", "2", "3"]);
    assert!(p.bad.is_empty());
    assert_eq!(p.warnings.len(), 1);
    assert!(
        p.warnings[0].contains("repeated at line(s) 3"),
        "{}",
        p.warnings[0]
    );
    let p = parse(
        b"{\"id\":\"1\"}\n\xEF\xBB\xBF{\"id\":\"2\"}\n",
        &profile("ndjson", ","),
    )
    .unwrap();
    assert_eq!(lines_of(&p), (vec![1, 2], vec![]));
}

#[test]
fn json_after_the_array_is_read_or_quarantined_never_dropped() {
    // Two arrays back to back: both are read.
    let p = parse(
        b"[{\"id\":\"1\"}]\n[{\"id\":\"2\"},\n{\"id\":\"3\"}]\n",
        &profile("json", ","),
    )
    .unwrap();
    assert_eq!(lines_of(&p), (vec![1, 2, 3], vec![]));
    // Anything else after the array is quarantined with its line.
    let p = parse(
        b"[{\"id\":\"1\"}]\n{\"id\":\"2\"}\ntrailing words",
        &profile("json", ","),
    )
    .unwrap();
    assert_eq!(lines_of(&p), (vec![1], vec![2, 3]));
    assert!(
        p.bad[0].reason.contains("after the end of the array"),
        "{}",
        p.bad[0].reason
    );
    assert!(
        p.bad[1].reason.contains("is not JSON"),
        "{}",
        p.bad[1].reason
    );
    // Response objects back to back: each one's records are read.
    let mut pr = profile("json", ",");
    pr.def.records_key = Some("calls".into());
    let p = parse(b"{\"calls\":[{\"id\":\"1\"}],\"page\":0}\n{\"page\":1,\"calls\":[{\"id\":\"2\"}]}\n{\"x\":1}", &pr).unwrap();
    assert_eq!(lines_of(&p), (vec![1, 2], vec![3]));
}

#[test]
fn a_gzip_export_that_expands_beyond_the_limit_is_refused_unread() {
    use std::io::Write;
    // 64 KiB of zeros compresses to a few hundred bytes: a small bomb.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 64 << 10]).unwrap();
    let bytes = gz.finish().unwrap();
    assert!(bytes.len() < 1 << 10);
    assert!(matches!(
        decompress_at_most(&bytes, 32 << 10),
        Err(FileError::GzipTooLarge)
    ));
    // Exactly at the limit is read whole.
    let got = decompress_at_most(&bytes, 64 << 10).unwrap();
    assert_eq!(got.len(), 64 << 10);
    assert!(FileError::GzipTooLarge.to_string().contains("4 GiB"));
}
