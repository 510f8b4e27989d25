#!/usr/bin/env bash
# Measures the conversion path of `pactum serve` on a fresh, empty SQLite
# store: the script creates its own program through the REST API (lib.sh's
# create_bench_program: the same offer for every binary compared, with a
# hero-SKU rule and a new-customer bonus). The server starts without the demo
# (with --demo only for LINK=DEMO): the demo's weeks of traffic differ from
# release to release, and so would the store every binary's conversions land
# in. `pactum loadtest --mode conversions`
# makes click ids on its link, then reports conversions with three line items
# each through POST /api/v1/conversions, and checks that every acknowledged
# conversion is stored once with its commission. MODE=postbacks reports each
# conversion as a server-to-server postback (GET /postback with the
# advertiser's token) instead. Also reports pactum's peak RSS under load.
# Absolute figures move from run to run and machine to machine; see
# docs/benchmarks.md for how to read them.
#
# Usage: scripts/bench-conversions.sh
# Environment: MODE (conversions, or postbacks), CONNECTIONS (64), DURATION
# (10s), FRAUD (off: the conversion fraud rules off, see lib.sh), RATE
# (conversions a second to send at most; 0, the default, sends as fast as the
# answers come: give every binary compared the same RATE, below what each
# sustains, and compare the CPU per conversion; it needs a LOADTEST_BIN that
# has --rate), SERVE_CPUS (e.g. 0: the server on those CPUs, the load
# generator on the others), CLICK_IDS (20000), ADDR (127.0.0.1:18080), LINK
# (BENCH, the script's; DEMO is the demo's), LOADTEST_BIN (the binary whose
# loadtest drives the load, default the one measured), PACTUM_BIN (a prebuilt
# binary, e.g. a release build, instead of building ./cmd/pactum).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

MODE=${MODE:-conversions}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
CLICK_IDS=${CLICK_IDS:-20000}
RATE=${RATE:-0}
# Only then: a load generator from before --rate would refuse the flag.
rate_flag=()
((RATE > 0)) && rate_flag=(--rate "$RATE")
ADDR=${ADDR:-127.0.0.1:18080}
LINK=${LINK:-BENCH}

refuse_busy "$ADDR"
build_pactum
# --help exits 2, as every flag package's does.
if ((RATE > 0)) && [[ $("${LOADTEST_BIN:-$pactum}" loadtest --help 2>&1 || true) != *"-rate int"* ]]; then
	log "RATE needs a load generator with --rate, and ${LOADTEST_BIN:-$pactum} has none: set LOADTEST_BIN to a newer pactum"
	exit 2
fi
demo=()
[[ $LINK == DEMO ]] && demo=(--demo)
start_pactum "$ADDR" "${demo[@]}"
create_bench_program "$ADDR"
token=""
if [[ $MODE == postbacks ]]; then
	token=$bench_token
	if [[ $LINK == DEMO ]]; then
		# The demo prints its advertiser's postback token once, when it creates it.
		token=$(grep -o 'token=pt_[A-Za-z0-9_-]*' "$work/pactum.log" | head -1 | cut -d= -f2)
	fi
fi

start_rss_sampler
status=0
TIMEFORMAT="  loadtest CPU: %U s user, %S s system"
load_pin=()
if [[ -n ${SERVE_CPUS:-} ]]; then
	# The CPUs the server does not have (lib.sh's start_serve pinned it to SERVE_CPUS).
	others=()
	for ((c = 0; c < $(nproc --all); c++)); do
		[[ ,$SERVE_CPUS, == *,$c,* ]] || others+=("$c")
	done
	load_pin=(taskset -c "$(
		IFS=,
		echo "${others[*]}"
	)")
fi
time "${load_pin[@]}" "${LOADTEST_BIN:-$pactum}" loadtest \
	--mode "$MODE" \
	--target "http://$ADDR" \
	--path "/c/$LINK" \
	--click-ids "$CLICK_IDS" \
	--connections "$CONNECTIONS" \
	"${rate_flag[@]}" \
	--duration "$DURATION" \
	--api-key "$KEY" \
	--postback-token "$token" 2>&1 | while IFS= read -r line; do
	# Each second's line ("  5s  2703 conversions/s") marks the server's CPU
	# ticks then, for the CPU per conversion below.
	printf '%s\n' "$line"
	if [[ $line =~ ^\ +[0-9]+s\ +([0-9]+)\ (conversions|postbacks)/s$ ]]; then
		echo "$(cpu_ticks "$pactum_pid") ${BASH_REMATCH[1]}" >>"$work/ticks"
	fi
done || status=$?
# The server's CPU per conversion over the steady seconds (after the
# warm-up) steadies a comparison that throughput alone, shared with the load
# generator on one machine, does not.
if [[ -s $work/ticks ]]; then
	awk -v hz="$(getconf CLK_TCK)" 'NR == 1 { t0 = $1; next } { t = $1; n += $2 }
		END { if (n > 0) printf "  pactum CPU: %d µs per conversion (%.2f s for %d conversions)\n", (t - t0) / hz * 1e6 / n, (t - t0) / hz, n }' "$work/ticks"
fi
report_peak_rss

stop_pactum || status=1
# It is reaped, so its id may belong to someone else by now.
pids=()

exit "$status"
