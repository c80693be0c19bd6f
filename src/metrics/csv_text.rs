//! CSV text of a frame's rows, byte for byte what polars' `CsvWriter` writes with
//! the options of `write::csv_writer` (comma, `"` quotes only where necessary, empty
//! nulls, four decimals, dates `%Y-%m-%d`, UTC datetimes `%Y-%m-%dT%H:%M:%SZ`), but
//! several times faster: polars formats every datetime through chrono's strftime
//! machinery, which dominated the CPU time of writing the row-level tables.
//!
//! Each field is read by index from its column's single Arrow array (no per-value
//! iterator), and a date's text is reused while neighbouring values share the day.
//!
//! Only the column types the metrics tables use are handled; for any other type
//! `rows` returns `None` and the caller falls back to polars. The property test in
//! this module's tests compares the two writers on random frames.

use polars::prelude::{
    ChunkedArray, DataFrame, DataType, PolarsDataType, PolarsNumericType, Series, TimeUnit,
    TimeZone,
};
use polars_arrow::array::{Array, BooleanArray, Utf8ViewArray};
use polars_arrow::bitmap::Bitmap;
use std::io::Write;

const US_PER_DAY: i64 = 86_400_000_000;
/// Days from 0001-01-01 (day 1 of the proleptic Gregorian calendar) to 1970-01-01.
const EPOCH_DAYS_CE: i64 = 719_163;

/// Rows of `df` as CSV text without a header, or `None` when a column has a type
/// this writer does not handle. Written row by row, each field straight into the
/// output from the column's single Arrow array.
pub fn rows(df: &DataFrame) -> Option<Vec<u8>> {
    let n = df.height();
    if df.width() == 0 {
        return None;
    }
    if n == 0 {
        return Some(Vec::new());
    }
    // One chunk per column, and the physical values (days, microseconds) of each,
    // kept alive for the fields below.
    let mut df = df.clone();
    df.rechunk_mut();
    let phys: Vec<Series> = df
        .columns()
        .iter()
        .map(|c| c.as_materialized_series().to_physical_repr().into_owned())
        .collect();
    let mut fields = Vec::with_capacity(phys.len());
    let mut width = 0usize;
    for (c, p) in df.columns().iter().zip(&phys) {
        let (field, w) = Field::of(c.dtype(), p)?;
        fields.push(field);
        width += w + 1;
    }
    let mut out = Vec::with_capacity(n * width);
    let last = fields.len() - 1;
    for i in 0..n {
        for (k, f) in fields.iter_mut().enumerate() {
            if f.valid.is_none_or(|v| v.get_bit(i)) {
                f.put(&mut out, i)?;
            }
            out.push(if k == last { b'\n' } else { b',' });
        }
    }
    Some(out)
}

/// A column's values, by the type they are written as.
enum Values<'a> {
    Str(&'a Utf8ViewArray),
    Bool(&'a BooleanArray),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U32(&'a [u32]),
    F64(&'a [f64]),
    /// Days since 1970-01-01.
    Date(&'a [i32], DayText),
    /// UTC µs since the epoch.
    Datetime(&'a [i64], DayText),
}

/// One column of the output: its values and which of them are valid (`None`: all).
struct Field<'a> {
    values: Values<'a>,
    valid: Option<&'a Bitmap>,
}

/// The single Arrow array of a one-chunk column.
fn single<T: PolarsDataType>(ca: &ChunkedArray<T>) -> Option<&T::Array> {
    let mut chunks = ca.downcast_iter();
    let arr = chunks.next()?;
    chunks.next().is_none().then_some(arr)
}

fn slice<T: PolarsNumericType>(ca: &ChunkedArray<T>) -> Option<(&[T::Native], Option<&Bitmap>)> {
    let arr = single(ca)?;
    Some((arr.values().as_slice(), validity(arr)))
}

fn validity(arr: &dyn Array) -> Option<&Bitmap> {
    arr.validity().filter(|_| arr.null_count() > 0)
}

impl<'a> Field<'a> {
    /// The field of a column of logical type `dtype` with physical values `p` (one
    /// chunk), and the typical width of a value (to size the output); `None` for a
    /// type this writer does not handle.
    fn of(dtype: &DataType, p: &'a Series) -> Option<(Field<'a>, usize)> {
        let (values, valid, w) = match dtype {
            DataType::String => {
                let arr = single(p.str().ok()?)?;
                let avg = arr.total_bytes_len() / arr.len().max(1);
                (Values::Str(arr), validity(arr), avg + 2)
            }
            DataType::Boolean => {
                let arr = single(p.bool().ok()?)?;
                (Values::Bool(arr), validity(arr), 5)
            }
            DataType::Int32 => {
                let (v, valid) = slice(p.i32().ok()?)?;
                (Values::I32(v), valid, 6)
            }
            DataType::Int64 => {
                let (v, valid) = slice(p.i64().ok()?)?;
                (Values::I64(v), valid, 8)
            }
            DataType::UInt32 => {
                let (v, valid) = slice(p.u32().ok()?)?;
                (Values::U32(v), valid, 6)
            }
            DataType::Float64 => {
                let (v, valid) = slice(p.f64().ok()?)?;
                (Values::F64(v), valid, 10)
            }
            DataType::Date => {
                let (v, valid) = slice(p.i32().ok()?)?;
                (Values::Date(v, DayText::default()), valid, 10)
            }
            DataType::Datetime(TimeUnit::Microseconds, tz) if is_utc(tz.as_ref()) => {
                let (v, valid) = slice(p.i64().ok()?)?;
                (Values::Datetime(v, DayText::default()), valid, 20)
            }
            _ => return None,
        };
        Some((Field { values, valid }, w))
    }

    /// Write row `i`'s (valid) value.
    fn put(&mut self, b: &mut Vec<u8>, i: usize) -> Option<()> {
        match &mut self.values {
            Values::Str(a) => string(b, a.value(i)),
            Values::Bool(a) => b.extend_from_slice(if a.value(i) { b"true" } else { b"false" }),
            Values::I32(v) => int(b, v[i]),
            Values::I64(v) => int(b, v[i]),
            Values::U32(v) => int(b, v[i]),
            Values::F64(v) => float4(b, v[i]),
            Values::Date(v, day) => date(b, v[i] as i64, day)?,
            Values::Datetime(v, day) => datetime(b, v[i], day)?,
        }
        Some(())
    }
}

fn int<T: itoa::Integer>(b: &mut Vec<u8>, v: T) {
    b.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// The text of the last day written in a column (`%Y-%m-%d`): neighbouring rows
/// often fall on the same day.
#[derive(Default)]
struct DayText {
    day: Option<i64>,
    text: [u8; 10],
}

impl DayText {
    /// The day's text, or `None` for a year outside 0–9999.
    fn of(&mut self, days: i64) -> Option<&[u8; 10]> {
        if self.day != Some(days) {
            let mut t = Vec::with_capacity(10);
            ymd(&mut t, civil(days)?);
            self.text.copy_from_slice(&t);
            self.day = Some(days);
        }
        Some(&self.text)
    }
}

/// A float with four decimals, as `format!("{v:.4}")` writes it (what polars does
/// with a float precision of 4). The exact decimal expansion is rounded half to
/// even; scaling by 10⁴ in floating point agrees with it unless the scaled value is
/// within rounding error of a tie, and those (with non-finite and huge values) go
/// through the standard formatter.
fn float4(buf: &mut Vec<u8>, v: f64) {
    let scaled = v.abs() * 1e4;
    let frac = scaled - scaled.floor();
    if !(scaled < 1e15) || (frac - 0.5).abs() < 1e-6 {
        let _ = write!(buf, "{v:.4}");
        return;
    }
    let r = scaled.round() as u64;
    if v.is_sign_negative() {
        buf.push(b'-');
    }
    let mut f = itoa::Buffer::new();
    let int = f.format(r / 10_000);
    buf.extend_from_slice(int.as_bytes());
    buf.push(b'.');
    digits(buf, (r % 10_000) as u32, 4);
}

fn is_utc(tz: Option<&TimeZone>) -> bool {
    tz.is_some_and(|z| *z == TimeZone::UTC)
}

/// A string field, quoted when it is empty (to tell it from a null) or holds a
/// comma, a quote or a line break; quotes inside are doubled.
fn string(buf: &mut Vec<u8>, v: &str) {
    let b = v.as_bytes();
    if b.is_empty() {
        buf.extend_from_slice(b"\"\"");
        return;
    }
    if !b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        buf.extend_from_slice(b);
        return;
    }
    buf.push(b'"');
    for &c in b {
        if c == b'"' {
            buf.push(b'"');
        }
        buf.push(c);
    }
    buf.push(b'"');
}

/// Civil date of a day count since 1970-01-01, for years 0–9999 (the years chrono
/// prints as four plain digits); `None` outside them. Plain arithmetic (Howard
/// Hinnant's `civil_from_days`): 400-year eras of 146 097 days, years starting on
/// 1 March so the leap day ends the year. A test compares it with chrono on every
/// day of those years.
fn civil(days: i64) -> Option<(u32, u32, u32)> {
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146_096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // from 1 March, 0..=365
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (0..=9999)
        .contains(&y)
        .then(|| (y as u32, m as u32, d as u32))
}

fn digits(buf: &mut Vec<u8>, v: u32, width: usize) {
    let mut tmp = [b'0'; 4];
    let mut v = v;
    for i in (0..width).rev() {
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    buf.extend_from_slice(&tmp[..width]);
}

fn ymd(buf: &mut Vec<u8>, (y, m, d): (u32, u32, u32)) {
    digits(buf, y, 4);
    buf.push(b'-');
    digits(buf, m, 2);
    buf.push(b'-');
    digits(buf, d, 2);
}

/// A date as chrono displays it (`%Y-%m-%d`); out-of-range years go through chrono.
fn date(buf: &mut Vec<u8>, days: i64, day: &mut DayText) -> Option<()> {
    match day.of(days) {
        Some(t) => buf.extend_from_slice(t),
        None => {
            let d = chrono::NaiveDate::from_num_days_from_ce_opt(
                i32::try_from(days + EPOCH_DAYS_CE).ok()?,
            )?;
            let _ = write!(buf, "{d}");
        }
    }
    Some(())
}

/// A UTC instant in µs as `%Y-%m-%dT%H:%M:%SZ` (seconds truncated, as strftime does).
fn datetime(buf: &mut Vec<u8>, us: i64, day: &mut DayText) -> Option<()> {
    let days = us.div_euclid(US_PER_DAY);
    let secs = (us.rem_euclid(US_PER_DAY) / 1_000_000) as u32;
    match day.of(days) {
        Some(t) => {
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            let two = |v: u32| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
            let [h0, h1] = two(h);
            let [m0, m1] = two(m);
            let [s0, s1] = two(s);
            buf.extend_from_slice(t);
            buf.extend_from_slice(&[b'T', h0, h1, b':', m0, m1, b':', s0, s1, b'Z']);
        }
        None => {
            let t = chrono::DateTime::from_timestamp_micros(us)?;
            let _ = write!(buf, "{}", t.format("%Y-%m-%dT%H:%M:%SZ"));
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{NamedFrom, SerWriter, Series};
    use proptest::prelude::*;

    fn polars_rows(df: &DataFrame) -> Vec<u8> {
        let mut out = Vec::new();
        super::super::write::csv_writer(&mut out)
            .include_header(false)
            .finish(&mut df.clone())
            .unwrap();
        out
    }

    fn frame(
        s: Vec<Option<String>>,
        b: Vec<Option<bool>>,
        i: Vec<Option<i32>>,
        l: Vec<Option<i64>>,
        f: Vec<Option<f64>>,
        d: Vec<Option<i32>>,
        t: Vec<Option<i64>>,
    ) -> DataFrame {
        let n = s.len();
        let u: Vec<Option<u32>> = i.iter().map(|x| x.map(|v| v as u32)).collect();
        DataFrame::new(
            n,
            vec![
                Series::new("s".into(), s).into(),
                Series::new("b".into(), b).into(),
                Series::new("i".into(), i).into(),
                Series::new("l".into(), l).into(),
                Series::new("u".into(), u).into(),
                Series::new("f".into(), f).into(),
                Series::new("d".into(), d)
                    .cast(&DataType::Date)
                    .unwrap()
                    .into(),
                Series::new("t".into(), t)
                    .cast(&DataType::Datetime(
                        TimeUnit::Microseconds,
                        Some(TimeZone::UTC),
                    ))
                    .unwrap()
                    .into(),
            ],
        )
        .unwrap()
    }

    #[test]
    fn edge_values_match_polars() {
        let df = frame(
            vec![
                Some("".into()),
                None,
                Some("a,b".into()),
                Some("say \"hi\"".into()),
                Some("line\nbreak\r".into()),
                Some("plain é".into()),
            ],
            vec![Some(true), Some(false), None, Some(true), None, Some(false)],
            vec![
                Some(0),
                Some(-1),
                Some(i32::MAX),
                Some(i32::MIN),
                None,
                Some(42),
            ],
            vec![
                Some(i64::MIN),
                Some(i64::MAX),
                None,
                Some(0),
                Some(-7),
                Some(7),
            ],
            vec![
                Some(0.00005),
                Some(-0.0),
                Some(f64::NAN),
                Some(f64::INFINITY),
                Some(1e300),
                None,
            ],
            vec![
                Some(0),
                Some(-719_162),
                Some(2_932_896),
                None,
                Some(20_000),
                Some(-1),
            ],
            vec![
                Some(0),
                Some(-1),
                Some(1_764_000_000_123_456),
                None,
                Some(253_402_300_799_999_999),
                Some(-62_135_596_800_000_000),
            ],
        );
        assert_eq!(
            String::from_utf8(rows(&df).unwrap()).unwrap(),
            String::from_utf8(polars_rows(&df)).unwrap()
        );
    }

    #[test]
    fn civil_dates_match_chrono_on_every_day_of_years_0_to_9999() {
        use chrono::Datelike;
        let first = -719_528; // 0000-01-01
        let last = 2_932_896; // 9999-12-31
        assert_eq!(civil(first - 1), None);
        assert_eq!(civil(last + 1), None);
        for days in first..=last {
            let d = chrono::NaiveDate::from_num_days_from_ce_opt((days + EPOCH_DAYS_CE) as i32)
                .unwrap();
            let want = (d.year() as u32, d.month(), d.day());
            assert_eq!(civil(days), Some(want), "day {days}");
        }
    }

    #[test]
    fn frames_of_several_chunks_match_polars() {
        let a = frame(
            vec![Some("x".into()), None],
            vec![Some(true), None],
            vec![Some(1), None],
            vec![None, Some(2)],
            vec![Some(0.5), None],
            vec![Some(1), None],
            vec![None, Some(86_400_000_000)],
        );
        let b = frame(
            vec![Some("y,z".into())],
            vec![Some(false)],
            vec![Some(-3)],
            vec![Some(4)],
            vec![Some(1.25)],
            vec![Some(20_000)],
            vec![Some(1)],
        );
        let mut df = a.clone();
        df.vstack_mut(&b).unwrap();
        assert!(df.first_col_n_chunks() > 1);
        assert_eq!(rows(&df).unwrap(), polars_rows(&df));
    }

    #[test]
    fn unsupported_types_fall_back() {
        let ms = Series::new("x".into(), [1i64])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap();
        let df = DataFrame::new(1, vec![ms.into()]).unwrap();
        assert!(rows(&df).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_frames_match_polars(
            rows_in in proptest::collection::vec(
                (
                    proptest::option::of("[a-c,\"\n é]{0,6}"),
                    proptest::option::of(any::<bool>()),
                    proptest::option::of(any::<i32>()),
                    proptest::option::of(any::<i64>()),
                    proptest::option::of(prop_oneof![
                        any::<f64>(),
                        -1e6f64..1e6,
                        -1.0f64..1.0,
                        // Near and at four-decimal ties.
                        (-2_000_000i64..2_000_000).prop_map(|k| k as f64 / 20_000.0),
                        (-2_000_000i64..2_000_000).prop_map(|k| k as f64 / 20_000.0 + 1e-12),
                    ]),
                    proptest::option::of(-800_000i32..3_000_000),
                    proptest::option::of(prop_oneof![
                        -70_000_000_000_000_000i64..260_000_000_000_000_000,
                        1_700_000_000_000_000i64..1_800_000_000_000_000,
                    ]),
                ),
                0..40,
            )
        ) {
            let mut cols = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
            for (s, b, i, l, f, d, t) in rows_in {
                cols.0.push(s); cols.1.push(b); cols.2.push(i); cols.3.push(l);
                cols.4.push(f); cols.5.push(d); cols.6.push(t);
            }
            let df = frame(cols.0, cols.1, cols.2, cols.3, cols.4, cols.5, cols.6);
            prop_assert_eq!(rows(&df).unwrap(), polars_rows(&df));
        }
    }
}
