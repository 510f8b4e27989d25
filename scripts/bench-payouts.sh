#!/usr/bin/env bash
# Measures one payout run at scale: 1,000,000 approved commissions of 10,000
# partners in one program (the goal: under 10 seconds on two cores, under
# 500 MB). BenchmarkPayoutRun1M (store/storetest/payout_bench.go) reports the
# commissions through ApplyEvents, 50,000 to a transaction, without timing that,
# then times one RunPayouts and checks that it made 10,000 payouts that took
# every commission. Peak RSS is the test process's during the run (reset just
# before it): for SQLite it includes the page cache; PostgreSQL's server is not
# counted. The setup takes minutes (SQLite: about 2, PostgreSQL: about 8).
#
# Usage: scripts/bench-payouts.sh [sqlite] [postgres]   (default: both)
# Environment: PACTUM_TEST_POSTGRES (the test server, as for go test).
set -euo pipefail

cd "$(dirname "$0")/.."

stores=("$@")
if [ ${#stores[@]} -eq 0 ]; then
	stores=(sqlite postgres)
fi

for store in "${stores[@]}"; do
	case "$store" in
	sqlite | postgres) ;;
	*)
		echo "unknown store $store (sqlite or postgres)" >&2
		exit 2
		;;
	esac
	echo "== $store"
	out=$(go test "./store/$store" -run '^$' -bench 'PayoutRun1M$' -benchtime 1x -timeout 90m 2>&1) || {
		echo "$out"
		exit 1
	}
	echo "$out" | grep -E 'setup: [0-9]+ (partners|approved)|run: ' | sed -E 's/^ *payout_bench.go:[0-9]+: /  /'
	echo "$out" | awk '/^BenchmarkPayoutRun1M/ {
		for (i = 3; i < NF; i++) if ($(i+1) ~ /^(s\/run|payouts|commissions|peak-RSS-MB|alloc-MB)$/) printf "  %s %s\n", $(i+1), $i
	}'
done
