//! Columns of a loaded frame as plain vectors, read array by array: the task
//! facts, the reconciliation and the lists walk rows by index.

use anyhow::{Context, Result};
use polars::prelude::{DataFrame, DataType};

/// A string column as optional strings, read array by array (a column without
/// nulls skips the validity check).
pub fn strs<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<Option<&'a str>>> {
    use polars_arrow::array::Array;
    let ca = df
        .column(name)
        .with_context(|| format!("column {name}"))?
        .str()?;
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        if arr.null_count() == 0 {
            out.extend(arr.values_iter().map(Some));
        } else {
            out.extend(arr.iter());
        }
    }
    Ok(out)
}

/// For each row of a string column, which of `values` it holds (its index in
/// `values`), or `None` for null or any other string: what comparing every row
/// with each value would give, without materializing or comparing a single
/// string for the usual short ones. A string of up to 12 bytes is stored whole in
/// its 16-byte view (zero-padded, as polars checks), so one 128-bit comparison
/// per candidate decides it; only longer strings are compared byte by byte.
pub fn codes(df: &DataFrame, name: &str, values: &[&str]) -> Result<Vec<Option<u8>>> {
    use polars_arrow::array::Array;
    anyhow::ensure!(values.len() < 256, "too many values to code");
    let ca = df
        .column(name)
        .with_context(|| format!("column {name}"))?
        .str()?;
    let inline: Vec<(u128, u8)> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.len() <= 12)
        .map(|(k, v)| {
            // The view of a short string: its length, then its bytes, then zeros.
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&(v.len() as u32).to_ne_bytes());
            b[4..4 + v.len()].copy_from_slice(v.as_bytes());
            (u128::from_ne_bytes(b), k as u8)
        })
        .collect();
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        for (i, v) in arr.views().iter().enumerate() {
            let code = if !arr.is_valid(i) {
                None
            } else if v.length <= 12 {
                let x = v.as_u128();
                inline.iter().find(|(c, _)| *c == x).map(|&(_, k)| k)
            } else {
                // Length and first four bytes are in the view: compare the bytes
                // only of a value they match.
                let s = arr.value(i);
                values
                    .iter()
                    .position(|c| {
                        c.len() == v.length as usize
                            && c.as_bytes()[..4] == v.prefix.to_le_bytes()
                            && *c == s
                    })
                    .map(|k| k as u8)
            };
            out.push(code);
        }
    }
    Ok(out)
}

/// A column of a domain enumeration, parsed once: each row's value, `None` for
/// an empty cell or a string the enumeration does not know.
pub fn parsed<T: crate::model::domain::LakeEnum>(
    df: &DataFrame,
    name: &str,
) -> Result<Vec<Option<T>>> {
    let names: Vec<&str> = T::ALL.iter().map(|v| v.as_str()).collect();
    Ok(codes(df, name, &names)?
        .into_iter()
        .map(|k| k.map(|k| T::ALL[k as usize]))
        .collect())
}

/// A timestamp column as optional µs (any integer-backed column as its values
/// widened to i64), read array by array.
pub fn times(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    use polars_arrow::array::Array;
    let c = df.column(name).with_context(|| format!("column {name}"))?;
    let phys = c.to_physical_repr();
    let c = if phys.dtype() == &DataType::Int64 {
        phys
    } else {
        c.cast(&DataType::Int64)?
    };
    let ca = c.i64()?;
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        if arr.null_count() == 0 {
            out.extend(arr.values().iter().map(|&v| Some(v)));
        } else {
            out.extend(arr.iter().map(|v| v.copied()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{NamedFrom, Series};

    #[test]
    fn parsed_reads_each_value_once_and_leaves_unknown_strings_empty() {
        use crate::model::domain::Direction;
        let df = DataFrame::new(
            4,
            vec![Series::new(
                "d".into(),
                vec![Some("outbound"), None, Some("sideways"), Some("inbound")],
            )
            .into()],
        )
        .unwrap();
        assert_eq!(
            parsed::<Direction>(&df, "d").unwrap(),
            [
                Some(Direction::Outbound),
                None,
                None,
                Some(Direction::Inbound)
            ]
        );
    }

    #[test]
    fn codes_match_comparing_every_string() {
        // Short and long strings, shared prefixes, the empty string, nulls, and
        // strings that are no value; in two chunks.
        let values = [
            "inbound",
            "",
            "unable_to_reach",
            "unable_to_rea",
            "callback_set",
        ];
        let rows_a = vec![
            Some("inbound"),
            None,
            Some("unable_to_reach"),
            Some("unable_to_reachx"),
            Some("unable_to_rea"),
            Some(""),
        ];
        let rows_b = vec![
            Some("callback_set"),
            Some("callback_se"),
            Some("inbound "),
            Some("a string much longer than twelve bytes"),
            None,
        ];
        let frame = |v: Vec<Option<&str>>| {
            DataFrame::new(v.len(), vec![Series::new("s".into(), v).into()]).unwrap()
        };
        let mut df = frame(rows_a.clone());
        df.vstack_mut_owned(frame(rows_b.clone())).unwrap();
        assert!(df.first_col_n_chunks() > 1);
        let want: Vec<Option<u8>> = rows_a
            .iter()
            .chain(&rows_b)
            .map(|r| r.and_then(|s| values.iter().position(|v| *v == s).map(|k| k as u8)))
            .collect();
        assert_eq!(codes(&df, "s", &values).unwrap(), want);
        assert_eq!(
            want,
            [
                Some(0),
                None,
                Some(2),
                None,
                Some(3),
                Some(1),
                Some(4),
                None,
                None,
                None,
                None
            ]
        );
    }
}
