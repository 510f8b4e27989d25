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

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
ADDR=${ADDR:-127.0.0.1:18080}
BASELINE_ADDR=${BASELINE_ADDR:-127.0.0.1:8081}
LINK=${LINK:-DEMO}
KEY=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

# A leftover server on the same port would answer the health check and be
# measured in place of the one built here.
for addr in "$ADDR" "$BASELINE_ADDR"; do
	if curl -s -o /dev/null --max-time 1 "http://$addr/"; then
		log "something already answers on $addr; stop it or set ADDR / BASELINE_ADDR"
		exit 1
	fi
done

log "building into $work"
go build -o "$work/bare302" ./cmd/bare302
if [[ -n ${PACTUM_BIN:-} ]]; then
	pactum=$PACTUM_BIN
else
	go build -o "$work/pactum" ./cmd/pactum
	pactum=$work/pactum
fi

# wait_for PID URL NAME [any]: until URL answers (with 2xx, or anything when
# the fourth argument is "any"), giving up after 15 s or if PID exits.
wait_for() {
	local pid=$1 url=$2 name=$3 fail=-f
	[[ ${4:-} == any ]] && fail=
	for _ in $(seq 150); do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "$name exited during start-up:"
			cat "$work/$name.log" >&2
			exit 1
		fi
		if curl -s $fail -o /dev/null --max-time 1 "$url"; then
			return 0
		fi
		sleep 0.1
	done
	log "$name did not answer $url within 15s:"
	cat "$work/$name.log" >&2
	exit 1
}

"$work/bare302" -addr "$BASELINE_ADDR" >"$work/bare302.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")

"$pactum" serve --addr "$ADDR" --db "$work/pactum.db" --admin-api-key "$KEY" --demo >"$work/pactum.log" 2>&1 &
pactum_pid=$!
pids+=("$pactum_pid")

wait_for "$bare_pid" "http://$BASELINE_ADDR/" bare302 any
wait_for "$pactum_pid" "http://$ADDR/healthz" pactum

# Peak RSS of the server, sampled once a second while the load runs.
rss_file=$work/rss.max
echo 0 >"$rss_file"
(
	peak=0
	while rss=$(ps -o rss= -p "$pactum_pid" 2>/dev/null); do
		rss=${rss//[[:space:]]/}
		if ((rss > peak)); then
			peak=$rss
			echo "$peak" >"$rss_file"
		fi
		sleep 1
	done
) &
sampler_pid=$!
pids+=("$sampler_pid")

status=0
"$pactum" loadtest \
	--target "http://$ADDR" \
	--path "/c/$LINK" \
	--connections "$CONNECTIONS" \
	--duration "$DURATION" \
	--api-key "$KEY" \
	--baseline "http://$BASELINE_ADDR/" \
	--rounds "$ROUNDS" || status=$?

kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
awk '{ printf "pactum peak RSS: %.1f MB (sampled every second)\n", $1 / 1024 }' "$rss_file"

# Stop pactum first and alone, so that its ordered shutdown is what the exit
# status reports.
kill -TERM "$pactum_pid"
if ! wait "$pactum_pid"; then
	log "pactum did not shut down cleanly; its log:"
	tail -n 20 "$work/pactum.log" >&2
	status=1
fi
kill -TERM "$bare_pid"
wait "$bare_pid" 2>/dev/null || true
# Both are reaped, so their ids may belong to someone else by now.
pids=()

exit "$status"
