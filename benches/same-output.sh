#!/usr/bin/env bash
# Byte-identity check between two builds: generate PRACTICES × DAYS of sample
# exports, run `nightly` (ingest → metrics → daily review → weekly report with
# the staffing view → lists) with each binary in its own folder, and compare
# every output byte for byte (the run manifest's stage timings aside).
#
# usage: benches/same-output.sh BEFORE_BIN AFTER_BIN [WORKDIR] [PRACTICES] [DAYS]
# Exit status 0 when the outputs are identical, 1 (with the differing files
# listed) when they are not.
set -euo pipefail
before=$1
after=$2
work=${3:-/tmp/followup-same}
practices=${4:-20}
days=${5:-365}
start=2025-11-24
end=$(date -d "$start + $((days - 1)) days" +%F)
# The data day: the last Sunday of the data, so the weekly report is written.
sunday=$(date -d "$end - $(( $(date -d "$end" +%u) % 7 )) days" +%F)
mkdir -p "$work"
if [ ! -f "$work/followup.toml" ]; then
  "$before" sample --practices "$practices" --days "$days" --start "$start" --seed 1 \
    --out "$work/exports" --write-config "$work/followup.toml" --file-per week --quiet
fi
for side in before after; do
  rm -rf "${work:?}/$side"
  mkdir -p "$work/$side"
  # The same config bytes on both sides: outputs relative to the config's folder.
  sed -e 's#^lake = .*#lake = "lake"#' -e 's#^quarantine = .*#quarantine = "quarantine"#' \
    -e 's#^reports = .*#reports = "reports"#' "$work/followup.toml" >"$work/$side/followup.toml"
  bin=$before
  [ "$side" = after ] && bin=$after
  /usr/bin/time -f "$side: nightly wall %e s, peak RSS %M KiB" \
    sh -c 'cd "$1" && "$2" --config followup.toml nightly --date "$3" --quiet' _ "$work/$side" "$bin" "$sunday"
done
# The manifests differ in their stage timings; compare them without those. The
# run lock is left behind by design (it names the last run's process).
strip() { sed -E 's/"seconds": [0-9.]+/"seconds": _/' "$1"; }
status=0
while IFS= read -r f; do
  a="$work/before/$f" b="$work/after/$f"
  if [ ! -e "$b" ]; then
    echo "only before: $f"; status=1
  elif [[ "$f" == runs/*/manifest.json ]]; then
    cmp -s <(strip "$a") <(strip "$b") || { echo "differs: $f"; status=1; }
  else
    cmp -s "$a" "$b" || { echo "differs: $f"; status=1; }
  fi
done < <(cd "$work/before" && find . -type f ! -name followup.lock | sed 's#^\./##' | sort)
while IFS= read -r f; do
  [ -e "$work/before/$f" ] || { echo "only after: $f"; status=1; }
done < <(cd "$work/after" && find . -type f ! -name followup.lock | sed 's#^\./##' | sort)
[ $status -eq 0 ] && echo "identical: $(cd "$work/before" && find . -type f | wc -l) files"
exit $status
