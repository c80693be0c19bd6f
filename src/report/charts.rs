//! Charts with plotters: SVG for the HTML report, PNG for email and slides.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (registered once), so a
//! PNG renders the same on a bare machine. Colours are the Okabe–Ito palette,
//! which stays distinguishable with the common colour-vision deficiencies.

use crate::render::style::{register_fonts, FONT, INK, PALETTE};
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const GRID: RGBColor = RGBColor(215, 215, 215);
/// Bars that are not a measure of time (requests not attempted), and closed hours.
const MUTED: RGBColor = RGBColor(150, 150, 150);

/// A rendered chart.
pub struct Chart {
    pub name: String,
    pub title: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// What to draw.
pub enum Spec {
    /// Bars per x label; several series side by side, or stacked.
    Bars {
        x: Vec<String>,
        series: Vec<(String, Vec<f64>)>,
        stacked: bool,
        y_label: String,
        x_label: String,
        /// A vertical reference line at a fractional x position (e.g. a target bin edge).
        x_ref: Option<XRef>,
        /// A horizontal reference line (e.g. a goal share).
        y_ref: Option<(f64, String)>,
        percent: bool,
        /// The series drawn in grey (e.g. requests not attempted), if any.
        muted: Option<usize>,
    },
    /// Lines over x labels.
    Lines {
        x: Vec<String>,
        series: Vec<(String, Vec<Option<f64>>)>,
        y_label: String,
        x_label: String,
        y_ref: Option<(f64, String)>,
        percent: bool,
    },
    /// A grid of shares (0..1) with row and column labels; None is "no tasks".
    /// Each cell shows its n; `closed` cells are hatched.
    Heatmap {
        rows: Vec<String>,
        cols: Vec<String>,
        values: Vec<Vec<Option<f64>>>,
        counts: Vec<Vec<usize>>,
        closed: Vec<Vec<bool>>,
        x_label: String,
        y_label: String,
    },
    /// Step curves of a share (0..1) over a numeric x from 0 to `x_max`, with
    /// tick labels at given positions and the legend beside the plot.
    Steps {
        /// Each curve's polyline (already in steps).
        series: Vec<(String, Vec<(f64, f64)>)>,
        x_max: f64,
        ticks: Vec<(f64, String)>,
        x_ref: Option<XRef>,
        y_ref: Option<(f64, String)>,
        y_label: String,
        x_label: String,
    },
}

/// A vertical reference line (a target): its legend name, and the words on
/// either side of it at the top of a bar chart ("← within 30 min", "later →").
#[derive(Debug, Clone, PartialEq)]
pub struct XRef {
    pub at: f64,
    pub label: String,
    pub before: String,
    pub after: String,
}

const SIZE: (u32, u32) = (760, 380);

/// Render a chart to SVG and PNG. `empty` replaces the plot with a message.
pub fn render(name: &str, title: &str, spec: &Spec, empty: Option<&str>) -> Result<Chart> {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&root, title, spec, empty).map_err(|e| anyhow!("chart {name}: {e}"))?;
        root.present().map_err(|e| anyhow!("chart {name}: {e:?}"))?;
    }
    let mut buf = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, SIZE).into_drawing_area();
        draw(&root, title, spec, empty).map_err(|e| anyhow!("chart {name}: {e}"))?;
        root.present().map_err(|e| anyhow!("chart {name}: {e:?}"))?;
    }
    let mut png = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&buf, SIZE.0, SIZE.1, image::ColorType::Rgb8)
            .map_err(|e| anyhow!("chart {name}: {e}"))?;
    }
    Ok(Chart {
        name: name.to_string(),
        title: title.to_string(),
        svg,
        png,
    })
}

type DrawResult = std::result::Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    spec: &Spec,
    empty: Option<&str>,
) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    let root = root
        .titled(
            title,
            (FONT, 20).into_font().style(FontStyle::Bold).color(&INK),
        )
        .map_err(err)?;
    if let Some(msg) = empty {
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            msg.to_string(),
            (w as i32 / 2, h as i32 / 2),
            (FONT, 16)
                .into_font()
                .color(&RGBColor(110, 110, 110))
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
        return Ok(());
    }
    match spec {
        Spec::Bars { .. } => bars(&root, spec),
        Spec::Lines { .. } => lines(&root, spec),
        Spec::Heatmap { .. } => heatmap(&root, spec),
        Spec::Steps { .. } => steps(&root, spec),
    }
}

/// A chart on x categories `0..n` (centred on whole numbers) and y `0..top`.
type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Space under a bar or line chart's plot: two lines of x labels and the axis name.
const X_AREA: u32 = 62;

/// The axes of a bar or line chart: the x labels (drawn by `x_labels`, so
/// that they never overlap), y up to `top`, as shares when `percent`; `desc`
/// names the x and the y axis.
fn axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    labels: &[String],
    x_mesh: bool,
    top: f64,
    percent: bool,
    (x_label, y_label): (&str, &str),
) -> Result<Plot<'a, DB>, String> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(X_AREA)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    if !x_mesh {
        mesh.disable_x_mesh();
    }
    mesh.light_line_style(WHITE)
        .x_labels(n)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|v| {
            if percent {
                format!("{:.0}%", v * 100.0)
            } else {
                fmt_num(*v)
            }
        })
        .y_desc(y_label)
        .label_style((FONT, 12).into_font().color(&INK))
        .axis_desc_style((FONT, 13).into_font().color(&INK))
        .draw()
        .map_err(err)?;
    let at: Vec<(f64, String)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i as f64, l.clone()))
        .collect();
    x_labels(root, &chart, &at, x_label)?;
    Ok(chart)
}

/// Label sizes tried, largest first; below the last, labels are thinned.
const LABEL_SIZES: [u32; 4] = [12, 11, 10, 9];

/// The largest label size at which labels centred at `xs` (pixels, in order)
/// leave at least 6 px between neighbours, with the widths `widths(size)`
/// gives; when none does, the smallest size and every `step`-th label.
pub(crate) fn fit_labels(xs: &[i32], widths: impl Fn(u32) -> Vec<u32>) -> (u32, usize) {
    let fits = |w: &[u32], step: usize| {
        let shown: Vec<usize> = (0..xs.len()).step_by(step).collect();
        shown.windows(2).all(|p| {
            let (a, b) = (p[0], p[1]);
            xs[a] + (w[a] as i32 + 1) / 2 + 6 <= xs[b] - (w[b] as i32 + 1) / 2
        })
    };
    for size in LABEL_SIZES {
        if fits(&widths(size), 1) {
            return (size, 1);
        }
    }
    let small = LABEL_SIZES[LABEL_SIZES.len() - 1];
    let w = widths(small);
    let step = (2..xs.len().max(2))
        .find(|&k| fits(&w, k))
        .unwrap_or(xs.len().max(1));
    (small, step)
}

/// Draw `labels` (x value, text; `\n` starts a second line) centred under
/// the plot at a size where none overlaps (`fit_labels`), then the axis name.
fn x_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<'_, DB>,
    labels: &[(f64, String)],
    desc: &str,
) -> DrawResult {
    let (bx, by) = root.get_base_pixel();
    let px = |x: f64| {
        let (x, y) = chart.backend_coord(&(x, 0.0));
        (x - bx, y - by)
    };
    let xs: Vec<i32> = labels.iter().map(|(x, _)| px(*x).0).collect();
    let width = |text: &str, size: u32| {
        text.split('\n')
            .map(|line| {
                root.estimate_text_size(line, &TextStyle::from((FONT, size).into_font()))
                    .map_or(0, |s| s.0)
            })
            .max()
            .unwrap_or(0)
    };
    let (size, step) = fit_labels(&xs, |size| {
        labels.iter().map(|(_, t)| width(t, size)).collect()
    });
    let lines = labels
        .iter()
        .map(|(_, t)| t.split('\n').count())
        .max()
        .unwrap_or(1) as i32;
    let top = px(0.0).1 + 7;
    let line_h = size as i32 + 3;
    for (i, (_, text)) in labels.iter().enumerate().step_by(step) {
        for (k, line) in text.split('\n').enumerate() {
            root.draw(&Text::new(
                line.to_string(),
                (xs[i], top + k as i32 * line_h),
                (FONT, size)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
    }
    let range = chart.x_range();
    let mid = px((range.start + range.end) / 2.0).0;
    root.draw(&Text::new(
        desc.to_string(),
        (mid, top + lines * line_h + 4),
        (FONT, 13)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(err)
}

fn bars<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> DrawResult {
    let Spec::Bars {
        x,
        series,
        stacked,
        y_label,
        x_label,
        x_ref,
        y_ref,
        percent,
        muted,
    } = spec
    else {
        unreachable!("a bar chart")
    };
    let n = x.len().max(1);
    let top = if *stacked {
        (0..n)
            .map(|i| {
                series
                    .iter()
                    .map(|s| s.1.get(i).copied().unwrap_or(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    } else {
        series
            .iter()
            .flat_map(|s| s.1.iter().copied())
            .fold(0.0, f64::max)
    };
    // Headroom above the tallest bar keeps the legend clear of the data.
    let top = if *percent {
        1.0
    } else {
        nice_top(1.25 * top.max(y_ref.as_ref().map(|r| r.0).unwrap_or(0.0)))
    };
    let mut chart = axes(root, x, false, top, *percent, (x_label, y_label))?;
    bar_series(&mut chart, series, n, *stacked, *muted)?;
    if let Some(r) = x_ref {
        target_line(root, &mut chart, r, top)?;
    }
    if let Some((yv, label)) = y_ref {
        goal_line(&mut chart, n, *yv, label)?;
    }
    // One unnamed-by-need series (a histogram) needs no legend box.
    if (series.len() > 1 && muted.is_none()) || y_ref.is_some() {
        legend(&mut chart)?;
    }
    Ok(())
}

/// A dashed vertical target line; on a bar chart the words on either side
/// of it at the top of the plot ("← within 30 min", "later →").
fn target_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'_, DB>,
    r: &XRef,
    top: f64,
) -> DrawResult {
    chart
        .draw_series(DashedLineSeries::new(
            vec![(r.at, 0.0), (r.at, top)],
            6,
            4,
            INK.stroke_width(2),
        ))
        .map_err(err)?;
    let (bx, by) = root.get_base_pixel();
    let (x, y) = chart.backend_coord(&(r.at, top));
    let (x, y) = (x - bx, y - by + 8);
    let font = |h| {
        (FONT, 12)
            .into_font()
            .color(&INK)
            .pos(Pos::new(h, VPos::Top))
    };
    if !r.before.is_empty() {
        root.draw(&Text::new(
            format!("← {}", r.before),
            (x - 6, y),
            font(HPos::Right),
        ))
        .map_err(err)?;
    }
    if !r.after.is_empty() {
        root.draw(&Text::new(
            format!("{} →", r.after),
            (x + 6, y),
            font(HPos::Left),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The bars of each series over `n` categories, side by side or stacked.
fn bar_series<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    series: &[(String, Vec<f64>)],
    n: usize,
    stacked: bool,
    muted: Option<usize>,
) -> DrawResult {
    let k = series.len().max(1);
    let mut base = vec![0.0; n];
    for (si, (name, vals)) in series.iter().enumerate() {
        let color = if muted == Some(si) {
            MUTED
        } else {
            PALETTE[si % PALETTE.len()]
        };
        let rects: Vec<Rectangle<(f64, f64)>> = vals
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if stacked {
                    let r = Rectangle::new(
                        [(i as f64 - 0.4, base[i]), (i as f64 + 0.4, base[i] + v)],
                        color.filled(),
                    );
                    base[i] += v;
                    r
                } else {
                    let w = 0.8 / k as f64;
                    let x0 = i as f64 - 0.4 + w * si as f64;
                    Rectangle::new([(x0, 0.0), (x0 + w, v)], color.filled())
                }
            })
            .collect();
        chart
            .draw_series(rects)
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    Ok(())
}

fn lines<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> DrawResult {
    let Spec::Lines {
        x,
        series,
        y_label,
        x_label,
        y_ref,
        percent,
    } = spec
    else {
        unreachable!("a line chart")
    };
    let n = x.len().max(1);
    let top = if *percent {
        1.0
    } else {
        nice_top(
            series
                .iter()
                .flat_map(|s| s.1.iter().flatten().copied())
                .fold(0.0, f64::max),
        )
    };
    let mut chart = axes(root, x, true, top, *percent, (x_label, y_label))?;
    for (si, (name, vals)) in series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        let pts: Vec<(f64, f64)> = vals
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 12, y)], color.stroke_width(2))
            });
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
            .map_err(err)?;
    }
    if let Some((yv, label)) = y_ref {
        goal_line(&mut chart, n, *yv, label)?;
    }
    legend(&mut chart)
}

fn heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> DrawResult {
    let Spec::Heatmap {
        rows,
        cols,
        values,
        counts,
        closed,
        x_label,
        y_label,
    } = spec
    else {
        unreachable!("a heatmap")
    };
    let (nr, nc) = (rows.len().max(1), cols.len().max(1));
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..nc as f64, 0f64..nr as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nc * 2 + 1)
        .y_labels(nr * 2 + 1)
        .x_label_formatter(&|v| label_at(cols, *v))
        .y_label_formatter(&|v| label_at(rows, nr as f64 - *v))
        .x_desc(x_label.as_str())
        .y_desc(y_label.as_str())
        .label_style((FONT, 12).into_font().color(&INK))
        .axis_desc_style((FONT, 13).into_font().color(&INK))
        .draw()
        .map_err(err)?;
    let text = |s: String, at: (f64, f64), size: u32, color: &RGBColor| {
        Text::new(
            s,
            at,
            (FONT, size)
                .into_font()
                .color(color)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        )
    };
    for (r, row) in values.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let y0 = (nr - 1 - r) as f64;
            let x0 = c as f64;
            let shut = closed.get(r).and_then(|row| row.get(c)).copied() == Some(true);
            let n = counts
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .unwrap_or(0);
            let color = match v {
                // Blue (in target) through white to vermillion (missed): safe for red–green deficiency.
                Some(v) => blend(RGBColor(213, 94, 0), RGBColor(0, 114, 178), *v),
                None if shut => RGBColor(225, 225, 225),
                None => RGBColor(245, 245, 245),
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    color.filled(),
                )))
                .map_err(err)?;
            if shut {
                // Hatched: diagonal strokes across the cell, clipped to it.
                // Faint over a share, so its numbers stay legible in print.
                let hatch = if v.is_some() {
                    WHITE.mix(0.3)
                } else {
                    MUTED.mix(0.6)
                };
                let lines = (1..6).map(|k| {
                    let t = k as f64 / 3.0;
                    let (a, b) = if t <= 1.0 {
                        ((x0, y0 + 1.0 - t), (x0 + t, y0 + 1.0))
                    } else {
                        ((x0 + t - 1.0, y0), (x0 + 1.0, y0 + 2.0 - t))
                    };
                    PathElement::new(vec![a, b], hatch.stroke_width(1))
                });
                chart.draw_series(lines).map_err(err)?;
            }
            // White cell borders keep neighbouring cells apart in print.
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    WHITE.stroke_width(1),
                )))
                .map_err(err)?;
            if let Some(v) = v {
                chart
                    .draw_series([
                        text(
                            format!("{:.0}%", v * 100.0),
                            (x0 + 0.5, y0 + 0.66),
                            13,
                            &WHITE,
                        ),
                        text(format!("n={n}"), (x0 + 0.5, y0 + 0.3), 12, &WHITE),
                    ])
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

fn steps<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> DrawResult {
    let Spec::Steps {
        series,
        x_max,
        ticks,
        x_ref,
        y_ref,
        y_label,
        x_label,
    } = spec
    else {
        unreachable!("a step chart")
    };
    // The legend sits beside the plot, where no curve can run under it.
    const LEGEND_W: i32 = 170;
    let (w, _) = root.dim_in_pixel();
    let (plot, side) = root.split_horizontally(w as i32 - LEGEND_W);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(X_AREA)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..*x_max, 0f64..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .disable_x_mesh()
        .x_labels(0)
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .y_desc(y_label.as_str())
        .label_style((FONT, 12).into_font().color(&INK))
        .axis_desc_style((FONT, 13).into_font().color(&INK))
        .draw()
        .map_err(err)?;
    // Tick marks at the labelled positions.
    chart
        .draw_series(
            ticks
                .iter()
                .map(|(x, _)| PathElement::new(vec![(*x, 0.0), (*x, 0.015)], INK.stroke_width(1))),
        )
        .map_err(err)?;
    x_labels(&plot, &chart, ticks, x_label)?;
    let mut keys: Vec<(String, ShapeStyle, bool)> = Vec::new();
    for (si, (name, pts)) in series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(err)?;
        keys.push((name.clone(), color.stroke_width(2), false));
    }
    if let Some(r) = x_ref {
        target_line(
            &plot,
            &mut chart,
            &XRef {
                before: String::new(),
                after: String::new(),
                ..r.clone()
            },
            1.0,
        )?;
        keys.push((r.label.clone(), INK.stroke_width(2), true));
    }
    if let Some((y, label)) = y_ref {
        const GOAL: RGBColor = RGBColor(213, 94, 0);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, *y), (*x_max, *y)],
                6,
                4,
                GOAL.stroke_width(2),
            ))
            .map_err(err)?;
        keys.push((label.clone(), GOAL.stroke_width(2), true));
    }
    // The legend: a line sample and the name (wrapped at spaces to fit).
    let mut y = 24;
    let font = (FONT, 12).into_font().color(&INK);
    for (name, style, dashed) in keys {
        let sample: Vec<(i32, i32)> = vec![(4, y + 7), (26, y + 7)];
        if dashed {
            side.draw(&PathElement::new(vec![(4, y + 7), (10, y + 7)], style))
                .map_err(err)?;
            side.draw(&PathElement::new(vec![(15, y + 7), (21, y + 7)], style))
                .map_err(err)?;
        } else {
            side.draw(&PathElement::new(sample, style)).map_err(err)?;
        }
        for line in wrap(&side, &name, LEGEND_W - 40) {
            side.draw(&Text::new(line, (32, y), font.clone()))
                .map_err(err)?;
            y += 15;
        }
        y += 8;
    }
    Ok(())
}

/// `text` in lines no wider than `width` pixels, broken at spaces.
fn wrap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, width: i32) -> Vec<String> {
    let fits = |s: &str| {
        area.estimate_text_size(s, &TextStyle::from((FONT, 12).into_font()))
            .map_or(true, |(w, _)| w as i32 <= width)
    };
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(last) if fits(&format!("{last} {word}")) => {
                last.push(' ');
                last.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn legend<'a, DB: DrawingBackend + 'a>(chart: &mut Plot<'a, DB>) -> DrawResult {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font((FONT, 12).into_font().color(&INK))
        .draw()
        .map_err(err)
}

/// A dashed horizontal goal line across the `n` categories, with its legend entry.
fn goal_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    n: usize,
    y: f64,
    label: &str,
) -> DrawResult {
    const GOAL: RGBColor = RGBColor(213, 94, 0);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(-0.5, y), (n as f64 - 0.5, y)],
            6,
            4,
            GOAL.stroke_width(2),
        ))
        .map_err(err)?
        .label(label.to_string())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], GOAL.stroke_width(2)));
    Ok(())
}

fn label_at(labels: &[String], v: f64) -> String {
    let cell = v - 0.5;
    let i = cell.round();
    if (cell - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
        labels[i as usize].clone()
    } else {
        String::new()
    }
}

fn blend(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

fn nice_top(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v * 1.1 <= m * mag {
            return m * mag;
        }
    }
    10.0 * mag
}

fn fmt_num(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
