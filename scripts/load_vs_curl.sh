#!/usr/bin/env bash
# Issue 7, the load target: cpitop loads 100,000 messages from the simulated tenant into its
# in-memory store in at most 3x the time curl takes to download the same pages, one process, in
# sequence. Everything in one run:
#   1. build the release binary and start `cpitop sim` (100,000 messages, no live traffic, so the
#      window does not move) on a free loopback port;
#   2. fetch an OAuth token with curl;
#   3. `cpitop load-bench --curl-config` makes one untimed load and writes the exact page URLs it
#      requested (keyset pages with $select, as the sim recorded them on the wire) as a curl config;
#   4. time curl downloading those URLs in sequence in one process (RUNS times);
#   5. time cpitop loading the same window into the store (RUNS times, same process, warm);
#   6. print both medians and the ratio.
#
# Usage: scripts/load_vs_curl.sh            (env: MESSAGES=100000 RUNS=7 SEED=7 NO_BUILD=1
#                                             RPS=10000 BURST=10000 CONCURRENCY=4)
# RPS/BURST/CONCURRENCY are the client's limiter; the profile defaults are 10 req/s, burst 20 and
# 4 in flight (a gentle default for real tenants; see docs/benchmarks.md).
set -euo pipefail

MESSAGES=${MESSAGES:-100000}
RUNS=${RUNS:-7}
SEED=${SEED:-7}
RPS=${RPS:-10000}
BURST=${BURST:-10000}
CONCURRENCY=${CONCURRENCY:-4}

cd "$(dirname "$0")/.."
command -v curl >/dev/null || { echo "load_vs_curl: curl is not installed; this comparison needs it" >&2; exit 2; }
if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release --quiet
fi
BIN=target/release/cpitop
[ -x "$BIN" ] || { echo "load_vs_curl: $BIN missing (build with cargo build --release)" >&2; exit 2; }

WORK=$(mktemp -d)
SIM_PID=
cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" sim --port 0 --seed "$SEED" --rate 0 --messages "$MESSAGES" >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 200); do
  grep -q "Press Ctrl-C" "$WORK/sim.out" 2>/dev/null && break
  kill -0 "$SIM_PID" 2>/dev/null || { echo "load_vs_curl: the sim exited:" >&2; cat "$WORK/sim.err" >&2; exit 1; }
  sleep 0.1
done
field() { sed -n "s/^  $1: *//p" "$WORK/sim.out" | head -1; }
BASE=$(field "service url")
TOKEN_URL=$(field "token url")
CLIENT_ID=$(field "client id")
CLIENT_SECRET=$(field "client secret")
[ -n "$BASE" ] && [ -n "$CLIENT_SECRET" ] || { echo "load_vs_curl: could not read the sim's URLs from its output" >&2; cat "$WORK/sim.out" >&2; exit 1; }

TOKEN=$(curl -sS --fail -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$TOKEN_URL" \
  | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "load_vs_curl: no token from $TOKEN_URL" >&2; exit 1; }

export CPITOP_BENCH_SECRET="$CLIENT_SECRET"
LB=("$BIN" load-bench --url "$BASE" --token-url "$TOKEN_URL" --client-id "$CLIENT_ID"
    --rps "$RPS" --burst "$BURST" --concurrency "$CONCURRENCY")

echo "== listing the client's page URLs (one untimed load)"
"${LB[@]}" --runs 0 --curl-config "$WORK/urls.curl" | tee "$WORK/list.out"
PAGES=$(grep -c '^url = ' "$WORK/urls.curl")
# The timed loads use the very same window, hence the same URLs.
FROM=$(sed -n 's/.*window_from=\([0-9]*\).*/\1/p' "$WORK/list.out")
TO=$(sed -n 's/.*window_to=\([0-9]*\).*/\1/p' "$WORK/list.out")
LB+=(--from-ms "$FROM" --to-ms "$TO")
printf 'header = "Authorization: Bearer %s"\nheader = "Accept: application/json"\n' "$TOKEN" >"$WORK/auth.curl"

echo "== curl: $PAGES pages in sequence, one process, $RUNS runs"
now_ns() { date +%s%N; }
CURL_MS=()
curl -sS --fail --globoff --config "$WORK/auth.curl" --config "$WORK/urls.curl" >/dev/null # warm-up
for i in $(seq 1 "$RUNS"); do
  t0=$(now_ns)
  curl -sS --fail --globoff --config "$WORK/auth.curl" --config "$WORK/urls.curl" \
    -w '%{size_download}\n' >"$WORK/curl.sizes"
  t1=$(now_ns)
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
  bytes=$(awk '{ s += $1 } END { print s }' "$WORK/curl.sizes")
  n=$(wc -l <"$WORK/curl.sizes")
  echo "curl: run $i: $n pages, $bytes bytes, $ms ms"
  CURL_MS+=("$ms")
done

echo "== cpitop: the same window into the store, $RUNS runs"
"${LB[@]}" --runs "$RUNS" | tee "$WORK/load.out"

# Ground truth: the messages of the window the sim shows now (a few of the newest history
# messages may still be invisible: the sim's commit lag).
TRUTH=$(curl -sS --fail "$BASE/sim/admin/truth/messages?from=$FROM&to=$TO" | grep -o '"[A-Za-z0-9_-]\{28\}"' | wc -l)
HELD=$(sed -n 's/.* run [0-9]*: \([0-9]*\) messages held.*/\1/p' "$WORK/load.out" | tail -1)
echo "sim truth: $TRUTH messages in the window; cpitop's last load held $HELD"
[ "$HELD" = "$TRUTH" ] || echo "load_vs_curl: WARNING: the store does not hold exactly the window's messages" >&2

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
CURL_MED=$(median "${CURL_MS[@]}")
LOAD_MED=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' "$WORK/load.out")
RATIO=$(awk -v l="$LOAD_MED" -v c="$CURL_MED" 'BEGIN { printf "%.2f", l / c }')
VERDICT=$(awk -v r="$RATIO" 'BEGIN { print (r <= 3.0) ? "met" : "MISSED" }')
echo "== result ($MESSAGES messages, $PAGES pages, median of $RUNS, limiter rps=$RPS burst=$BURST concurrency=$CONCURRENCY)"
echo "curl (download only, sequential): ${CURL_MED} ms"
echo "cpitop (download + decode + store): ${LOAD_MED} ms"
echo "ratio: ${RATIO}x (target <= 3x: $VERDICT)"
