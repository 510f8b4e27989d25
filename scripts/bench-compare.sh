#!/usr/bin/env bash
# Compares pactum binaries on the conversion path in one run: for ROUNDS rounds,
# runs scripts/bench-conversions.sh once with each binary in turn (the first
# binary is the baseline, and its loadtest drives every run unless LOADTEST_BIN
# says otherwise), then prints each binary's median conversions (or postbacks)
# a second and server CPU per conversion, and its ratio to the baseline by
# medians and round by round. Alternating rounds is what makes a comparison on
# a shared machine readable: its speed drifts by tens of percent within an hour
# (docs/benchmarks.md), and a ratio taken within a round drifts far less. A run
# that did not store every acknowledged conversion once with its commission is
# reported as failed, and the script exits non-zero.
#
# Usage: scripts/bench-compare.sh BASELINE_BINARY BINARY...
#   e.g. git worktree add /tmp/base 3691fa8 && (cd /tmp/base && go build -o /tmp/pactum-base ./cmd/pactum)
#        go build -o /tmp/pactum-new ./cmd/pactum
#        FRAUD=off ROUNDS=8 DURATION=6s scripts/bench-compare.sh /tmp/pactum-base /tmp/pactum-new
# Environment: ROUNDS (4), LOADTEST_BIN (the baseline binary), and those of
# bench-conversions.sh (MODE, DURATION, FRAUD, RATE, SERVE_CPUS, CONNECTIONS...),
# passed on to every run.
set -euo pipefail

cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	usage
	exit 0
elif (($# < 2)); then
	usage >&2
	exit 2
fi
for bin in "$@"; do
	[[ -x $bin ]] || {
		echo "bench-compare: $bin is not an executable" >&2
		exit 2
	}
done
ROUNDS=${ROUNDS:-4}
export LOADTEST_BIN=${LOADTEST_BIN:-$1}
results=$(mktemp)
names=$(mktemp)
trap 'rm -f "$results" "$names"' EXIT
printf '%s\n' "$@" >"$names"

status=0
for ((round = 1; round <= ROUNDS; round++)); do
	for ((i = 1; i <= $#; i++)); do
		bin=${!i}
		out=$(PACTUM_BIN=$bin bash scripts/bench-conversions.sh 2>&1) || true
		rate=$(grep -oE '^  (conversions|postbacks)/s  [0-9]+' <<<"$out" | grep -oE '[0-9]+$' || true)
		cpu=$(grep -oE 'pactum CPU: [0-9]+' <<<"$out" | grep -oE '[0-9]+$' || true)
		problem=""
		if ! grep -q '(ok)$' <<<"$out"; then
			problem="the run failed, or did not store every acknowledged conversion"
		elif [[ -z $rate || -z $cpu ]]; then
			problem="no figures (the CPU per conversion needs a DURATION of 4s or more)"
		fi
		if [[ -n $problem ]]; then
			echo "round $round, $bin: $problem:" >&2
			printf '%s\n' "$out" | tail -n 15 >&2
			status=1
			continue
		fi
		printf 'round %d  %-40s %6d/s  %4d µs CPU\n' "$round" "$bin" "$rate" "$cpu"
		echo "$round $i $rate $cpu" >>"$results"
	done
done

echo
# Medians per binary, and each binary's ratio to the baseline (binary 1) by
# medians and within each round.
awk -v n=$# '
function median(a, k,    i, j, t) {
	for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return k % 2 ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
}
FNR == NR { name[FNR] = $0; next }
{ rate[$2, $1] = $3; cpu[$2, $1] = $4; if ($1 > rounds) rounds = $1 }
END {
	for (b = 1; b <= n; b++) {
		k = 0; delete r; delete c; within = ""
		for (x = 1; x <= rounds; x++) {
			if (!((b, x) in rate)) continue
			k++; r[k] = rate[b, x]; c[k] = cpu[b, x]
			if ((1, x) in rate) within = within sprintf(" %.2f", rate[b, x] / rate[1, x])
		}
		if (k == 0) { printf "%s: no run finished\n", name[b]; continue }
		mr[b] = median(r, k); mc[b] = median(c, k)
		printf "%s\n  median %d/s, %d µs CPU per conversion", name[b], mr[b], mc[b]
		if (b > 1 && mr[1] > 0) printf "; against %s: ×%.2f by medians, CPU ×%.2f; by rounds:%s", name[1], mr[b] / mr[1], mc[b] / mc[1], within
		printf "\n"
	}
}' "$names" "$results"
exit "$status"
