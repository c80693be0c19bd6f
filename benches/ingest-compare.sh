#!/usr/bin/env bash
# Clean-ingest speed of two builds on the same exports, runs alternated so a busy
# machine slows both alike: `followup ingest` into an empty lake, N times each.
#
# usage: benches/ingest-compare.sh BEFORE_BIN AFTER_BIN [WORKDIR] [PRACTICES] [DAYS] [RUNS]
set -euo pipefail
before=$1
after=$2
work=${3:-/tmp/followup-ingest-compare}
practices=${4:-8}
days=${5:-91}
runs=${6:-3}
cd "$(dirname "$0")/.."
mkdir -p "$work"
if [ ! -f "$work/bench.toml" ]; then
  cp followup.toml "$work/followup.toml"
  "$after" --config "$work/followup.toml" sample --practices "$practices" --days "$days" \
    --seed 1 --out "$work/exports" --write-config "$work/bench.toml" --quiet
fi
echo "exports: $(du -sh "$work/exports" | cut -f1) in $(find "$work/exports" -type f | wc -l) files" >&2
for run in $(seq 1 "$runs"); do
  for which in before after; do
    bin=$before
    [ "$which" = after ] && bin=$after
    rm -rf "$work/lake" "$work/quarantine" "$work/runs"
    /usr/bin/time -f "$which run $run: wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
      "$bin" --config "$work/bench.toml" ingest --quiet 2> >(tail -n 1 >&2)
  done
done
