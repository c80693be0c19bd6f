#!/usr/bin/env bash
# Render a report in headless Chromium (Debian's `chromium`) and save a screenshot
# and a PDF, to look at before calling a report change done.
#   tests/screenshot.sh reports/2026-W47/report.html /tmp/report.png
set -euo pipefail
html=$(realpath "$1")
png=${2:-/tmp/report.png}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$profile" --hide-scrollbars)
chromium "${flags[@]}" --window-size=1100,2400 --screenshot="$png" "file://$html" 2>/dev/null
chromium "${flags[@]}" --print-to-pdf="${png%.png}.pdf" --no-pdf-header-footer "file://$html" 2>/dev/null
echo "wrote $png and ${png%.png}.pdf"
