//! The heatmap of callback workload against capacity by weekday × hour, one row
//! per lane and weekday: workload as a share of the capacity as worked.

use super::workload::{Key, Row};
use crate::render::style::{register_fonts, FONT, INK};
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::{BTreeMap, BTreeSet};

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn colour(r: f64) -> RGBColor {
    // Blue at ≤ 50% through white at 85% to vermillion at ≥ 120%: safe for red–green deficiency.
    let mix = |a: RGBColor, b: RGBColor, t: f64| {
        let t = t.clamp(0.0, 1.0);
        let f = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
        RGBColor(f(a.0, b.0), f(a.1, b.1), f(a.2, b.2))
    };
    let (blue, white, red) = (
        RGBColor(0, 114, 178),
        RGBColor(240, 240, 240),
        RGBColor(213, 94, 0),
    );
    if r <= 0.85 {
        mix(blue, white, (r - 0.5) / 0.35)
    } else {
        mix(white, red, (r - 0.85) / 0.35)
    }
}

/// A range of cells to outline and name: a finding's lane, weekdays and hours
/// `[from, to)`. In the SVG the range is a `<rect class="finding">` with `id`,
/// so a page holding the SVG inline can link to it (`#id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub id: String,
    pub lane: String,
    /// 1 = Monday.
    pub weekdays: Vec<u8>,
    pub from: u8,
    pub to: u8,
}

/// Pixel rectangle (x0, y0, x1, y1) of each mark that has cells in the heatmap.
type Placed = Vec<(usize, (i32, i32, i32, i32))>;

/// Where mark `m` lies: the rows of its lane and weekdays, the columns of its hours.
fn place(
    m: &Mark,
    hours: &[u8],
    lines: &[(String, u8)],
    (left, top, cw, ch): (i32, i32, i32, i32),
) -> Option<(i32, i32, i32, i32)> {
    let rows: Vec<usize> = (lines.iter().enumerate())
        .filter(|(_, (l, d))| *l == m.lane && m.weekdays.contains(d))
        .map(|(i, _)| i)
        .collect();
    let cols: Vec<usize> = (hours.iter().enumerate())
        .filter(|(_, h)| **h >= m.from && **h < m.to)
        .map(|(i, _)| i)
        .collect();
    let (r0, r1) = (*rows.first()?, *rows.last()?);
    let (c0, c1) = (*cols.first()?, *cols.last()?);
    Some((
        left + c0 as i32 * cw,
        top + r0 as i32 * ch,
        left + (c1 as i32 + 1) * cw,
        top + (r1 as i32 + 1) * ch,
    ))
}

/// Render to (SVG, PNG), `marks` outlined in both and named by their id in
/// the SVG; only blocks with capacity or load appear.
pub fn render(rows: &BTreeMap<Key, Row>, marks: &[Mark]) -> Result<(String, Vec<u8>)> {
    register_fonts();
    let hours: BTreeSet<u8> = rows.keys().map(|k| k.1).collect();
    let lines: BTreeSet<(String, u8)> = rows.keys().map(|k| (k.2.clone(), k.0)).collect();
    let hours: Vec<u8> = hours.into_iter().collect();
    let lines: Vec<(String, u8)> = lines.into_iter().collect();
    let size = (860u32, 90 + ROW * lines.len().max(1) as u32);
    let mut svg = String::new();
    let placed: Placed;
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        placed =
            draw(&root, rows, &hours, &lines, marks, true).map_err(|e| anyhow!("heatmap: {e}"))?;
        root.present().map_err(|e| anyhow!("heatmap: {e:?}"))?;
    }
    // The marks' targets, last so they sit on top: one rectangle per mark.
    if let Some(end) = svg.rfind("</svg>") {
        let mut targets = String::new();
        let mut named = BTreeSet::new();
        for (i, (x0, y0, x1, y1)) in &placed {
            let m = &marks[*i];
            // Findings of two categories in the same cells share one target.
            if !named.insert(m.id.as_str()) {
                continue;
            }
            targets += &format!(
                "<rect id=\"{}\" class=\"finding\" x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#212121\" stroke-width=\"3\"><title>{} {}: {:02}:00–{:02}:00</title></rect>\n",
                m.id,
                x1 - x0,
                y1 - y0,
                m.lane,
                m.weekdays
                    .iter()
                    .map(|d| DAYS[(*d as usize).saturating_sub(1) % 7])
                    .collect::<Vec<_>>()
                    .join(", "),
                m.from,
                m.to
            );
        }
        svg.insert_str(end, &targets);
    }
    let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        draw(&root, rows, &hours, &lines, marks, false).map_err(|e| anyhow!("heatmap: {e}"))?;
        root.present().map_err(|e| anyhow!("heatmap: {e:?}"))?;
    }
    let mut png = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&buf, size.0, size.1, image::ColorType::Rgb8)
            .map_err(|e| anyhow!("heatmap: {e}"))?;
    }
    Ok((svg, png))
}

/// Height of a row in pixels: the labels print at about 8 pt on a page.
const ROW: u32 = 28;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &BTreeMap<Key, Row>,
    hours: &[u8],
    lines: &[(String, u8)],
    marks: &[Mark],
    is_svg: bool,
) -> std::result::Result<Placed, String> {
    let e = |x: &dyn std::fmt::Debug| format!("{x:?}");
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let root = root
        .titled(
            "Callback workload as % of capacity (weekly, by hour block)",
            (FONT, 18).into_font().style(FontStyle::Bold).color(&INK),
        )
        .map_err(|x| e(&x))?;
    let (nc, nr) = (hours.len().max(1), lines.len().max(1));
    let (left, top) = (150i32, 24i32);
    let (w, h) = root.dim_in_pixel();
    let cw = (w as i32 - left - 10) / nc as i32;
    let ch = ((h as i32 - top - 10) / nr as i32).min(ROW as i32);
    let font = (FONT, 14).into_font().color(&INK);
    for (c, hr) in hours.iter().enumerate() {
        let x = left + c as i32 * cw + cw / 2;
        root.draw(&Text::new(
            format!("{hr:02}:00"),
            (x, top - 12),
            font.pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(|x| e(&x))?;
    }
    for (r, (lane, d)) in lines.iter().enumerate() {
        let y = top + r as i32 * ch;
        root.draw(&Text::new(
            format!("{lane} {}", DAYS[(*d as usize).saturating_sub(1) % 7]),
            (left - 6, y + ch / 2),
            font.pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(|x| e(&x))?;
        for (c, hr) in hours.iter().enumerate() {
            let x = left + c as i32 * cw;
            let row = rows.get(&(*d, *hr, lane.clone()));
            let (fill, label) = match row {
                Some(row) => match row.load_ratio() {
                    Some(v) => (colour(v), format!("{:.0}%", v * 100.0)),
                    None if row.workload_min > 0.0 => (RGBColor(213, 94, 0), "no staff".into()),
                    None => (RGBColor(250, 250, 250), String::new()),
                },
                None => (RGBColor(250, 250, 250), String::new()),
            };
            root.draw(&Rectangle::new(
                [(x + 1, y + 1), (x + cw - 1, y + ch - 1)],
                fill.filled(),
            ))
            .map_err(|x| e(&x))?;
            if !label.is_empty() {
                // White on a dark cell, ink on a light one.
                let RGBColor(r, g, b) = fill;
                let dark = (0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64) < 150.0;
                let ink = if dark { WHITE } else { INK };
                root.draw(&Text::new(
                    label,
                    (x + cw / 2, y + ch / 2),
                    (FONT, 14)
                        .into_font()
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(|x| e(&x))?;
            }
        }
    }
    // Outline each mark's cells (the SVG names them afterwards; the PNG shows
    // the outline only). Drawn in the titled area; placed in the root's pixels.
    let (bx, by) = root.get_base_pixel();
    let mut placed = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        let Some((x0, y0, x1, y1)) = place(m, hours, lines, (left, top, cw, ch)) else {
            continue;
        };
        if !is_svg {
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                ShapeStyle::from(&INK).stroke_width(3),
            ))
            .map_err(|x| e(&x))?;
        }
        placed.push((i, (x0 + bx, y0 + by, x1 + bx, y1 + by)));
    }
    Ok(placed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(id: &str, lane: &str, weekdays: &[u8], from: u8, to: u8) -> Mark {
        Mark {
            id: id.into(),
            lane: lane.into(),
            weekdays: weekdays.to_vec(),
            from,
            to,
        }
    }

    #[test]
    fn a_mark_covers_its_lanes_weekdays_and_hours() {
        let hours = [8, 9, 10, 13, 14, 15];
        let lines: Vec<(String, u8)> = [("front_desk", 1), ("front_desk", 2), ("front_desk", 3)]
            .iter()
            .chain(&[("referrals", 1), ("referrals", 2)])
            .map(|(l, d)| (l.to_string(), *d))
            .collect();
        let grid = (100, 20, 10, 5);
        // Mon–Tue 10:00–14:00 across a closed 11:00–13:00: columns 10 and 13.
        let m = mark("a", "front_desk", &[1, 2], 10, 14);
        assert_eq!(place(&m, &hours, &lines, grid), Some((120, 20, 140, 30)));
        // The referrals rows on Tue, one hour.
        let m = mark("b", "referrals", &[2], 15, 16);
        assert_eq!(place(&m, &hours, &lines, grid), Some((150, 40, 160, 45)));
        // No row of the lane, or no column of the hours: not placed.
        assert_eq!(
            place(&mark("c", "clinical", &[1], 8, 9), &hours, &lines, grid),
            None
        );
        assert_eq!(
            place(&mark("d", "front_desk", &[1], 11, 13), &hours, &lines, grid),
            None
        );
    }

    #[test]
    fn the_svg_names_each_cell_range_once_and_the_png_outlines_it() {
        let mut rows = BTreeMap::new();
        for d in 1..=3u8 {
            for h in [9u8, 14] {
                rows.insert((d, h, "front_desk".to_string()), Row::default());
            }
        }
        let (plain_svg, plain_png) = render(&rows, &[]).unwrap();
        assert!(!plain_svg.contains("class=\"finding\""));
        let marks = [
            mark("heatmap-p001-wed-14-15", "front_desk", &[3], 14, 15),
            // A second category's finding in the same cells.
            mark("heatmap-p001-wed-14-15", "front_desk", &[3], 14, 15),
            // Cells the heatmap does not have.
            mark("heatmap-p001-mon-16-17", "front_desk", &[1], 16, 17),
        ];
        let (svg, png) = render(&rows, &marks).unwrap();
        assert_eq!(
            svg.matches("<rect id=\"heatmap-p001-wed-14-15\" class=\"finding\"")
                .count(),
            1
        );
        assert!(!svg.contains("heatmap-p001-mon-16-17"));
        assert!(svg.contains("<title>front_desk Wed: 14:00–15:00</title>"));
        assert_ne!(png, plain_png, "the PNG shows the outline");
    }
}
