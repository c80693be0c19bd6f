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
        x_ref: Option<(f64, String)>,
        /// A horizontal reference line (e.g. a goal share).
        y_ref: Option<(f64, String)>,
        percent: bool,
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
    Heatmap {
        rows: Vec<String>,
        cols: Vec<String>,
        values: Vec<Vec<Option<f64>>>,
        x_label: String,
        y_label: String,
    },
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
    }
}

/// A chart on x categories `0..n` (centred on whole numbers) and y `0..top`.
type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The axes of a bar or line chart: the x labels (every `step`-th shown), y up
/// to `top`, as shares when `percent`; `desc` names the x and the y axis.
fn axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    labels: &[String],
    (step, x_mesh): (usize, bool),
    top: f64,
    percent: bool,
    (x_label, y_label): (&str, &str),
) -> Result<Plot<'a, DB>, String> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    if !x_mesh {
        mesh.disable_x_mesh();
    }
    mesh.light_line_style(WHITE)
        .x_labels(n)
        .x_label_formatter(&|v| {
            let r = v.round();
            let i = r as usize;
            if (v - r).abs() < 1e-9 && r >= 0.0 && i < labels.len() && i % step == 0 {
                labels[i].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| {
            if percent {
                format!("{:.0}%", v * 100.0)
            } else {
                fmt_num(*v)
            }
        })
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style((FONT, 12).into_font().color(&INK))
        .axis_desc_style((FONT, 13).into_font().color(&INK))
        .draw()
        .map_err(err)?;
    Ok(chart)
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
    let step = (n / 14).max(1);
    let mut chart = axes(root, x, (step, false), top, *percent, (x_label, y_label))?;
    bar_series(&mut chart, series, n, *stacked)?;
    if let Some((xv, label)) = x_ref {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(*xv, 0.0), (*xv, top)],
                6,
                4,
                INK.stroke_width(2),
            ))
            .map_err(err)?
            .label(label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], INK.stroke_width(2)));
    }
    if let Some((yv, label)) = y_ref {
        goal_line(&mut chart, n, *yv, label)?;
    }
    legend(&mut chart)
}

/// The bars of each series over `n` categories, side by side or stacked.
fn bar_series<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    series: &[(String, Vec<f64>)],
    n: usize,
    stacked: bool,
) -> DrawResult {
    let k = series.len().max(1);
    let mut base = vec![0.0; n];
    for (si, (name, vals)) in series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
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
    let mut chart = axes(root, x, (1, true), top, *percent, (x_label, y_label))?;
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
    for (r, row) in values.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let y0 = (nr - 1 - r) as f64;
            let color = match v {
                // Blue (in target) through white to vermillion (missed): safe for red–green deficiency.
                Some(v) => blend(RGBColor(213, 94, 0), RGBColor(0, 114, 178), *v),
                None => RGBColor(245, 245, 245),
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(c as f64, y0), (c as f64 + 1.0, y0 + 1.0)],
                    color.filled(),
                )))
                .map_err(err)?;
            if let Some(v) = v {
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{:.0}", v * 100.0),
                        (c as f64 + 0.5, y0 + 0.5),
                        (FONT, 11)
                            .into_font()
                            .color(&WHITE)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
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
