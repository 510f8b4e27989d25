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
# build, instead of building ./cmd/pactum), OLD_BIN (another pactum binary, e.g.
# built from main before a change, run on OLD_ADDR (127.0.0.1:18081) with its
# own demo store and measured alternately with the others: before and after in
# one run).
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
OLD_ADDR=${OLD_ADDR:-127.0.0.1:18081}

refuse_busy "$ADDR" "$BASELINE_ADDR" "$DURABLE_ADDR"
baselines="bare net/http 302=http://$BASELINE_ADDR/,durable log 302=http://$DURABLE_ADDR/"

build_pactum
go build -o "$work/bare302" ./cmd/bare302

"$work/bare302" -addr "$BASELINE_ADDR" >"$work/bare302.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
"$work/bare302" -addr "$DURABLE_ADDR" -log "$work/durable" >"$work/durable.log" 2>&1 &
durable_pid=$!
pids+=("$durable_pid")
start_pactum "$ADDR" --demo
if [[ -n ${OLD_BIN:-} ]]; then
	refuse_busy "$OLD_ADDR"
	"$OLD_BIN" serve --addr "$OLD_ADDR" --db "$work/old.db" --events-dir "$work/old.events" --admin-api-key "$KEY" --demo >"$work/old.log" 2>&1 &
	old_pid=$!
	pids+=("$old_pid")
	wait_for "$old_pid" "http://$OLD_ADDR/readyz" old
	baselines+=",old pactum /c/$LINK=http://$OLD_ADDR/c/$LINK"
fi
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
	--baseline "$baselines" \
	--rounds "$ROUNDS" || status=$?
report_peak_rss

stop_pactum || status=1
others=("$bare_pid" "$durable_pid" ${old_pid:+"$old_pid"})
kill -TERM "${others[@]}"
wait "${others[@]}" 2>/dev/null || true
# Both are reaped, so their ids may belong to someone else by now.
pids=()

exit "$status"
