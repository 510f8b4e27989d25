#!/usr/bin/env bash
# Times the reports of docs/benchmarks.md "Reports at scale" through the HTTP API of a running
# `pactum serve` on a store that `pactum gen` filled (today's data set: gen without --end):
#   (a) 30 days grouped by day and partner, (b) 90 days grouped by SKU, (c) a partner's scorecard
#   over 30 days,
# each WARM times unmeasured, then N times one after another with curl's time_total; prints
# p50, p95 and max in milliseconds. Partner 1 is gen's partner with the most traffic.
#
# Usage: DB=bench.db scripts/bench-reports.sh
#        DB=postgres://postgres@127.0.0.1:5432/gen_bench scripts/bench-reports.sh
# Environment: N (default 50), WARM (default 5), ADDR (default 127.0.0.1:18090), PARTNER
# (default 1), PACTUM_BIN (a prebuilt pactum; default a fresh build), SAVE (a directory to keep
# the three answers in, e.g. to compare them before and after `pactum reports rebuild`).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

DB=${DB:?set DB to the store pactum gen wrote}
N=${N:-50}
WARM=${WARM:-5}
ADDR=${ADDR:-127.0.0.1:18090}
PARTNER=${PARTNER:-1}

refuse_busy "$ADDR"
build_pactum
start_serve pactum "$ADDR" --db "$DB" --events-dir "$work/events" --admin-api-key "$KEY"

to=$(date -u -d yesterday +%F)
from30=$(date -u -d '30 days ago' +%F)
from90=$(date -u -d '90 days ago' +%F)
api=http://$ADDR/api/v1

time_one() { # NAME URL
	local name=$1 url=$2 i code
	code=$(curl -s -o "$work/answer" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$url")
	if [[ $code != 200 ]]; then
		log "$name: HTTP $code: $(head -c 300 "$work/answer")"
		exit 1
	fi
	if [[ -n ${SAVE:-} ]]; then
		mkdir -p "$SAVE"
		cp "$work/answer" "$SAVE/${name:1:1}.json"
	fi
	for ((i = 1; i < WARM; i++)); do
		curl -s -o /dev/null -H "Authorization: Bearer $KEY" "$url"
	done
	for ((i = 0; i < N; i++)); do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $KEY" "$url"
	done | sort -n | awk -v name="$name" -v n="$N" -v bytes="$(wc -c <"$work/answer")" '
		{ t[NR] = $1 * 1000 }
		END {
			p50 = t[int((n * 50 + 99) / 100)]; p95 = t[int((n * 95 + 99) / 100)]
			printf "%-40s p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms  (%d runs, %d bytes)\n", name, p50, p95, t[n], n, bytes
		}'
}

log "reports from $from90 / $from30 to $to on $(redacted=${DB%%\?*}; echo "${redacted/\/\/*@/\/\/***@}")"
time_one "(a) 30 days by day,partner" "$api/reports?group_by=day,partner&metrics=clicks,cr,epc,payout&from=$from30&to=$to&limit=1000"
time_one "(b) 90 days by sku" "$api/reports?group_by=sku&metrics=sales,payout&from=$from90&to=$to&limit=1000"
time_one "(c) scorecard of partner $PARTNER, 30 days" "$api/partners/$PARTNER/scorecard?from=$from30&to=$to"
log_problems pactum
stop_serve pactum
