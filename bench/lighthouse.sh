#!/bin/sh
# Lighthouse (mobile) on the resident pages, with the system Chromium.
#
#   bench/lighthouse.sh [BASE_URL [PATH ...]]   # default http://127.0.0.1:5000 (python3 dev.py run)
#
# PATHs replace the default pages (e.g. the busiest topic: /topics/1234). With
# LIGHTHOUSE_COOKIE="linli_session=…" every page is loaded as that signed-in person
# (the cookie goes in a request header; nothing is stored).
#
# Lighthouse is installed with npm into a cache folder (not the repository) when missing:
# LIGHTHOUSE_HOME, default ~/.cache/linli-lighthouse. Reports go to test-output/lighthouse/.
set -eu
BASE=${1:-http://127.0.0.1:5000}
[ $# -gt 0 ] && shift
PAGES=${*:-/ /c/1 /c/1/topics /topics/1 /c/1/activities /login}
HEADERS=""
if [ -n "${LIGHTHOUSE_COOKIE:-}" ]; then
  HEADERS="{\"Cookie\":\"$LIGHTHOUSE_COOKIE\"}"  # no spaces: it is one word below
fi
HOME_DIR=${LIGHTHOUSE_HOME:-$HOME/.cache/linli-lighthouse}
OUT=$(dirname "$0")/../test-output/lighthouse
CHROME_PATH=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser)}
export CHROME_PATH
if [ ! -x "$HOME_DIR/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$HOME_DIR"
  npm install --prefix "$HOME_DIR" --no-audit --no-fund lighthouse@13
fi
mkdir -p "$OUT"
for page in $PAGES; do
  name=$(echo "$page" | tr '/?=&' '____' | sed 's/^_$/home/')${LIGHTHOUSE_COOKIE:+_signed_in}
  # headless Chromium now and then loses the trace (NO_NAVSTART): try a page up to three times
  for attempt in 1 2 3; do
    if "$HOME_DIR/node_modules/.bin/lighthouse" "$BASE$page" --quiet --form-factor=mobile \
        --only-categories=performance,accessibility,best-practices \
        ${HEADERS:+--extra-headers="$HEADERS"} \
        --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" --output=json \
        --output-path="$OUT/$name.json"; then
      break
    fi
    [ "$attempt" = 3 ] && exit 1
  done
  node -e "const r=require(process.argv[1]);const c=r.categories,a=r.audits;console.log(process.argv[2].padEnd(18),
    'perf',Math.round(c.performance.score*100),'a11y',Math.round(c.accessibility.score*100),
    'FCP',a['first-contentful-paint'].displayValue,'LCP',a['largest-contentful-paint'].displayValue,
    'TBT',a['total-blocking-time'].displayValue,'CLS',a['cumulative-layout-shift'].displayValue)" "$(realpath "$OUT/$name.json")" "$page"
done
