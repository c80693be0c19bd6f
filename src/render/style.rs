//! What every chart shares: the embedded font and the colours.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (registered once), so a
//! PNG renders the same on a bare machine. Colours are the Okabe–Ito palette,
//! which stays distinguishable with the common colour-vision deficiencies.

use plotters::prelude::*;
use std::sync::Once;

/// Okabe–Ito.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
];
pub const INK: RGBColor = RGBColor(33, 33, 33);
pub const FONT: &str = "sans-serif";

static FONTS: Once = Once::new();

pub fn register_fonts() {
    FONTS.call_once(|| {
        // Both calls only fail on a malformed font file, which the tests would catch.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}
