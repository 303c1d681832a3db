#!/usr/bin/env bash
# scripts/bench.sh — how fast is `mpgate check` on a large mini-program, next to
# the floor of reading every file once, cold, warm and base + head?
#
#   scripts/bench.sh            # from anywhere inside the repository
#
# It builds mpgate, generates the synthetic project (internal/synth) into
# .bench/synth once (reused while the seed and sizes are the same), and times
# under GNU time, each BENCH_RUNS times after one warm-up run (the median is
# reported):
#
#   read       a plain parallel read of every file (the floor)
#   no-cache   mpgate check --no-cache
#   cold       mpgate check with an empty analysis cache (MPGATE_CACHE_DIR)
#   warm       mpgate check again, nothing changed
#   warm-1     mpgate check with one script changed since the cached run
#   base+head  mpgate check --base HEAD~1 on a git copy of the project whose
#              head commit changes one script, cache warm
#   real cold  mpgate check, empty cache, on a real-size program: BENCH_REAL
#              (a program's directory), else a 4 MB synthetic one
#   analyseCode  WeChat's miniprogram-ci analyseCode on the synthetic project,
#              when node and WECHAT_SIZES_CI_DIR (a folder holding
#              node_modules/miniprogram-ci) are there; ANALYSE_RUNS (1) runs
#
# It prints the machine, a Markdown table for docs/benchmarks.md with every
# median and its ratio to the read, and the aims of issue 11 met or not.
#
# Knobs (environment): BENCH_RUNS (3), BENCH_DIR (.bench), SYNTH_SEED (1),
# SYNTH_FILES (20000), SYNTH_SUBPACKAGES (40), BENCH_REAL, WECHAT_SIZES_CI_DIR,
# ANALYSE_RUNS (1).
#
# Exit status: 0 when every measurement ran, 1 when mpgate could not be built
# or a measured command failed with an exit status other than 0 or 1 (1 only
# means a gate failed).
set -euo pipefail

cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-.bench}
SEED=${SYNTH_SEED:-1}
FILES=${SYNTH_FILES:-20000}
SUBS=${SYNTH_SUBPACKAGES:-40}
AN_RUNS=${ANALYSE_RUNS:-1}
TIME=/usr/bin/time

log() { printf '%s\n' "$*" >&2; }

if ! "$TIME" -f '%e' true 2>/dev/null; then
	log "bench: GNU time is missing; installing the Debian package 'time'"
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y time >&2 || { apt-get update >&2 && apt-get install -y time >&2; }
	else
		sudo apt-get install -y time >&2
	fi
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# (a) build mpgate, the read-everything floor and the generator.
if ! go build -o "$DIR/mpgate" ./cmd/mpgate 2>"$DIR/build.log"; then
	log "bench: cannot build ./cmd/mpgate (see $DIR/build.log)"
	exit 1
fi
go build -o "$DIR/readall" ./internal/synth/cmd/readall
go build -o "$DIR/synthgen" ./internal/synth/cmd/synth
MPGATE=$DIR/mpgate

# gen NAME FILES SUBS: generate $DIR/NAME once per parameter set.
gen() {
	local name=$1 files=$2 subs=$3 params
	params="seed=$SEED files=$files subpackages=$subs generator=$(cat internal/synth/*.go | sha256sum | cut -c1-12)"
	if [ ! -f "$DIR/$name.params" ] || [ "$(cat "$DIR/$name.params")" != "$params" ] || [ ! -d "$DIR/$name" ]; then
		log "bench: generating $DIR/$name ($params)"
		rm -rf "${DIR:?}/$name" "$DIR/$name.params"
		"$DIR/synthgen" -out "$DIR/$name" -seed "$SEED" -files "$files" -subpackages "$subs" >&2
		printf '%s\n' "$params" >"$DIR/$name.params"
	else
		log "bench: reusing $DIR/$name ($params)"
	fi
}
gen synth "$FILES" "$SUBS"
SYNTH=$DIR/synth

# The real-size program: BENCH_REAL, else a 4 MB synthetic one.
if [ -n "${BENCH_REAL:-}" ]; then
	REAL=$(cd "$BENCH_REAL" && pwd)
	real_label="real program $(basename "$REAL")"
else
	gen small 2400 8
	REAL=$DIR/small
	real_label="synthetic 4 MB program"
fi

# The base + head repository: a git copy of the project, then one commit that
# changes one script (rebuilt when the project was).
CHANGED=$(cd "$SYNTH" && find . -name '*.js' -path '*/pages/*' | LC_ALL=C sort | sed -n 1p)
CHANGED=${CHANGED#./}
REPO=$DIR/repo
if [ ! -f "$REPO.params" ] || ! cmp -s "$REPO.params" "$DIR/synth.params" || [ ! -d "$REPO/.git" ]; then
	log "bench: making the base + head repository $REPO"
	rm -rf "$REPO" "$REPO.params"
	cp -a "$SYNTH" "$REPO"
	git -C "$REPO" init -q
	git -C "$REPO" -c user.name=bench -c user.email=bench@localhost add -A
	git -C "$REPO" -c user.name=bench -c user.email=bench@localhost commit -qm base
	printf '\n// changed by the head commit\nmodule.exports.benchHead = 1;\n' >>"$REPO/$CHANGED"
	git -C "$REPO" -c user.name=bench -c user.email=bench@localhost commit -qam head
	cp "$DIR/synth.params" "$REPO.params"
fi

# measure NAME PREP CMD...: PREP (a shell function, or :) runs before every
# run, untimed; one warm-up run, then RUNS runs; each run appends
# "wall user sys maxrss_kb exit" to $DIR/NAME.runs. WARMUP=0 skips the
# warm-up, N overrides RUNS.
failed=""
measure() {
	local name=$1 prep=$2
	shift 2
	local out="$DIR/$name.runs" tf="$DIR/time.out" rc first=0 n=${N:-$RUNS}
	[ "${WARMUP:-1}" = 1 ] || first=1
	: >"$out"
	for i in $(seq "$first" "$n"); do
		"$prep"
		rc=0
		"$TIME" -f '%e %U %S %M' -o "$tf" "$@" >/dev/null 2>"$DIR/$name.stderr" || rc=$?
		if [ "$rc" -gt 1 ]; then
			log "bench: $name exited with $rc:"
			tail -n 5 "$DIR/$name.stderr" >&2
			failed="$failed $name"
			: >"$out"
			return 0
		fi
		# GNU time puts "Command exited with non-zero status N" first.
		[ "$i" -eq 0 ] || printf '%s %s\n' "$(tail -n 1 "$tf")" "$rc" >>"$out"
	done
}

# Preparations.
cold_prep() { rm -rf "$DIR/cache-cold"; }
real_prep() { rm -rf "$DIR/cache-real"; }
orig=$(mktemp)
cp "$SYNTH/$CHANGED" "$orig"
restore() { cp "$orig" "$SYNTH/$CHANGED" && rm -f "$orig"; }
trap restore EXIT
change_prep() { printf '\n// bench change %s\n' "$(date +%s%N)" >>"$SYNTH/$CHANGED"; }

log "bench: load before: $load_start"
measure read : "$DIR/readall" "$SYNTH"
measure nocache : "$MPGATE" check "$SYNTH" --format json --no-cache
measure cold cold_prep env MPGATE_CACHE_DIR="$DIR/cache-cold" "$MPGATE" check "$SYNTH" --format json
rm -rf "$DIR/cache-warm"
measure warm : env MPGATE_CACHE_DIR="$DIR/cache-warm" "$MPGATE" check "$SYNTH" --format json
measure warm1 change_prep env MPGATE_CACHE_DIR="$DIR/cache-warm" "$MPGATE" check "$SYNTH" --format json
restore
trap - EXIT
rm -rf "$DIR/cache-bh"
measure basehead : env MPGATE_CACHE_DIR="$DIR/cache-bh" "$MPGATE" check "$REPO" --base HEAD~1 --format json
measure real real_prep env MPGATE_CACHE_DIR="$DIR/cache-real" "$MPGATE" check "$REAL" --format json

have_an=0
if [ -n "${WECHAT_SIZES_CI_DIR:-}" ] && command -v node >/dev/null && [ -d "$WECHAT_SIZES_CI_DIR/node_modules/miniprogram-ci" ]; then
	# analyseCode alone, offline (the tricks of scripts/wechat-sizes).
	cat >"$DIR/analyse.js" <<'EOF'
const fs = require('fs'), os = require('os'), path = require('path'), crypto = require('crypto');
const [ciDir, dir] = process.argv.slice(2);
const req = (m) => require(require.resolve(m, { paths: [ciDir] }));
const ci = req('miniprogram-ci');
const { DefaultProjectAttr } = req('miniprogram-ci/dist/config/config');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-analyse-'));
const keyPath = path.join(tmp, 'private.touristappid.key');
fs.writeFileSync(keyPath, crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }));
const project = new ci.Project({ appid: 'touristappid', type: 'miniProgram', projectPath: path.resolve(dir),
  privateKeyPath: keyPath, ignores: ['node_modules/**/*'], attr: async () => DefaultProjectAttr });
ci.analyseCode(project).then((r) => { console.log(r.files.length); fs.rmSync(tmp, { recursive: true }); },
  (e) => { console.error(e); process.exit(2); });
EOF
	WARMUP=0 N=$AN_RUNS measure analyse : node "$DIR/analyse.js" "$WECHAT_SIZES_CI_DIR" "$SYNTH"
	[ -s "$DIR/analyse.runs" ] && have_an=1
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

median() { # median of column $2 (1 wall, 5 cpu) of $DIR/$1.runs
	awk -v c="$2" '{ v = (c == 5) ? $2 + $3 : $c; print v }' "$DIR/$1.runs" | sort -n |
		awk '{ w[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2 }'
}
walls() { awk '{ printf "%s%s", (NR > 1 ? " / " : ""), $1 }' "$DIR/$1.runs"; }
max_rss_mb() { awk 'BEGIN { m = 0 } { if ($4 > m) m = $4 } END { printf "%.0f", m / 1024 }' "$DIR/$1.runs"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b <= 0) print "–"; else printf "%.2f", a / b }'; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "NOT met"; fi; }

files=$(find "$SYNTH" -type f | wc -l)
bytes=$(find "$SYNTH" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }')
rfiles=$(find "$REAL" -type f -not -path '*/.git/*' | wc -l)
rbytes=$(find "$REAL" -type f -not -path '*/.git/*' -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1024 / 1024 }' /proc/meminfo)
rw=$(median read 1)
rc=$(median read 5)

cat <<EOF
### $(date -u +%Y-%m-%d) — $(git rev-parse --short HEAD 2>/dev/null || echo "no git")$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (dirty)')

Machine: $(nproc) cores, ${cpu:-unknown CPU}, $mem memory, $(go version | cut -d' ' -f3-4), Linux $(uname -r); load average $load_start before, $load_end after.
Project: internal/synth seed $SEED, $files files, $bytes MB, $SUBS subpackages; $real_label: $rfiles files, $rbytes MB.
Warm page cache; each row the median of $RUNS runs after one warm-up run (analyseCode: $AN_RUNS run, no warm-up).

| what | median wall s | runs (wall s) | CPU s (user+sys) | CPU / wall | peak RSS MB | wall × read | CPU × read |
|---|---|---|---|---|---|---|---|
EOF
row() {
	local name=$1 label=$2
	if [ ! -s "$DIR/$name.runs" ]; then
		printf '| %s | not run | | | | | | |\n' "$label"
		return
	fi
	local w c
	w=$(median "$name" 1)
	c=$(median "$name" 5 | awk '{ printf "%.2f", $1 }')
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$w" "$(walls "$name")" "$c" "$(ratio "$c" "$w")" "$(max_rss_mb "$name")" "$(ratio "$w" "$rw")" "$(ratio "$c" "$rc")"
}
row read "read every file (readall)"
row nocache "check --no-cache"
row cold "check, cold (empty cache)"
row warm "check, warm (nothing changed)"
row warm1 "check, warm, one file changed"
row basehead "check --base HEAD~1, warm (one file differs)"
row real "$real_label, cold, whole process"
[ "$have_an" = 0 ] || row analyse "miniprogram-ci analyseCode"

cold=$(median cold 1)
warm=$(median warm 1)
warm1=$(median warm1 1)
bh=$(median basehead 1)
real=$(median real 1)
rss=0
for n in nocache cold warm warm1 basehead real; do
	[ -s "$DIR/$n.runs" ] || continue
	m=$(max_rss_mb "$n")
	[ "$m" -le "$rss" ] || rss=$m
done
cat <<EOF

Aims (issue 11):
- cold ≤ 3× the read: $(ratio "$cold" "$rw")× — $(verdict "$(ratio "$cold" "$rw") <= 3") (in CPU: $(ratio "$(median cold 5)" "$rc")×)
EOF
if [ "$have_an" = 1 ]; then
	an=$(median analyse 1)
	echo "- cold ≥ 25× faster than analyseCode: $(ratio "$an" "$cold")× — $(verdict "$(ratio "$an" "$cold") >= 25")"
else
	echo "- cold ≥ 25× faster than analyseCode: not measured (set WECHAT_SIZES_CI_DIR)"
fi
cat <<EOF
- warm, one file changed ≤ 1.5× the read: $(ratio "$warm1" "$rw")× — $(verdict "$(ratio "$warm1" "$rw") <= 1.5") (in CPU: $(ratio "$(median warm1 5)" "$rc")×)
- base + head warm ≤ 1.2× one warm run: $(ratio "$bh" "$warm")× — $(verdict "$(ratio "$bh" "$warm") <= 1.2") (in CPU: $(ratio "$(median basehead 5)" "$(median warm 5)")×)
- $real_label ≤ 0.15 s cold, whole process: ${real} s — $(verdict "$real <= 0.15")
- peak memory < 200 MB: ${rss} MB — $(verdict "$rss < 200")
EOF
if [ -n "$failed" ]; then
	log "bench: failed:$failed (see $DIR/*.stderr)"
	exit 1
fi
