#!/usr/bin/env bash
# Measures a distributed deployment of `pactum serve` on this machine: an API
# process (--role api --demo), a worker and two edges, over a fresh
# PostgreSQL database (dropped on exit) and NATS JetStream. `pactum loadtest`
# first spreads clicks on the demo link over both edges, then makes click ids
# on both edges and reports conversions through the API; each run checks with
# the API that the store holds every acknowledged click or conversion (once,
# with its commission). Also reports each process's peak RSS during each run.
# Absolute figures move from run to run and machine to machine; see
# docs/benchmarks.md for how to read them.
#
# Every process uses the NATS prefix NATS_PREFIX, fixed rather than random so
# that repeated runs reuse one stream and one consumer instead of leaving new
# ones behind. Run one at a time: two runs with the same prefix would share
# the stream. The processes need no shared --click-secret: the API, started
# first, stores the click id key in the database, and the others load it.
#
# Usage: scripts/bench-cluster.sh
# Environment: CONNECTIONS (64), DURATION (10s), CLICK_IDS (20000), PG
# (postgres://postgres@127.0.0.1:5432, a server where this user may create
# databases), NATS (nats://127.0.0.1:4222), NATS_PREFIX (bench), API_ADDR
# (127.0.0.1:18080), EDGE1_ADDR (127.0.0.1:18081), EDGE2_ADDR
# (127.0.0.1:18082), WORKER_ADDR (127.0.0.1:18083), LINK (DEMO), PACTUM_BIN
# (a prebuilt binary, e.g. a release build, instead of building ./cmd/pactum).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
CLICK_IDS=${CLICK_IDS:-20000}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
NATS=${NATS:-nats://127.0.0.1:4222}
NATS_PREFIX=${NATS_PREFIX:-bench}
API_ADDR=${API_ADDR:-127.0.0.1:18080}
EDGE1_ADDR=${EDGE1_ADDR:-127.0.0.1:18081}
EDGE2_ADDR=${EDGE2_ADDR:-127.0.0.1:18082}
WORKER_ADDR=${WORKER_ADDR:-127.0.0.1:18083}
LINK=${LINK:-DEMO}

refuse_busy "$API_ADDR" "$EDGE1_ADDR" "$EDGE2_ADDR" "$WORKER_ADDR"
build_pactum

db=pactum_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
drop_db() {
	# FORCE: a connection left by a process that did not exit cleanly
	# must not keep the database behind.
	psql "$PG/postgres" -qX -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}
psql "$PG/postgres" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
at_exit drop_db
log "database $db"

common=(--db "$PG/$db?sslmode=disable" --nats "$NATS" --nats-prefix "$NATS_PREFIX" --admin-api-key "$KEY")
# The API first: it creates the click id key and the demo program that the
# edges then load.
start_serve api "$API_ADDR" --role api --demo "${common[@]}"
start_serve worker "$WORKER_ADDR" --role worker "${common[@]}"
start_serve edge1 "$EDGE1_ADDR" --role edge "${common[@]}"
start_serve edge2 "$EDGE2_ADDR" --role edge "${common[@]}"
processes=(api worker edge1 edge2)

sample() {
	local name args=()
	for name in "${processes[@]}"; do
		args+=("$name" "${serve_pids[$name]}")
	done
	start_rss_sampler "${args[@]}"
}

status=0
sample
"$pactum" loadtest \
	--target "http://$EDGE1_ADDR,http://$EDGE2_ADDR" \
	--api "http://$API_ADDR" \
	--path "/c/$LINK" \
	--connections "$CONNECTIONS" \
	--duration "$DURATION" \
	--api-key "$KEY" || status=$?
report_peak_rss
echo

sample
"$pactum" loadtest \
	--mode conversions \
	--target "http://$EDGE1_ADDR,http://$EDGE2_ADDR" \
	--api "http://$API_ADDR" \
	--path "/c/$LINK" \
	--click-ids "$CLICK_IDS" \
	--connections "$CONNECTIONS" \
	--duration "$DURATION" \
	--api-key "$KEY" || status=$?
report_peak_rss

# Edges first, so that no new events come in; the worker last, so that it
# applies what the others published before they stopped.
for name in edge1 edge2 api worker; do
	stop_serve "$name" || status=1
done
# They are reaped, so their ids may belong to someone else by now.
pids=()
log_problems "${processes[@]}"

exit "$status"
