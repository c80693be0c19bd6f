#!/usr/bin/env bash
# Issue 26's steps for one or more builds, runs alternated so a busy machine
# slows each alike:
#   1. a year of exports (all but its last day) into an empty lake (`ingest`);
#   2. the last day's exports added, then the whole `nightly` for that day
#      (ingest of the new files, metrics, daily review, lists; the day is a
#      Tuesday, so no weekly report), with its stage times from the run manifest;
#   2b. the whole `nightly` of the Sunday before (2026-11-22), a report day:
#      the weekly report (13 weeks of metrics, every practice's staffing view
#      and findings) on top of the above, nothing new to ingest;
#   3. a re-run of `ingest` with nothing new (recognising every export);
#   4. `metrics --csv summary` over the year.
# Prints one tab-separated line per build, step and round: wall s, user s, peak RSS KiB.
#
# usage: benches/nightly-increment.sh WORKDIR PRACTICES FILE_PER ROUNDS BIN [BIN...]
#   FILE_PER: day or week. The data: `sample --practices N --days 366
#   --start 2025-11-24 --seed 7` (the generator of issue 26's measurements).
set -euo pipefail
work=$1; practices=$2; per=$3; rounds=$4; shift 4
bins=("$@")
start=2025-11-24
last=2026-11-24
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
cd "$work"
if [ ! -f followup.toml ]; then
  "${bins[0]}" --config "$here/followup.toml" sample --practices "$practices" --days 366 \
    --start "$start" --seed 7 --file-per "$per" --out "$work/exports" \
    --write-config "$work/base.toml" --quiet
  # The last day's files are held back: the nightly adds them.
  mkdir -p held
  for p in exports/*/; do
    p=$(basename "$p"); mkdir -p "held/$p"
    mv "exports/$p/"*"_$last".* "held/$p/" 2>/dev/null || true
  done
  cp base.toml followup.toml
fi
# Week files: the last week's files are written whole, so nothing is held back.
measure() { # label, command... → "label<TAB>wall<TAB>user<TAB>rss"
  # A failing step stops the script with the last lines it wrote to stderr.
  local label=$1; shift
  local err; err=$(mktemp)
  if ! /usr/bin/time -o "$err.time" -f "$label	%e	%U	%M" "$@" >/dev/null 2>"$err"; then
    echo "$label FAILED: $*" >&2; tail -n 20 "$err" >&2; rm -f "$err" "$err.time"; return 1
  fi
  cat "$err.time"; rm -f "$err" "$err.time"
}
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for i in "${!bins[@]}"; do
    bin=${bins[$i]}
    d="$work/run$i"
    rm -rf "$d"; mkdir -p "$d"
    sed -e "s#$work/lake#$d/lake#; s#$work/quarantine#$d/quarantine#; s#$work/runs#$d/runs#; s#$work/reports#$d/reports#; s#$work/lists#$d/lists#" \
      base.toml > "$d/followup.toml"
    # Exports written long enough ago for the stamp cache to trust them.
    measure "build$i round$round year-ingest" "$bin" --config "$d/followup.toml" ingest --quiet
    for p in held/*/; do cp -p "$p"* "exports/$(basename "$p")/" 2>/dev/null || true; done
    measure "build$i round$round nightly" "$bin" --config "$d/followup.toml" nightly --date "$last" -q
    python3 - "$d" "build$i round$round" <<'EOF'
import json, glob, sys
m = json.load(open(sorted(glob.glob(sys.argv[1] + "/runs/*/manifest.json"))[-1]))
print(sys.argv[2], "stages", " ".join(f"{s['name']}={s['seconds']}" for s in m["stages"]), sep="\t")
EOF
    measure "build$i round$round nightly-report-day" "$bin" --config "$d/followup.toml" nightly --date 2026-11-22 -q
    python3 - "$d" "build$i round$round" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1] + "/runs/2026-11-22/manifest.json"))
print(sys.argv[2], "report-day stages", " ".join(f"{s['name']}={s['seconds']}" for s in m["stages"]), sep="\t")
EOF
    measure "build$i round$round re-ingest" "$bin" --config "$d/followup.toml" ingest --quiet
    measure "build$i round$round metrics-summary" "$bin" --config "$d/followup.toml" metrics \
      --from "$start" --to "$last" --out "$d/metrics" --csv summary --quiet
    for p in held/*/; do for f in "$p"*; do rm -f "exports/$(basename "$p")/$(basename "$f")"; done; done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
