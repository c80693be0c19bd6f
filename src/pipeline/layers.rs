//! Imports flow one way: cmd → pipeline → findings → {report, lists, staffing} → metrics →
//! model → lake, config. Each module has a rank; a module may name another only
//! of a lower rank (peers do not import each other). This reads the `crate::`
//! paths of every source file, so an import against the direction fails here.

use std::collections::BTreeSet;
use std::path::Path;

/// Modules, lowest first; modules of one rank are peers.
const RANKS: &[(&str, u8)] = &[
    ("error", 1),
    ("failpoint", 1),
    ("clock", 1),
    ("logging", 1),
    ("workers", 1),
    ("lake", 2),
    ("config", 3),
    ("publish", 3),
    ("privacy", 4),
    ("model", 5),
    ("ingest", 5),
    ("sample", 5),
    ("metrics", 6),
    ("render", 6),
    ("report", 7),
    ("lists", 7),
    ("staffing", 7),
    ("query", 7),
    ("findings", 8),
    ("pipeline", 9),
    ("cmd", 10),
];

/// Imports against the direction that are known and not yet undone. The list
/// may only shrink.
const KNOWN: &[(&str, &str)] = &[];

fn rank(module: &str) -> u8 {
    // `cli` (the global flags and the dispatch) and `cmd` are the command line
    // together: each names the other.
    let module = if module == "cli" { "cmd" } else { module };
    RANKS
        .iter()
        .find(|(m, _)| *m == module)
        .unwrap_or_else(|| panic!("module `{module}` has no rank in pipeline/layers.rs"))
        .1
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every (importing module, imported module) pair named in code.
fn imports() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    let mut out = BTreeSet::new();
    for p in paths {
        let rel = p.strip_prefix(&src).expect("under src/");
        let first = rel.components().next().expect("a file");
        let from = first.as_os_str().to_string_lossy();
        let from = from.trim_end_matches(".rs").to_string();
        if from == "main" || from == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("a source file");
        for line in text.lines() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for (i, _) in code.match_indices("crate::") {
                if i > 0 && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue; // `$crate::`, `mycrate::`
                }
                let to: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                let same =
                    to == from || (to == "cli" && from == "cmd") || (to == "cmd" && from == "cli");
                if !to.is_empty() && !same {
                    out.insert((from.clone(), to));
                }
            }
        }
    }
    out
}

#[test]
fn imports_flow_one_way() {
    let all = imports();
    let wrong: Vec<String> = all
        .iter()
        .filter(|(from, to)| rank(to) >= rank(from))
        .filter(|(from, to)| !KNOWN.contains(&(from.as_str(), to.as_str())))
        .map(|(from, to)| format!("{from} → {to}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "imports against cmd → pipeline → {{report, lists, staffing}} → metrics → model → lake, config: {wrong:?}"
    );
    for (from, to) in KNOWN {
        assert!(
            all.contains(&(from.to_string(), to.to_string())),
            "{from} → {to} is gone: remove it from KNOWN"
        );
    }
}
