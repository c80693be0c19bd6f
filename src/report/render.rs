//! The report as HTML (self-contained: inline CSS and SVG, no external request)
//! and as Markdown (charts as PNG files beside it).

use super::findings::Finding;
use super::markup::esc;
use super::Report;

const CSS: &str = "
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; color: #212121; max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
.sub { color: #616161; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.findings li { margin-bottom: 0.4em; } .none { color: #616161; }
.findings ul.fixes { margin: 0.3em 0 0.6em; padding-left: 1.4em; font-size: 0.92em; color: #424242; } .findings ul.fixes li { margin-bottom: 0.15em; }
a.cells { white-space: nowrap; font-size: 0.92em; } a.cells::before { content: '→ '; }
svg rect.finding { scroll-margin-top: 12em; } svg rect.finding:target { stroke-width: 5; }
figure { margin: 1em 0; page-break-inside: avoid; break-inside: avoid; } figure svg { max-width: 100%; height: auto; }
section { page-break-inside: auto; }
@page { size: auto; margin: 12mm; }
@media print { body { max-width: none; margin: 0; } h2 { page-break-after: avoid; break-after: avoid; } }
";

pub fn html(r: &Report) -> String {
    let mut s = String::new();
    s += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    s += &format!(
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&r.title)
    );
    s += &format!(
        "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
        esc(&r.title),
        esc(&r.subtitle)
    );
    s += "<section>\n<h2>Headline numbers</h2>\n";
    s += &r.headlines.html();
    for n in &r.headline_notes {
        s += &format!("<p class=\"note\">{}</p>\n", esc(n));
    }
    s += &figure(r, 0);
    s += "</section>\n<section>\n<h2>What needs attention</h2>\n";
    if r.findings.is_empty() {
        s += &format!("<p class=\"none\">{}</p>\n", esc(&r.no_findings));
    } else {
        s += "<ul class=\"findings\">\n";
        for f in &r.findings {
            s += &finding_html(f);
        }
        s += "</ul>\n";
    }
    s += "</section>\n";
    for sec in &r.sections {
        s += &format!("<section>\n<h2>{}</h2>\n", esc(&sec.title));
        for t in &sec.text {
            s += &format!("<p>{}</p>\n", esc(t));
        }
        if let Some(t) = &sec.table {
            s += &t.html();
        }
        for &c in &sec.charts {
            s += &figure(r, c);
        }
        s += "</section>\n";
    }
    s += "</body>\n</html>\n";
    s
}

/// One item of "What needs attention": a bottleneck also links to its cells
/// in the staffing heatmap and lists its priced fixes.
fn finding_html(f: &Finding) -> String {
    let Finding::Bottleneck(b) = f else {
        return format!("<li>{}</li>\n", esc(&f.to_string()));
    };
    let mut s = format!("<li>{}", esc(&b.text));
    if let Some(a) = &b.anchor {
        s += &format!(
            " <a class=\"cells\" href=\"#{}\">{} in the staffing heatmap</a>",
            esc(a),
            esc(&b.when)
        );
    }
    if !b.fixes.is_empty() {
        s += "\n<ul class=\"fixes\">\n";
        for x in &b.fixes {
            s += &format!("<li>{}</li>\n", esc(x));
        }
        s += "</ul>\n";
    }
    s + "</li>\n"
}

fn figure(r: &Report, i: usize) -> String {
    let Some(c) = r.charts.get(i) else {
        return String::new();
    };
    // Drop the XML prolog so the SVG can sit inline.
    let svg = c.svg.trim_start_matches(|ch| ch != '<');
    let svg = if svg.starts_with("<?xml") {
        svg.split_once("?>").map(|x| x.1).unwrap_or(svg)
    } else {
        svg
    };
    format!(
        "<figure aria-label=\"{}\">\n{}\n</figure>\n",
        esc(&c.title),
        svg.trim()
    )
}

pub fn markdown(r: &Report) -> String {
    let mut s = format!("# {}\n\n{}\n\n## Headline numbers\n\n", r.title, r.subtitle);
    s += &r.headlines.markdown();
    for n in &r.headline_notes {
        s += &format!("\n{n}\n");
    }
    if let Some(c) = r.charts.first() {
        s += &format!("\n![{}](charts/{}.png)\n", c.title, c.name);
    }
    s += "\n## What needs attention\n\n";
    if r.findings.is_empty() {
        s += &format!("{}\n", r.no_findings);
    }
    for f in &r.findings {
        s += &format!("- {f}\n");
        if let Finding::Bottleneck(b) = f {
            for x in &b.fixes {
                s += &format!("  - {x}\n");
            }
        }
    }
    for sec in &r.sections {
        s += &format!("\n## {}\n\n", sec.title);
        for t in &sec.text {
            s += &format!("{t}\n\n");
        }
        if let Some(t) = &sec.table {
            s += &t.markdown();
            s += "\n";
        }
        for &c in &sec.charts {
            s += &format!(
                "![{}](charts/{}.png)\n\n",
                r.charts[c].title, r.charts[c].name
            );
        }
    }
    s
}
