//! What the SQL text says about its result: the column names as written, and
//! whether it orders its rows.
//!
//! polars names an unaliased expression after its input column (`sum(n)` is `n`)
//! or after its function (`count(*)` is `len`); a person reading the result
//! expects the text they wrote. The SQL is parsed with the parser polars itself
//! uses (sqlparser, generic dialect), so the two never disagree on what the
//! projection is.

use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// The shape of a query's result, as its text says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Written {
    /// One entry per projected column when the projection has no wildcard:
    /// `Some(text)` for an unaliased expression (to name the column), `None` for
    /// a column polars already names as written (an alias, a plain column).
    pub names: Option<Vec<Option<String>>>,
    /// The query has an ORDER BY at its top level.
    pub ordered: bool,
    /// Tables the query names (`FROM x`, `JOIN y`), lower case, in order.
    pub tables: Vec<String>,
}

/// Read the shape of `sql`; text that does not parse gives the default (polars
/// then reports the syntax error itself).
pub fn written(sql: &str) -> Written {
    let Ok(statements) = Parser::parse_sql(&GenericDialect, sql) else {
        return Written::default();
    };
    let Some(Statement::Query(q)) = statements.last() else {
        return Written::default();
    };
    let mut tables = Vec::new();
    collect_tables(&statements, &mut tables);
    // A CTE's name is not a table to register.
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            let name = cte.alias.name.value.to_lowercase();
            tables.retain(|t| *t != name);
        }
    }
    Written {
        names: projection(&q.body),
        ordered: q.order_by.is_some(),
        tables,
    }
}

fn projection(body: &SetExpr) -> Option<Vec<Option<String>>> {
    match body {
        SetExpr::Select(s) => s
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::UnnamedExpr(Expr::Identifier(_) | Expr::CompoundIdentifier(_)) => {
                    Some(None)
                }
                SelectItem::UnnamedExpr(e) => Some(Some(e.to_string())),
                SelectItem::ExprWithAlias { .. } => Some(None),
                _ => None, // a wildcard: the column count is not in the text
            })
            .collect(),
        SetExpr::Query(q) => projection(&q.body),
        // A union takes its names from its first branch.
        SetExpr::SetOperation { left, .. } => projection(left),
        _ => None,
    }
}

/// The relations named anywhere in the statements (FROM, JOIN, subqueries).
fn collect_tables(statements: &[Statement], out: &mut Vec<String>) {
    use sqlparser::ast::{visit_relations, ObjectName};
    for s in statements {
        let _ = visit_relations(s, |name: &ObjectName| {
            let text = name.to_string().to_lowercase();
            if !out.contains(&text) {
                out.push(text);
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
    }
}

/// Rename the columns of `df` to the names as written, when the projection says
/// exactly one name per column and the result would have no duplicate name.
pub fn apply(
    df: &mut polars::prelude::DataFrame,
    w: &Written,
) -> polars::prelude::PolarsResult<()> {
    let Some(names) = &w.names else {
        return Ok(());
    };
    if names.len() != df.width() {
        return Ok(());
    }
    let current: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let wanted: Vec<String> = names
        .iter()
        .zip(&current)
        .map(|(w, c)| w.clone().unwrap_or_else(|| c.clone()))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    if !wanted.iter().all(|n| seen.insert(n)) {
        return Ok(());
    }
    df.set_column_names(&wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unaliased_expressions_are_named_as_written() {
        let w =
            written("select category, count(*), sum(n) as total, t.x from tasks t group by 1, 4");
        assert_eq!(
            w.names,
            Some(vec![None, Some("count(*)".into()), None, None])
        );
        assert!(!w.ordered);
        assert_eq!(w.tables, vec!["tasks".to_string()]);
    }

    #[test]
    fn wildcards_keep_polars_names_and_order_by_is_seen() {
        let w = written("SELECT * FROM calls ORDER BY call_id");
        assert_eq!(w.names, None);
        assert!(w.ordered);
        let w = written("with x as (select 1 as a) select a from x join contacts c on true");
        assert_eq!(w.tables, vec!["contacts".to_string()]);
    }

    #[test]
    fn unparsable_text_gives_nothing() {
        assert_eq!(written("SELEC nothing"), Written::default());
    }
}
