#!/bin/sh
# Opens a generated HTML report in headless Chromium and checks that every
# chart rendered a non-empty SVG and that nothing logged an error; saves a
# screenshot next to the report.
#
#   browser_check.sh REPORT_FIXTURE_BINARY OUTPUT_DIR [CHROMIUM]
#   browser_check.sh --report FILE.html OUTPUT_DIR [CHROMIUM]
#
# The page records what it rendered in #effbench-status (Note [Self-contained
# report] in src/report/html.h): data-done, data-charts, data-rendered,
# data-errors (uncaught errors, console.error calls, blocked requests).
# Chromium's own console log (--enable-logging=stderr) is checked as well.
set -eu

if [ "$1" = "--report" ]; then
  report_source=$2
  fixture=""
  shift 2
else
  fixture=$1
  report_source=""
  shift 1
fi
out_dir=$1
chromium=${2:-chromium}

mkdir -p "$out_dir"
report="$out_dir/report.html"
if [ -n "$fixture" ]; then
  "$fixture" "$report"
else
  cp "$report_source" "$report"
fi

profile=$(mktemp -d "${TMPDIR:-/tmp}/effbench-chromium.XXXXXX")
trap 'rm -rf "$profile"' EXIT

# The flags keep Chromium from reaching out: no first-run UI, no background
# networking, updates or sync; the report itself is file:// and allows no
# connection (its Content-Security-Policy).
run_chromium() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --disable-extensions --mute-audio \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 \
    --virtual-time-budget=20000 "$@" "file://$(realpath "$report")"
}

run_chromium --window-size=1280,1000 --dump-dom >"$out_dir/dom.html" 2>"$out_dir/chromium.log" || {
  echo "browser_check: chromium failed; see $out_dir/chromium.log" >&2
  tail -20 "$out_dir/chromium.log" >&2
  exit 1
}

status=$(grep -o '<p id="effbench-status"[^>]*>[^<]*' "$out_dir/dom.html" || true)
attribute() { printf '%s' "$status" | sed -n "s/.*$1=\"\\([^\"]*\\)\".*/\\1/p"; }
done_flag=$(attribute data-done)
charts=$(attribute data-charts)
rendered=$(attribute data-rendered)
errors=$(attribute data-errors)
height=$(attribute data-height)
echo "browser_check: ${status#*>}"

failed=0
# Every report leads with its summary; EXPECT_TEXT (optional) must be on the rendered page too.
for wanted in 'id="summary"' "${EXPECT_TEXT:-}"; do
  if [ -n "$wanted" ] && ! grep -qF "$wanted" "$out_dir/dom.html"; then
    echo "browser_check: FAIL: the rendered page lacks: $wanted" >&2
    failed=1
  fi
done
if [ "$done_flag" != "true" ]; then
  echo "browser_check: FAIL: the page did not finish rendering (data-done=$done_flag)" >&2
  failed=1
fi
if [ -z "$charts" ] || [ "$charts" -eq 0 ] || [ "$rendered" != "$charts" ]; then
  echo "browser_check: FAIL: $rendered of $charts charts rendered a non-empty SVG" >&2
  failed=1
fi
if [ "$errors" != "0" ]; then
  echo "browser_check: FAIL: $errors errors on the page" >&2
  failed=1
fi
# Console messages as Chromium logs them: "...:CONSOLE...] "text", source: ...".
if grep 'CONSOLE' "$out_dir/chromium.log" | grep -Eq '"(Uncaught|Error|ERROR|Refused)'; then
  echo "browser_check: FAIL: console errors:" >&2
  grep 'CONSOLE' "$out_dir/chromium.log" | grep -E '"(Uncaught|Error|ERROR|Refused)' >&2
  failed=1
fi
if grep 'CONSOLE' "$out_dir/chromium.log" | grep -q '"WARN'; then
  echo "browser_check: note: Vega warnings:" >&2
  grep 'CONSOLE' "$out_dir/chromium.log" | grep '"WARN' >&2
fi

# The screenshot, as tall as the page (capped).
if [ -z "$height" ] || [ "$height" -gt 16000 ]; then height=16000; fi
run_chromium --hide-scrollbars --window-size="1280,$height" --screenshot="$out_dir/report.png" \
  >/dev/null 2>>"$out_dir/chromium.log" || true
if [ ! -s "$out_dir/report.png" ]; then
  echo "browser_check: FAIL: no screenshot written" >&2
  failed=1
else
  echo "browser_check: screenshot $out_dir/report.png (1280x$height)"
fi
exit $failed
