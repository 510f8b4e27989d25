#!/usr/bin/env bash
# Measures Shopify order webhooks into `pactum serve --demo` on a fresh SQLite store: the demo
# advertiser gets a Shopify secret and its partner the coupon ANNA10, then
# `pactum loadtest --mode shopify` posts orders/create webhooks, each an order of ten line items
# with that discount code, signed as Shopify signs them, to /webhooks/shopify/1?offer_id=1,
# and checks that every acknowledged order is stored once as a conversion with its commission.
# Also reports pactum's peak RSS under load.
# Absolute figures move from run to run and machine to machine; see docs/benchmarks.md for how
# to read them.
#
# Usage: scripts/bench-shopify.sh
# Environment: CONNECTIONS (16), DURATION (10s), ADDR (127.0.0.1:18080), PACTUM_BIN (a prebuilt
# binary, e.g. a release build, instead of building ./cmd/pactum).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-10s}
ADDR=${ADDR:-127.0.0.1:18080}
SECRET=shpss_bench_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

refuse_busy "$ADDR"
build_pactum
start_pactum "$ADDR" --demo
# The demo program is advertiser 1, offer 1 and partner 1 of the fresh store.
api() { curl -sf -H "Authorization: Bearer $KEY" "$@" >/dev/null; }
api -X PATCH -d "{\"shopify_secret\":\"$SECRET\"}" "http://$ADDR/api/v1/advertisers/1"
api -d '{"code":"ANNA10","partner_id":1,"offer_id":1}' "http://$ADDR/api/v1/coupons"

start_rss_sampler
status=0
"$pactum" loadtest \
	--mode shopify \
	--target "http://$ADDR" \
	--path "/webhooks/shopify/1?offer_id=1" \
	--shop-secret "$SECRET" \
	--coupon ANNA10 \
	--connections "$CONNECTIONS" \
	--duration "$DURATION" \
	--api-key "$KEY" || status=$?
report_peak_rss

stop_pactum || status=1
# It is reaped, so its id may belong to someone else by now.
pids=()

exit "$status"
