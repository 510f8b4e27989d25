#!/usr/bin/env bash
# Measures the durable click path of `pactum serve` against a bare net/http
# handler answering 302 (cmd/bare302), and against the same handler answering
# only once a click-sized record is durable in Pactum's event log (bare302
# -log: the floor of any durable click path), alternating between the three in
# one run: absolute figures move from run to run, so only a same-run ratio
# means anything (docs: PERFORMANCE.md). Also reports pactum's peak RSS under
# load.
#
# Usage: scripts/bench-clicks.sh
# Environment: CONNECTIONS (64), DURATION (10s), ROUNDS (3), ADDR
# (127.0.0.1:18080), BASELINE_ADDR (127.0.0.1:8081), DURABLE_ADDR
# (127.0.0.1:8082), LINK (DEMO), PACTUM_BIN (a prebuilt binary, e.g. a release
# build, instead of building ./cmd/pactum).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
ADDR=${ADDR:-127.0.0.1:18080}
BASELINE_ADDR=${BASELINE_ADDR:-127.0.0.1:8081}
DURABLE_ADDR=${DURABLE_ADDR:-127.0.0.1:8082}
LINK=${LINK:-DEMO}

refuse_busy "$ADDR" "$BASELINE_ADDR" "$DURABLE_ADDR"

build_pactum
go build -o "$work/bare302" ./cmd/bare302

"$work/bare302" -addr "$BASELINE_ADDR" >"$work/bare302.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
"$work/bare302" -addr "$DURABLE_ADDR" -log "$work/durable" >"$work/durable.log" 2>&1 &
durable_pid=$!
pids+=("$durable_pid")
start_pactum "$ADDR"
wait_for "$bare_pid" "http://$BASELINE_ADDR/" bare302 any
wait_for "$durable_pid" "http://$DURABLE_ADDR/" durable any

start_rss_sampler
status=0
"$pactum" loadtest \
	--target "http://$ADDR" \
	--path "/c/$LINK" \
	--connections "$CONNECTIONS" \
	--duration "$DURATION" \
	--api-key "$KEY" \
	--baseline "bare net/http 302=http://$BASELINE_ADDR/,durable log 302=http://$DURABLE_ADDR/" \
	--rounds "$ROUNDS" || status=$?
report_peak_rss

stop_pactum || status=1
kill -TERM "$bare_pid" "$durable_pid"
wait "$bare_pid" "$durable_pid" 2>/dev/null || true
# Both are reaped, so their ids may belong to someone else by now.
pids=()

exit "$status"
