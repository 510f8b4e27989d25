#!/usr/bin/env bash
# Measures the conversion path of `pactum serve --demo` on a fresh SQLite
# store: `pactum loadtest --mode conversions` makes click ids on the demo link,
# then reports conversions with three line items each through
# POST /api/v1/conversions, and checks that every acknowledged conversion is
# stored once with its commission (the demo offer's rule set has a hero-SKU
# rule and a new-customer bonus). MODE=postbacks reports each conversion as a
# server-to-server postback (GET /postback with the demo advertiser's token,
# read from the server's start-up output) instead. Also reports pactum's
# peak RSS under load.
# Absolute figures move from run to run and machine to machine; see
# docs/benchmarks.md for how to read them.
#
# Usage: scripts/bench-conversions.sh
# Environment: MODE (conversions, or postbacks), CONNECTIONS (64), DURATION
# (10s), CLICK_IDS (20000), ADDR
# (127.0.0.1:18080), LINK (DEMO), PACTUM_BIN (a prebuilt binary, e.g. a
# release build, instead of building ./cmd/pactum).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

MODE=${MODE:-conversions}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
CLICK_IDS=${CLICK_IDS:-20000}
ADDR=${ADDR:-127.0.0.1:18080}
LINK=${LINK:-DEMO}

refuse_busy "$ADDR"
build_pactum
start_pactum "$ADDR"
token=""
if [[ $MODE == postbacks ]]; then
	# The demo prints its advertiser's postback token once, when it creates it.
	token=$(grep -o 'token=pt_[A-Za-z0-9_-]*' "$work/pactum.log" | head -1 | cut -d= -f2)
	if [[ -z $token ]]; then
		log "no postback token in the demo's start-up output:"
		cat "$work/pactum.log" >&2
		exit 1
	fi
fi

start_rss_sampler
status=0
"$pactum" loadtest \
	--mode "$MODE" \
	--target "http://$ADDR" \
	--path "/c/$LINK" \
	--click-ids "$CLICK_IDS" \
	--connections "$CONNECTIONS" \
	--duration "$DURATION" \
	--api-key "$KEY" \
	--postback-token "$token" || status=$?
report_peak_rss

stop_pactum || status=1
# It is reaped, so its id may belong to someone else by now.
pids=()

exit "$status"
