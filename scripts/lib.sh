# Shared by the bench-*.sh scripts: a scratch directory removed on exit,
# building pactum, starting servers and waiting for them to answer, sampling
# their peak RSS, and an ordered shutdown. Source it from the repository root
# after `set -euo pipefail`; it sets KEY (a fresh admin API key), work, pids,
# serve_pids and, once the functions below have run, pactum and pactum_pid.
# shellcheck shell=bash

KEY=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

# The benchmarks measure the hot paths on the demo program alone, without the
# weeks of simulated traffic `serve --demo` makes by default, so that their
# figures stay comparable (an older binary ignores the variable).
export PACTUM_DEMO_WEEKS=${PACTUM_DEMO_WEEKS:-0}

work=$(mktemp -d)
pids=()
declare -A serve_pids=() # name -> pid, for start_serve's servers
exit_hooks=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	local hook
	for hook in "${exit_hooks[@]}"; do
		"$hook" || true
	done
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

# at_exit FUNCTION: runs FUNCTION on exit, once every process in pids has
# ended (e.g. to drop a database they were connected to).
at_exit() {
	exit_hooks+=("$1")
}

# start_serve NAME ADDR [FLAG...]: `pactum serve --addr ADDR FLAG...`, logging
# to $work/NAME.log; sets serve_pids[NAME] once it answers /readyz.
start_serve() {
	local name=$1 addr=$2
	shift 2
	# SERVE_CPUS (e.g. 0) pins the servers to those CPUs, and the load generator
	# to the others (bench-conversions.sh): on a small machine the load generator
	# then takes none of the server's CPU, and a comparison of servers is steadier.
	${SERVE_CPUS:+taskset -c "$SERVE_CPUS"} "$pactum" serve --addr "$addr" "$@" >"$work/$name.log" 2>&1 &
	serve_pids[$name]=$!
	pids+=("$!")
	wait_for "$!" "http://$addr/readyz" "$name"
}

# start_pactum ADDR [FLAG...]: `pactum serve FLAG...` on a fresh SQLite store
# with KEY as its admin key; sets pactum_pid once it answers. Pass --demo for the
# demo program (the click benchmarks' link DEMO); the conversion benchmarks make
# their own program on an empty store, since the demo's weeks of traffic, and so
# the store a conversion lands in, differ from release to release.
start_pactum() {
	local addr=$1
	shift
	start_serve pactum "$addr" --db "$work/pactum.db" --admin-api-key "$KEY" "$@"
	pactum_pid=${serve_pids[pactum]}
}

# cpu_ticks PID: the CPU time, user and system, PID has used, in clock ticks.
cpu_ticks() {
	local stat
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) } # the fields after the command name, which may hold spaces
	read -r -a f <<<"$stat"
	echo $((f[11] + f[12]))
}

# start_rss_sampler [NAME PID]...: samples the RSS of each process (default:
# pactum and pactum_pid) once a second while the load runs; report_peak_rss
# stops it and prints each one's peak.
start_rss_sampler() {
	(($# > 0)) || set -- pactum "$pactum_pid"
	rss_names=()
	local list=""
	while (($# >= 2)); do
		rss_names+=("$1")
		echo 0 >"$work/rss.$1"
		list+=${list:+,}$2
		echo "$1" >"$work/rss.pid.$2"
		shift 2
	done
	(
		declare -A peak=()
		# One ps for every process, so that sampling four servers costs
		# no more than sampling one; it fails once all of them are gone.
		while out=$(ps -o pid=,rss= -p "$list" 2>/dev/null); do
			while read -r pid rss; do
				if ((rss > ${peak[$pid]:-0})); then
					peak[$pid]=$rss
					echo "$rss" >"$work/rss.$(<"$work/rss.pid.$pid")"
				fi
			done <<<"$out"
			sleep 1
		done
	) &
	sampler_pid=$!
	pids+=("$sampler_pid")
}

report_peak_rss() {
	kill "$sampler_pid" 2>/dev/null || true
	wait "$sampler_pid" 2>/dev/null || true
	local name
	for name in "${rss_names[@]}"; do
		awk -v name="$name" '{ printf "%s peak RSS: %.1f MB (sampled every second)\n", name, $1 / 1024 }' "$work/rss.$name"
	done
}

# stop_serve NAME: stops start_serve's server NAME alone, so that its ordered
# shutdown is what the status reports; fails, showing the end of its log, if
# that shutdown did.
stop_serve() {
	local name=$1 pid=${serve_pids[$1]}
	kill -TERM "$pid"
	if ! wait "$pid"; then
		log "$name did not shut down cleanly; its log:"
		tail -n 20 "$work/$name.log" >&2
		return 1
	fi
}

stop_pactum() {
	stop_serve pactum
}

# log_problems NAME...: how many warnings and errors each server logged, and
# the first few, since a run can pass its checks while a process complains.
log_problems() {
	local name n
	for name in "$@"; do
		n=$(grep -Ec 'level=(WARN|ERROR)|"level":"(WARN|ERROR)"|panic' "$work/$name.log" || true)
		if ((n > 0)); then
			log "$name logged $n warnings or errors, the first:"
			grep -E 'level=(WARN|ERROR)|"level":"(WARN|ERROR)"|panic' "$work/$name.log" | head -n 3 >&2
		fi
	done
}

# create_bench_program ADDR: creates, through the REST API, the program the
# conversion benchmarks measure, the same for every binary compared (the demo
# program changes from release to release, and with it the work per
# conversion): an advertiser (bench_token is its postback token), an offer
# paying 8% with a fixed 12.00 a unit of the hero SKU SHOE-9 and a 5.00
# new-customer bonus (12% revenue), a partner and the link BENCH. The offer
# keeps each release's default fraud rules; with FRAUD=off the program turns
# every conversion rule off, so that a binary with the fraud rules (issue 18)
# can be compared with one from before them for the rest of its work (a
# binary without them refuses the setting, which is then skipped).
create_bench_program() {
	local addr=$1 adv offer partner
	api_post() {
		curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
			-d "$2" "http://$addr$1" || {
			log "creating the benchmark program: POST $1 failed"
			exit 1
		}
	}
	first_id() { grep -o '"id":[0-9]*' | head -1 | cut -d: -f2; }
	adv=$(api_post /api/v1/advertisers '{"name":"Bench Shoes","currency":"EUR"}')
	bench_token=$(grep -o '"postback_token":"[^"]*"' <<<"$adv" | cut -d'"' -f4)
	adv=$(first_id <<<"$adv")
	if [[ ${FRAUD:-} == off ]]; then
		local rule rules=""
		for rule in click_to_conversion_too_fast click_to_conversion_too_slow self_referral \
			flagged_click repeated_ip repeated_customer conversion_velocity; do
			rules+=${rules:+,}\"$rule\":\"off\"
		done
		curl -fsS -o /dev/null -X PATCH -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
			-d '{"fraud":{"rules":{'"$rules"'}}}' "http://$addr/api/v1/advertisers/$adv" ||
			log "this binary has no fraud rules to turn off"
	fi
	offer=$(api_post /api/v1/offers '{"advertiser_id":'"$adv"',"name":"Bench offer","status":"active",
		"destination_url":"http://'"$addr"'/demo/landing?click_id={click_id}","currency":"EUR",
		"visibility":"public","hold_days":14,"events":[{"name":"purchase",
		"payout":{"default":{"percent":"8"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}],"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}}]},
		"revenue":{"default":{"percent":"12"}}}]}' | first_id)
	partner=$(api_post /api/v1/partners '{"name":"Bench partner","email":"bench@example.com","kind":"influencer",
		"status":"active","currency":"EUR","min_payout":"50.00","payout_method":"manual"}' | first_id)
	api_post /api/v1/links '{"offer_id":'"$offer"',"partner_id":'"$partner"',"code":"BENCH","sub1":"instagram","source":"story"}' >/dev/null
}
