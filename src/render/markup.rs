//! One table model, rendered as HTML and as Markdown (the report's two formats).

/// A table of already-formatted cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    pub numeric: Vec<bool>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            numeric: header.iter().enumerate().map(|(i, _)| i > 0).collect(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn html(&self) -> String {
        let mut s = String::from("<table>\n<thead><tr>");
        for (i, h) in self.header.iter().enumerate() {
            s += &format!("<th{}>{}</th>", self.align(i), esc(h));
        }
        s += "</tr></thead>\n<tbody>\n";
        for r in &self.rows {
            s += "<tr>";
            for (i, c) in r.iter().enumerate() {
                s += &format!("<td{}>{}</td>", self.align(i), esc(c));
            }
            s += "</tr>\n";
        }
        s + "</tbody>\n</table>\n"
    }

    pub fn markdown(&self) -> String {
        let cell = |c: &str| c.replace('|', "\\|");
        let mut s = format!(
            "| {} |\n|",
            self.header
                .iter()
                .map(|h| cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        for i in 0..self.header.len() {
            s += if self.numeric.get(i) == Some(&true) {
                "---:|"
            } else {
                "---|"
            };
        }
        s += "\n";
        for r in &self.rows {
            s += &format!(
                "| {} |\n",
                r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        s
    }

    fn align(&self, i: usize) -> &'static str {
        if self.numeric.get(i) == Some(&true) {
            " class=\"num\""
        } else {
            ""
        }
    }
}

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A 13-week trend as a sparkline of block characters (blank for no data).
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = present
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    values
        .iter()
        .map(|v| match v {
            Some(v) if hi > lo => BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize],
            Some(_) => BARS[3],
            None => ' ',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table_two_formats() {
        let mut t = Table::new(&["metric", "value"]);
        t.push(vec!["a<b".into(), "1|2".into()]);
        assert!(t
            .html()
            .contains("<td>a&lt;b</td><td class=\"num\">1|2</td>"));
        assert!(t.markdown().contains("| a<b | 1\\|2 |"));
        assert!(t.markdown().contains("|---|---:|"));
        assert_eq!(sparkline(&[Some(0.0), None, Some(1.0)]), "▁ █");
    }
}
