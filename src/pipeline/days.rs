//! The data day: the latest local date the lake holds a task for, never later
//! than today by the run's clock.

use crate::error::UsageError;
use crate::lake::schema::Table;
use crate::lake::Lake;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::{col, DataType};

/// The latest local date (in any practice's zone) on which a task was created,
/// or a usage error saying to ingest first.
pub fn latest_day(config: &crate::config::Config, lake: &Lake) -> Result<NaiveDate> {
    latest_task_date(config, lake)?.ok_or_else(|| {
        UsageError(format!(
            "the lake at {} holds no tasks; run `followup ingest` first",
            lake.root.display()
        ))
        .into()
    })
}

/// The latest local date with a task in the lake, never later than today.
pub fn latest_task_date(config: &crate::config::Config, lake: &Lake) -> Result<Option<NaiveDate>> {
    // Never later than today (by the run's clock): a task from the future must not
    // move the data day there.
    let today = today(config)?;
    Ok(latest_task_date_in_lake(config, lake)?.map(|d| today.map_or(d, |t| d.min(t))))
}

/// The local day of the latest task created in the lake, whatever the clock says.
pub fn latest_task_date_in_lake(
    config: &crate::config::Config,
    lake: &Lake,
) -> Result<Option<NaiveDate>> {
    let df = lake
        .scan(Table::Tasks)?
        .select([col("created_at").max().cast(DataType::Int64)])
        .collect()
        .context("finding the latest task in the lake")?;
    let Some(us) = df.column("created_at")?.i64()?.get(0) else {
        return Ok(None);
    };
    Ok(config
        .practices
        .iter()
        .map(|p| crate::model::facts::local(p, us).0)
        .max())
}

/// Today by the run's clock (`crate::clock`), in the practice whose day is furthest on.
pub fn today(config: &crate::config::Config) -> Result<Option<NaiveDate>> {
    let now = crate::clock::now()?.timestamp_micros();
    Ok(config
        .practices
        .iter()
        .map(|p| crate::model::facts::local(p, now).0)
        .max())
}
