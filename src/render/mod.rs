//! What the renderers share (the report, the lists' HTML, the staffing heatmap):
//! one table builder for HTML and Markdown, escaping, the chart font and colours.

pub mod markup;
pub mod style;
