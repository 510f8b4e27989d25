#!/usr/bin/env bash
# Measures the durable click path of `pactum serve` against a bare net/http
# handler answering 302 (cmd/bare302), alternating between the two in one run:
# absolute figures move from run to run, so only a same-run ratio means
# anything (docs: PERFORMANCE.md). Also reports pactum's peak RSS under load.
#
# Usage: scripts/bench-clicks.sh
# Environment: CONNECTIONS (64), DURATION (10s), ROUNDS (3), ADDR
# (127.0.0.1:18080), BASELINE_ADDR (127.0.0.1:8081), LINK (DEMO), PACTUM_BIN
# (a prebuilt binary, e.g. a release build, instead of building ./cmd/pactum).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
ADDR=${ADDR:-127.0.0.1:18080}
BASELINE_ADDR=${BASELINE_ADDR:-127.0.0.1:8081}
LINK=${LINK:-DEMO}

refuse_busy "$ADDR" "$BASELINE_ADDR"

build_pactum
go build -o "$work/bare302" ./cmd/bare302

"$work/bare302" -addr "$BASELINE_ADDR" >"$work/bare302.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
start_pactum "$ADDR"
wait_for "$bare_pid" "http://$BASELINE_ADDR/" bare302 any

start_rss_sampler
status=0
"$pactum" loadtest \
	--target "http://$ADDR" \
	--path "/c/$LINK" \
	--connections "$CONNECTIONS" \
	--duration "$DURATION" \
	--api-key "$KEY" \
	--baseline "http://$BASELINE_ADDR/" \
	--rounds "$ROUNDS" || status=$?
report_peak_rss

stop_pactum || status=1
kill -TERM "$bare_pid"
wait "$bare_pid" 2>/dev/null || true
# Both are reaped, so their ids may belong to someone else by now.
pids=()

exit "$status"
