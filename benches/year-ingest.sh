#!/usr/bin/env bash
# A year's ingest into an empty lake, for each build in turn (one round):
# the exports and `base.toml` of a folder `benches/nightly-increment.sh`
# generated (its last day held back, as it leaves it).
# Prints one line per build: wall s, user s, system s, peak RSS KiB.
#
# usage: benches/year-ingest.sh WORKDIR BIN [BIN...]
set -euo pipefail
work=$1; shift
cd "$work"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 $#); do
  bin=${!i}
  d="$work/year$i"
  rm -rf "$d"; mkdir -p "$d"
  sed -e "s#$work/lake#$d/lake#; s#$work/quarantine#$d/quarantine#; s#$work/runs#$d/runs#; s#$work/reports#$d/reports#; s#$work/lists#$d/lists#" \
    base.toml > "$d/followup.toml"
  /usr/bin/time -f "build$i year-ingest	%e	%U	%S	%M" "$bin" --config "$d/followup.toml" ingest --quiet
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
