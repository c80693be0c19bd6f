//! FHIR bulk-data manifests: a `$export` result names its files by resource type.
//!
//! The manifest (`{"transactionTime", "request", "output": [{"type", "url"}], "error"}`)
//! can be given instead of the files it lists; the files are expected next to it
//! (downloaded from `url`), and each is read by the active profile for its type.

use super::{export_file, ExportFile};
use anyhow::{Context, Result};
use std::path::Path;

/// Replace each FHIR bulk-data manifest (`*manifest.json` with an `output` list) by
/// the files it lists, found by file name next to the manifest, each tagged with its
/// resource type. A file both listed and found in the folder is read once.
pub fn expand_manifests(files: Vec<ExportFile>, root: &Path) -> Result<Vec<ExportFile>> {
    let mut listed: Vec<ExportFile> = Vec::new();
    let mut rest = Vec::new();
    for f in files {
        if !f.rel.ends_with("manifest.json") {
            rest.push(f);
            continue;
        }
        let bytes =
            std::fs::read(&f.path).with_context(|| format!("reading {}", f.path.display()))?;
        let Some(outputs) = manifest_outputs(&bytes) else {
            rest.push(f); // not a bulk-data manifest: matched like any file
            continue;
        };
        let dir = f.path.parent().unwrap_or(Path::new("."));
        for (i, (ty, url)) in outputs.into_iter().enumerate() {
            let name = url
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .unwrap_or_default();
            let path = dir.join(name);
            if name.is_empty() || !path.is_file() {
                anyhow::bail!(
                    "{}: output[{i}] ({ty}) names `{name}`, which is not next to the manifest; download the bulk-data files into {}",
                    f.rel,
                    dir.display()
                );
            }
            let mut e = export_file(root, path);
            e.resource_type = Some(ty);
            listed.push(e);
        }
    }
    rest.retain(|f| !listed.iter().any(|l| l.rel == f.rel));
    rest.extend(listed);
    rest.sort_by(|a, b| a.rel.cmp(&b.rel));
    rest.dedup_by(|a, b| a.rel == b.rel);
    Ok(rest)
}

/// `(type, url)` of each entry of a bulk-data manifest's `output` list.
fn manifest_outputs(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let out = v.get("output")?.as_array()?;
    Some(
        out.iter()
            .filter_map(|o| {
                Some((
                    o.get("type")?.as_str()?.to_string(),
                    o.get("url")?.as_str()?.to_string(),
                ))
            })
            .collect(),
    )
}
