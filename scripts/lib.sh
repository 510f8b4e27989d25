# Shared by the bench-*.sh scripts: a scratch directory removed on exit,
# building pactum, waiting for servers to answer, sampling the server's peak
# RSS, and an ordered shutdown. Source it from the repository root after
# `set -euo pipefail`; it sets KEY (a fresh admin API key), work, pids and,
# once the functions below have run, pactum and pactum_pid.
# shellcheck shell=bash

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

# refuse_busy ADDR...: a leftover server on the same port would answer the
# health check and be measured in place of the one built here.
refuse_busy() {
	local addr
	for addr in "$@"; do
		if curl -s -o /dev/null --max-time 1 "http://$addr/"; then
			log "something already answers on $addr; stop it or set ADDR / BASELINE_ADDR"
			exit 1
		fi
	done
}

# build_pactum: sets pactum to PACTUM_BIN (a prebuilt binary, e.g. a release
# build) or to a fresh build of ./cmd/pactum.
build_pactum() {
	if [[ -n ${PACTUM_BIN:-} ]]; then
		pactum=$PACTUM_BIN
	else
		log "building into $work"
		go build -o "$work/pactum" ./cmd/pactum
		pactum=$work/pactum
	fi
}

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

# start_pactum ADDR: `pactum serve --demo` on a fresh SQLite store with KEY as
# its admin key; sets pactum_pid once it answers /healthz.
start_pactum() {
	local addr=$1
	"$pactum" serve --addr "$addr" --db "$work/pactum.db" --admin-api-key "$KEY" --demo >"$work/pactum.log" 2>&1 &
	pactum_pid=$!
	pids+=("$pactum_pid")
	wait_for "$pactum_pid" "http://$addr/healthz" pactum
}

# start_rss_sampler: samples pactum's RSS once a second while the load runs;
# report_peak_rss stops it and prints the peak.
start_rss_sampler() {
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
}

report_peak_rss() {
	kill "$sampler_pid" 2>/dev/null || true
	wait "$sampler_pid" 2>/dev/null || true
	awk '{ printf "pactum peak RSS: %.1f MB (sampled every second)\n", $1 / 1024 }' "$rss_file"
}

# stop_pactum: stops pactum alone, so that its ordered shutdown is what the
# status reports; fails, showing the end of its log, if that shutdown did.
stop_pactum() {
	kill -TERM "$pactum_pid"
	if ! wait "$pactum_pid"; then
		log "pactum did not shut down cleanly; its log:"
		tail -n 20 "$work/pactum.log" >&2
		return 1
	fi
}
