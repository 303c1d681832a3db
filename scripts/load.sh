#!/usr/bin/env bash
# scripts/load.sh — how many GitHub deliveries a real `mpgate serve` takes per
# second, how fast it drains its event queue, how much memory a burst costs
# and how long it takes to recover from SIGKILL; on SQLite, and on
# PostgreSQL when LOAD_DATABASE_URL is set.
#
#   scripts/load.sh
#   LOAD_DATABASE_URL='postgres://postgres@127.0.0.1:5432/mpgate_bench?sslmode=disable' scripts/load.sh
#
# Everything runs on loopback: the script starts the server on 127.0.0.1 with
# a throw-away webhook secret and data directory (under BENCH_DIR) and drives
# it with cmd/mpgate-load (real payloads from internal/loadgen/payloads,
# signed). Per database:
#
#   1. intake: LOAD_N deliveries at 32, then at 128 concurrent (closed loop:
#      each sender sends again once answered), then at 128 with the generator
#      under nice 19, then open loop at LOAD_RATE per second (up to 128 in
#      flight, latency counted from when each delivery was due); every 100th
#      a redelivery (must be answered "duplicate");
#   2. burst: the server restarted with one event worker, so that events queue
#      up, gets LOAD_BURST deliveries at 128 concurrent; its peak RSS (VmHWM)
#      is read, then it is killed with SIGKILL;
#   3. recovery: a new server with the default event workers: seconds until
#      /readyz answers, until no event is waiting (drain rate of the backlog),
#      and until every event is done (the one a killed worker held is taken
#      back when its lease runs out); then every accepted delivery must be a
#      completed job: nothing lost, nothing doubled.
#
# Knobs: LOAD_N (5000), LOAD_BURST (10000), LOAD_RATE (1000: the open-loop
# run's deliveries per second), BENCH_DIR (.bench),
# LOAD_RECOVER_WAIT (120: seconds step 3 waits for every event), LOAD_ONLY
# (sqlite or postgres: one database only),
# LOAD_DATABASE_URL (PostgreSQL; its mpgate tables are used as they are, the
# counts are deltas).
# Exit status: 0 when every check held, 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."

N=${LOAD_N:-5000}
WAIT=${LOAD_RECOVER_WAIT:-120}
BURST=${LOAD_BURST:-10000}
RATE=${LOAD_RATE:-1000}
DIR=${BENCH_DIR:-.bench}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
W=$DIR/load
rm -rf "$W"
mkdir -p "$W"

log() { printf 'load: %s\n' "$*" >&2; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

go build -o "$W/mpgate" ./cmd/mpgate
go build -o "$W/mpgate-load" ./cmd/mpgate-load
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$W/secret"
PORT=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$PORT
status=0
pid=""

cleanup() { [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true; }
trap cleanup EXIT

# start DBURL EXTRA...: start the server; sets pid and ready_s.
start() {
	local dburl=$1
	shift
	local t0 args=(serve --addr "127.0.0.1:$PORT" --data-dir "$W/data" --github-webhook-secret-file "$W/secret")
	[ -z "$dburl" ] || args+=(--database-url "$dburl")
	t0=$(now)
	"$W/mpgate" "${args[@]}" "$@" >>"$W/serve.log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		if curl -sf "$URL/readyz" >/dev/null 2>&1; then
			ready_s=$(secs "$t0" "$(now)")
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	log "the server did not become ready (see $W/serve.log)"
	tail -n 5 "$W/serve.log" >&2
	exit 1
}

stop() { kill -TERM "$pid" && wait "$pid" || true; pid=""; }

# jobs STATE...: event jobs in these states (from /metrics). The queue's
# figures are missing from /metrics when the database did not answer within
# its 3 s: asked again, for up to a minute, rather than read as zero. The
# outcome counters (mpgate_jobs_total) come with every answer the database
# gave; mpgate_queue_jobs has no sample, not even its TYPE line, while the
# queue is empty.
jobs() {
	local states=" $* " m
	for _ in $(seq 60); do
		if m=$(curl -sf --max-time 10 "$URL/metrics") && grep -q '^# TYPE mpgate_jobs_total ' <<<"$m"; then
			awk -v s="$states" '
				/^mpgate_queue_jobs\{kind="mpgate.event"/ {
					match($0, /state="[a-z]+"/); st = substr($0, RSTART + 7, RLENGTH - 8)
					if (index(s, " " st " ")) n += $2
				}
				END { print n + 0 }' <<<"$m"
			return 0
		fi
		sleep 1
	done
	log "no queue figures from $URL/metrics for a minute"
	exit 1
}

# load C COUNT [ARGS...]: one generator run; prints its JSON line.
load() {
	local c=$1 n=$2
	shift 2
	${GEN_NICE:-} "$W/mpgate-load" -url "$URL/webhooks/github" -secret-file "$W/secret" -c "$c" -n "$n" -json "$@" || true
}

field() { sed -E "s/.*\"$1\":([0-9.e+-]+).*/\1/" <<<"$2"; }

rows=()
check() { # CONDITION MESSAGE
	if ! eval "$1"; then
		log "FAILED: $2"
		status=1
	fi
}

run_backend() {
	local name=$1 dburl=$2
	rm -rf "$W/data"
	log "$name: intake"
	start "$dburl"
	local base_completed accepted=0 r32 r128 rburst
	base_completed=$(jobs completed)
	local base_pending
	base_pending=$(jobs available running retryable scheduled pending)
	r32=$(load 32 "$N" -redeliver 100 -id-prefix "$name-32-$(now)-")
	r128=$(load 128 "$N" -redeliver 100 -id-prefix "$name-128-$(now)-")
	# The same with the generator at the lowest priority: the server gets
	# the cores first, so the tail is the server's more than the generator's.
	r128n=$(GEN_NICE="nice -n 19" load 128 "$N" -redeliver 100 -id-prefix "$name-128n-$(now)-")
	# Open loop: RATE deliveries per second whatever the answers, up to 128
	# in flight, latency from when each was due.
	ropen=$(load 128 "$N" -redeliver 100 -rate "$RATE" -id-prefix "$name-open-$(now)-")
	for r in "$r32" "$r128" "$r128n" "$ropen"; do
		check "[ $(field errors "$r") = 0 ]" "$name: errors: $r"
		check "[ $(field duplicates "$r") = $(field expectedDuplicates "$r") ]" "$name: duplicates: $r"
		accepted=$((accepted + $(field accepted "$r")))
	done
	stop

	log "$name: burst of $BURST with one event worker, then SIGKILL"
	start "$dburl" --event-workers 1
	rburst=$(load 128 "$BURST" -id-prefix "$name-burst-$(now)-")
	check "[ $(field errors "$rburst") = 0 ]" "$name: burst errors: $rburst"
	accepted=$((accepted + $(field accepted "$rburst")))
	local hwm backlog at_kill
	hwm=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
	backlog=$(jobs available running retryable)
	at_kill=$(jobs completed)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""

	log "$name: recovery"
	local t0 waiting=1 t_avail="" t_all="" left
	t0=$(now)
	start "$dburl"
	local restart_ready=$ready_s
	local deadline=$(($(now) + WAIT * 1000000000))
	while [ "$(now)" -lt "$deadline" ]; do
		waiting=$(jobs available)
		left=$(jobs available running retryable)
		[ -n "$t_avail" ] || [ "$waiting" != 0 ] || t_avail=$(now)
		if [ "$left" -le "$base_pending" ]; then
			t_all=$(now)
			break
		fi
		sleep 0.1
	done
	local completed final stuck
	final=$(jobs completed)
	stuck=$(($(jobs available running retryable) - base_pending))
	completed=$((final - base_completed))
	stop
	check "[ -n '$t_all' ]" "$name: $stuck events not done ${WAIT}s after the restart"
	check "[ $((completed + stuck)) = $accepted ]" "$name: $accepted deliveries accepted, $completed events completed and $stuck not done"

	# The drain: events completed after the restart, over the seconds from
	# the restart (start-up included) until none was waiting.
	local drained drain_s drain_rate
	drained=$((final - at_kill))
	drain_s=$(secs "$t0" "${t_avail:-$(now)}")
	drain_rate=$(awk -v n="$drained" -v s="$drain_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	rows+=("| $name | 32 | $(field rate "$r32" | awk '{ printf "%.0f", $1 }') | $(field p50ms "$r32") | $(field p99ms "$r32") | $(field errors "$r32") | $(field duplicates "$r32")/$(field expectedDuplicates "$r32") |")
	rows+=("| $name | 128 | $(field rate "$r128" | awk '{ printf "%.0f", $1 }') | $(field p50ms "$r128") | $(field p99ms "$r128") | $(field errors "$r128") | $(field duplicates "$r128")/$(field expectedDuplicates "$r128") |")
	rows+=("| $name | 128, generator nice 19 | $(field rate "$r128n" | awk '{ printf "%.0f", $1 }') | $(field p50ms "$r128n") | $(field p99ms "$r128n") | $(field errors "$r128n") | $(field duplicates "$r128n")/$(field expectedDuplicates "$r128n") |")
	rows+=("| $name | up to 128, open loop at $RATE/s | $(field rate "$ropen" | awk '{ printf "%.0f", $1 }') | $(field p50ms "$ropen") | $(field p99ms "$ropen") | $(field errors "$ropen") | $(field duplicates "$ropen")/$(field expectedDuplicates "$ropen") |")
	rows+=("| $name | 128, burst of $BURST (1 event worker) | $(field rate "$rburst" | awk '{ printf "%.0f", $1 }') | $(field p50ms "$rburst") | $(field p99ms "$rburst") | $(field errors "$rburst") | – |")
	local all_s
	if [ -n "$t_all" ]; then all_s=$(secs "$t0" "$t_all"); else all_s="not within ${WAIT} s: $stuck still running"; fi
	recov+=("| $name | $hwm | $backlog | $restart_ready | $drained in $drain_s s: $drain_rate/s | $all_s | $accepted / $completed |")
}

recov=()
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
[ "${LOAD_ONLY:-}" = postgres ] || run_backend SQLite ""
if [ -n "${LOAD_DATABASE_URL:-}" ] && [ "${LOAD_ONLY:-}" != sqlite ]; then
	run_backend PostgreSQL "$LOAD_DATABASE_URL"
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1024 / 1024 }' /proc/meminfo)
cat <<EOF
### $(date -u +%Y-%m-%d) — $(git rev-parse --short HEAD 2>/dev/null || echo "no git")$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (dirty)')

Machine: $(nproc) cores, ${cpu:-unknown CPU}, $mem memory, $(go version | cut -d' ' -f3-4), Linux $(uname -r); load average $load_start before, $load_end after. Server and generator on the same cores.
Deliveries: the real issue_comment payload (10.9 KB, signed); $N per intake run, every 100th a redelivery.

| database | concurrent | deliveries/s | p50 ms | p99 ms | errors | duplicates / redeliveries |
|---|---|---|---|---|---|---|
EOF
printf '%s\n' "${rows[@]}"
cat <<EOF

| database | peak RSS after the burst, MB | events waiting at SIGKILL | restart to ready, s | backlog drained (drain rate) | restart to every event done, s | accepted / completed |
|---|---|---|---|---|---|---|
EOF
printf '%s\n' "${recov[@]}"
exit "$status"
