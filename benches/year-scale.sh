#!/usr/bin/env bash
# Year-scale benchmark: generate 200 practices × 365 days with `followup sample`,
# ingest it, and measure wall time and peak memory of `followup metrics` over the
# whole year. Results go to BENCHMARKS.md by hand.
#
# usage: benches/year-scale.sh [WORKDIR] [PRACTICES] [DAYS]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/followup-year}
practices=${2:-200}
days=${3:-365}
start=2025-11-24
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
bin="$target/release/followup"
mkdir -p "$work"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label: wall %e s, peak RSS %M KiB" "$@" 2> >(tail -n 1 >&2)
}

if [ ! -f "$work/followup.toml" ]; then
  measure "sample" "$bin" sample --practices "$practices" --days "$days" --start "$start" \
    --seed 1 --out "$work/exports" --write-config "$work/followup.toml" --file-per week --quiet
fi
measure "ingest" "$bin" --config "$work/followup.toml" ingest --quiet
end=$(date -d "$start + $((days - 1)) days" +%F)
echo "data: $(du -sh "$work/exports" | cut -f1) of exports, $(du -sh "$work/lake" | cut -f1) of lake in $(find "$work/lake" -name '*.parquet' | wc -l) files" >&2
# Row counts of the lake (polars SQL has no scalar subqueries: one query each).
for table in calls tasks attempts appointments; do
  n=$("$bin" --config "$work/followup.toml" query --format csv "SELECT count(*) AS n FROM $table" | tail -n 1)
  echo "$table: $n rows" >&2
done
for run in 1 2 3; do
  measure "metrics run $run" "$bin" --config "$work/followup.toml" metrics --from "$start" --to "$end" \
    --out "$work/metrics" --queries queries --quiet
done
# Row-level tables as Parquet only (no multi-gigabyte CSV).
for run in 1 2; do
  measure "metrics --csv summary run $run" "$bin" --config "$work/followup.toml" metrics --from "$start" \
    --to "$end" --out "$work/metrics-summary" --queries queries --csv summary --quiet
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows these runs)" >&2
