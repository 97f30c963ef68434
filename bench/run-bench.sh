#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-bench.sh -- the e2fc benchmarks (targets: doc/design.md), each
# measured against its peers in the same run (run by `make bench`, which
# builds the bench programs first; this script builds nothing).
#
# Environment:
#   BENCH_DIR   where the benchmark images live (default /tmp/e2fc-bench);
#               missing images are made with mkimg-fc.sh (root and loop
#               devices needed), existing ones are reused
#   E2FC_BUILD  top of the e2fc build tree (default: the parent of the
#               current directory when run from bench/, else .)
#   ROUNDS      timed runs per command (default 3; best and median shown)
#   BENCH_ONLY  space-separated subset of: scan 15k sparse curve biglog
#               (default all)
#   SPARSE_SIZE size of the sparse image (default 8T)
#   CURVE_SIZES file-system sizes of the curve case (default 1G 64G 1T 8T 64T)
#   CURVE_BIG   from this size on (default 8T), the curve case times e2fsck
#               and the kernel CURVE_BIG_ROUNDS times (default 1) and
#               without the extra RSS run: e2fsck takes ~9 min on 64 TiB,
#               and make bench must end in bounded time (~45 min here);
#               the sparse case (SPARSE_SIZE) times them as often
#   CURVE_PEERS "no": the curve case times e2fsck-fc alone (for quick
#               iterations; default yes)
#   CURVE_DIR   where the curve case keeps its images and scratch copies
#               (default BENCH_DIR/curve, a tmpfs the script mounts and
#               leaves mounted for the next run: this machine's ext4 takes
#               no file over 16 TiB, tmpfs takes a 64 TiB sparse file, and
#               every size then sits on the same storage)
#   PLOT_DIR    where the PNG plots go (default: doc/ of the source tree)
#
# Prints a table per case and the ratios with their targets.  A program
# that is not built yet is reported as "SKIP: <bench> (<program> not
# built)".  Exit status: 0 unless a benchmark program itself failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/e2fc-bench}
ROUNDS=${ROUNDS:-3}
BENCH_ONLY=${BENCH_ONLY:-scan 15k sparse curve biglog}
SPARSE_SIZE=${SPARSE_SIZE:-8T}
CURVE_SIZES=${CURVE_SIZES:-1G 64G 1T 8T 64T}
CURVE_DIR=${CURVE_DIR:-$BENCH_DIR/curve}
CURVE_BIG=${CURVE_BIG:-8T}
CURVE_BIG_ROUNDS=${CURVE_BIG_ROUNDS:-1}
CURVE_PEERS=${CURVE_PEERS:-yes}
PLOT_DIR=${PLOT_DIR:-$here/../doc}
if [ -z "${E2FC_BUILD:-}" ]; then
	if [ -x ./fc_scan_rate ] || [ "$(basename "$PWD")" = bench ]; then
		E2FC_BUILD=$(cd .. && pwd)
	else
		E2FC_BUILD=$PWD
	fi
fi
B=$E2FC_BUILD
E2FCDUMP=$B/misc/e2fcdump
E2FSCK_FC=$B/e2fsck/e2fsck-fc
REPLAY_TOOL=$B/tests/tools/e2fc-recover
SYS_E2FSCK=${SYS_E2FSCK:-$(command -v e2fsck || echo /sbin/e2fsck)}
SYS_DEBUGFS=${SYS_DEBUGFS:-$(command -v debugfs || echo /sbin/debugfs)}
GNU_TIME=/usr/bin/time
status=0
mnt=""

# ---- helpers -------------------------------------------------------------

say() { printf '%s\n' "$*"; }
skip() { say "SKIP: $1 ($2)"; }
wants() { case " $BENCH_ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

cleanup() {
	if [ -n "$mnt" ]; then
		mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
		rmdir "$mnt" 2>/dev/null
	fi
	rm -f "$BENCH_DIR"/.run-*.img
}
trap cleanup EXIT

can_mount() {
	[ "$(id -u)" -eq 0 ] && { [ -e /dev/loop-control ] || [ -e /dev/loop0 ]; }
}

# seconds with 3 decimals between two $EPOCHREALTIME values
delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# best and median of the numbers on stdin
best_median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- -"; exit }
		printf "%.3f %.3f\n", v[1], v[int((NR + 1) / 2)] }'
}

ratio() {	# ratio A B: A / B, or "-" when either is missing or zero
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || a + 0 == 0 || b + 0 == 0) print "-"
		else printf "%.2f", a / b }'
}

# verdict RATIO TARGET: PASS or MISS, and by how much (the ratio against
# the target, in per cent)
verdict() {
	awk -v r="$1" -v t="$2" 'BEGIN {
		if (r == "-") { print "n/a"; exit }
		d = (r / t - 1) * 100
		if (r + 0 >= t + 0) printf "PASS (by %+.0f%%)\n", d
		else printf "MISS (by %.0f%%)\n", -d }'
}

# verdict_max VALUE LIMIT: PASS when VALUE <= LIMIT, and by how much
verdict_max() {
	awk -v v="$1" -v t="$2" 'BEGIN {
		if (v == "-") { print "n/a"; exit }
		d = (v / t - 1) * 100
		if (v + 0 <= t + 0) printf "PASS (%.0f%% under)\n", -d
		else printf "MISS (%.0f%% over)\n", d }'
}

row_header() {
	printf '%-42s %9s %9s %8s  %s\n' "command" "best s" "median s" \
		"RSS MB" "result"
}

row() {	# row LABEL BEST MEDIAN RSS_KB RESULT
	local rss=-
	[ "$4" != - ] && rss=$(awk -v k="$4" 'BEGIN { printf "%.0f", k / 1024 }')
	printf '%-42s %9s %9s %8s  %s\n' "$1" "$2" "$3" "$rss" "$5"
}

# max RSS (KB) of one run of a command, or "-" without GNU time
rss_of() {
	local f
	[ -x "$GNU_TIME" ] || { echo -; return; }
	f=$(mktemp)
	"$GNU_TIME" -f '%M' -o "$f" "$@" >/dev/null 2>&1
	tail -n 1 "$f"
	rm -f "$f"
}

# time_readonly ROUNDS CMD...: times a command that does not change its
# input; one warm-up run first.  Prints "best median rss_kb rc".
time_readonly() {
	local n=$1 i t0 t1 rc times="" rss
	shift
	"$@" >/dev/null 2>&1
	for i in $(seq "$n"); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		rc=$?
		t1=$EPOCHREALTIME
		times="$times $(delta "$t0" "$t1")"
	done
	rss=$(rss_of "$@")
	echo "$(echo "$times" | tr ' ' '\n' | grep . | best_median) $rss $rc"
}

# scratch IMG TAG: copy IMG to a fresh sparse scratch image; echo its path
scratch() {
	local dst=${SCRATCH_DIR:-$BENCH_DIR}/.run-$2.img
	rm -f "$dst"
	# sync: the copy's writeback must not land in the timed run
	cp --sparse=always "$1" "$dst" && sync -f "$dst" && echo "$dst"
}

# time_recover ROUNDS IMG TAG CMD... (the image path is appended to CMD):
# every round works on a fresh copy of IMG (the copy is not timed); the
# copy of the last round is kept as $BENCH_DIR/.run-TAG.img for checks.
# One more run measures the RSS unless NO_RSS=1.
# Prints "best median rss_kb rc".
time_recover() {
	local n=$1 img=$2 tag=$3 i t0 t1 rc=0 times="" rss=- c f
	shift 3
	for i in $(seq "$n"); do
		c=$(scratch "$img" "$tag") || return 1
		t0=$EPOCHREALTIME
		"$@" "$c" >/dev/null 2>&1
		rc=$?
		t1=$EPOCHREALTIME
		times="$times $(delta "$t0" "$t1")"
	done
	if [ -x "$GNU_TIME" ] && [ "${NO_RSS:-0}" = 0 ]; then
		c=$(scratch "$img" "$tag-rss") || return 1
		f=$(mktemp)
		"$GNU_TIME" -f '%M' -o "$f" "$@" "$c" >/dev/null 2>&1
		rss=$(tail -n 1 "$f")
		rm -f "$f" "$c"
	fi
	echo "$(echo "$times" | tr ' ' '\n' | grep . | best_median) $rss $rc"
}

# time_mount ROUNDS IMG TAG: the kernel's replay, timed as mount + umount of
# a fresh copy (umount writes back what the replay dirtied); the copy of the
# last round is kept.  Prints "best median - rc".
time_mount() {
	local n=$1 img=$2 tag=$3 i t0 t1 rc=0 times="" c
	for i in $(seq "$n"); do
		c=$(scratch "$img" "$tag") || return 1
		t0=$EPOCHREALTIME
		# noinit_itable: no background inode-table zeroing to time
		mount -o loop,noinit_itable "$c" "$mnt" && umount "$mnt"
		rc=$?
		t1=$EPOCHREALTIME
		times="$times $(delta "$t0" "$t1")"
	done
	echo "$(echo "$times" | tr ' ' '\n' | grep . | best_median) - $rc"
}

# a listing of the tree of a recovered image: inode, type, mode, links,
# size, content digest; mounted read-only without journal replay
manifest() {
	local out=$2
	if ! mount -o loop,ro,noload "$1" "$mnt" 2>/dev/null; then
		echo "UNMOUNTABLE" >"$out"
		return 1
	fi
	python3 - "$mnt" >"$out" <<'PY'
import hashlib, os, stat, sys
root = sys.argv[1]
for d, dirs, files in os.walk(root):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(d, n)
        st = os.lstat(p)
        h = '-'
        if stat.S_ISREG(st.st_mode):
            with open(p, 'rb') as f:
                h = hashlib.md5(f.read()).hexdigest()
        print(os.path.relpath(p, root), st.st_ino, oct(st.st_mode),
              st.st_nlink, st.st_size, h)
PY
	umount "$mnt"
}

# a manifest without the sizes of directories
nodirsize() { awk '$3 ~ /^0o40/ { $5 = "-" } { print }'; }

# check_result IMG KERNEL_MANIFEST: "fsck clean|NOT clean, tree ==|!= kernel"
check_result() {
	local img=$1 kman=$2 fsck tree m n
	m=$(mktemp)
	if "$SYS_E2FSCK" -fn "$img" >"$m" 2>&1; then
		fsck="e2fsck -fn clean"
	else
		n=$(grep -c '? no' "$m")
		fsck="e2fsck -fn NOT clean ($n problems, first: $(grep -m1 \
			'? no' "$m" | sed 's/[0-9][0-9]*/N/g; s/  *Fix? no//; s/? no//'))"
	fi
	rm -f "$m"
	tree="tree not compared"
	if [ -s "$kman" ]; then
		m=$(mktemp)
		manifest "$img" "$m"
		if cmp -s "$m" "$kman"; then
			tree="tree == kernel"
		elif cmp -s <(nodirsize <"$m") <(nodirsize <"$kman"); then
			# how full directory blocks are packed is the
			# replayer's choice; everything else matches
			tree="tree == kernel but the size of $(diff "$m" \
				"$kman" | grep -c '^<') directories"
		else
			tree="tree != kernel ($(diff "$m" "$kman" |
				grep -c '^[<>]') lines differ)"
		fi
		rm -f "$m"
	fi
	echo "$fsck, $tree"
}

# ---- 1. FC scan rate (synthetic area, in memory) --------------------------

bench_scan() {
	local prog=./fc_scan_rate out
	say "== 1. fc_scan_rate: synthetic 64 MiB FC area, decode + CRC"
	[ -x "$prog" ] || prog=$B/bench/fc_scan_rate
	if [ ! -x "$prog" ]; then
		skip "fc_scan_rate" "fc_scan_rate not built"
		return
	fi
	out=$("$prog" -r "$(( ROUNDS < 5 ? 5 : ROUNDS ))") || status=1
	echo "$out" | grep -v '^RESULT'
	scan_gbs=$(echo "$out" | awk '$2 == "scan_kernel_gbs" { print $3 }')
	dense_gbs=$(echo "$out" | awk '$2 == "scan_dense_gbs" { print $3 }')
	say "target: e2fc_fc_scan_buf >= 1 GB/s: kernel-like area" \
	    "${scan_gbs:--} GB/s $(verdict "${scan_gbs:--}" 1)," \
	    "dense area ${dense_gbs:--} GB/s $(verdict "${dense_gbs:--}" 1)"
	say ""
}

# ---- image cases ------------------------------------------------------------

# make_image NAME SIZE NCOMMITS MKE2FS-OPTS...: BENCH_DIR/NAME unless present
make_image() {
	local img=$BENCH_DIR/$1 t0
	shift
	[ -s "$img" ] && return 0
	say "(making $img: $1 sparse, $2 fsynced fast commits; this takes" \
	    "a while)"
	t0=$EPOCHREALTIME
	"$here/mkimg-fc.sh" "$img" "$@" | sed 's/^/  /' || return 1
	say "  image made in $(delta "$t0" "$EPOCHREALTIME") s"
}

# one timed recovery row: rec_row TAG KMAN CMD...; sets rec_med (median);
# REC_ROUNDS runs (default ROUNDS)
rec_row() {
	local tag=$1 kman=$2 r
	shift 2
	r=$(time_recover "${REC_ROUNDS:-$ROUNDS}" "$img" "$tag" "$@")
	set -- $r "$@"
	rec_med=$2
	row "$(echo "${*:5}" | sed "s|$B/||; s|^/[^ ]*/||")" "$1" "$2" "$3" \
	    "rc $4, $(check_result "$BENCH_DIR/.run-$tag.img" "$kman")"
}

# run_image_case LABEL IMG INSPECT(0|1) FSCK_TARGET [KERNEL_TARGET]
# PEER_ROUNDS: runs of e2fsck and the kernel (default ROUNDS; e2fsck then
# without its extra RSS run when fewer)
run_image_case() {
	local label=$1 img=$2 inspect=$3 fsck_target=$4 k_target=${5:-}
	local r kman name rec_med i c
	local dbg_med=- dump_med=- dbgj_med=- dumpj_med=- fsck_med=- k_med=-
	local -a rec_names=() rec_times=()
	kman=$(mktemp)

	row_header
	# the oracle: the kernel's replay
	local pr=${PEER_ROUNDS:-$ROUNDS} nr=0
	[ "$pr" -lt "$ROUNDS" ] && nr=1
	[ "$pr" != "$ROUNDS" ] && say "(e2fsck and the kernel: $pr round(s)," \
	    "e2fc: $ROUNDS)"
	r=$(time_mount "$pr" "$img" kernel)
	set -- $r
	k_med=$2
	manifest "$BENCH_DIR/.run-kernel.img" "$kman" ||
		say "warning: the kernel's copy does not mount read-only"
	row "kernel mount+umount (replay)" "$1" "$2" "$3" \
	    "$(check_result "$BENCH_DIR/.run-kernel.img" /dev/null |
	       sed 's/, tree not compared//'), $(wc -l <"$kman") entries"

	if [ "$inspect" = 1 ]; then
		r=$(time_readonly $((ROUNDS * 3)) "$SYS_DEBUGFS" -R logdump "$img")
		set -- $r
		dbg_med=$2
		row "debugfs -R logdump" "$1" "$2" "$3" "rc $4"
		if [ -x "$E2FCDUMP" ]; then
			r=$(time_readonly $((ROUNDS * 3)) "$E2FCDUMP" "$img")
			set -- $r
			dump_med=$2
			row "e2fcdump" "$1" "$2" "$3" "rc $4"
			# the JSON race, in its own rounds: logdump again,
			# so that both sides share the load of the moment
			r=$(time_readonly $((ROUNDS * 3)) "$SYS_DEBUGFS" \
				-R logdump "$img")
			set -- $r
			dbgj_med=$2
			row "debugfs -R logdump (again)" "$1" "$2" "$3" "rc $4"
			r=$(time_readonly $((ROUNDS * 3)) "$E2FCDUMP" --json \
				"$img")
			set -- $r
			dumpj_med=$2
			row "e2fcdump --json" "$1" "$2" "$3" "rc $4"
		fi
		if [ -x "$B/bench/fc_read_rate" ]; then
			r=$(time_readonly $((ROUNDS * 3)) \
				"$B/bench/fc_read_rate" "$img")
			set -- $r
			row "fc_read_rate (whole-area read+scan)" \
			    "$1" "$2" "$3" "rc $4"
			"$B/bench/fc_read_rate" -r 5 "$img" | grep -v '^RESULT' |
				sed 's/^fc_read_rate: /  in-process: /'
		fi
	fi

	# the 15k races take a second or less a run: three times the
	# rounds there, as for the dumps (three rounds' medians moved by
	# 20% from run to run)
	local fr=$ROUNDS
	[ "$inspect" = 1 ] && fr=$((ROUNDS * 3))
	[ "$pr" = "$ROUNDS" ] && pr=$fr
	NO_RSS=$nr REC_ROUNDS=$pr rec_row e2fsck "$kman" "$SYS_E2FSCK" -fy \
		-E journal_only
	fsck_med=$rec_med
	if [ -x "$E2FSCK_FC" ]; then
		REC_ROUNDS=$fr rec_row e2fsck-fc "$kman" "$E2FSCK_FC" -fy \
			-E journal_only
		rec_names+=("e2fsck-fc"); rec_times+=("$rec_med")
	fi
	if [ -x "$REPLAY_TOOL" ]; then
		REC_ROUNDS=$fr rec_row e2fc-recover "$kman" "$REPLAY_TOOL"
		rec_names+=("e2fc-recover"); rec_times+=("$rec_med")
	fi
	if [ -x "$B/bench/fc_phases" ]; then
		# fc_phases recovers the image it is given: a scratch copy
		say "in-process phases of one e2fc recovery (fc_phases):"
		c=$(scratch "$img" phases) &&
		"$B/bench/fc_phases" "$c" | grep -v '^RESULT' | sed 1d
	fi
	rm -f "$kman" "$BENCH_DIR"/.run-*.img

	say ""
	if [ "$inspect" = 1 ]; then
		if [ -x "$E2FCDUMP" ]; then
			r=$(ratio "$dbg_med" "$dump_med")
			say "ratio debugfs logdump / e2fcdump (medians):" \
			    "${r}x (target >= 2x) $(verdict "$r" 2)"
			r=$(ratio "$dbgj_med" "$dumpj_med")
			say "ratio debugfs logdump / e2fcdump --json" \
			    "(medians): ${r}x (target >= 2x) $(verdict "$r" 2)"
		else
			skip "$label inspect" "misc/e2fcdump not built"
		fi
	fi
	if [ ${#rec_names[@]} -eq 0 ]; then
		skip "$label recovery" "e2fsck/e2fsck-fc and tests/tools/e2fc-recover not built"
	fi
	for i in "${!rec_names[@]}"; do
		name=${rec_names[$i]}
		r=$(ratio "$fsck_med" "${rec_times[$i]}")
		say "ratio e2fsck -E journal_only / $name (medians): ${r}x" \
		    "(target >= ${fsck_target}x) $(verdict "$r" "$fsck_target")"
		r=$(ratio "$k_med" "${rec_times[$i]}")
		if [ -n "$k_target" ]; then
			say "ratio kernel mount / $name: ${r}x" \
			    "(target >= ${k_target}x) $(verdict "$r" "$k_target")"
		else
			say "ratio kernel mount / $name: ${r}x"
		fi
	done
	say ""
}

bench_15k() {
	local img=$BENCH_DIR/fc15k.img
	say "== 2. 4 GiB ext4, 64 MiB FC area, 15,000 fsynced fast commits"
	make_image fc15k.img 4G 15000 -J size=256,fast_commit_size=65536 ||
		{ say "FAIL: could not make $img"; status=1; return; }
	run_image_case 15k "$img" 1 5 30
}

bench_sparse() {
	local img=$BENCH_DIR/fc-sparse-$SPARSE_SIZE.img
	say "== 3. $SPARSE_SIZE sparse ext4 (lazy init), 2,000 fsynced fast commits"
	make_image "fc-sparse-$SPARSE_SIZE.img" "$SPARSE_SIZE" 2000 \
		-E lazy_itable_init=1,lazy_journal_init=1 ||
		{ say "FAIL: could not make $img"; status=1; return; }
	# e2fsck takes over a minute here: once is enough for a 20x target
	PEER_ROUNDS=$CURVE_BIG_ROUNDS run_image_case sparse "$img" 0 20
}

# ---- 4. replay time against file-system size -----------------------------

# median of the "best median rss rc" line of a timing helper
med() { set -- $1; echo "$2"; }
rss_mb() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.0f", k / 1024 }'; }

# the same 2,000-commit workload on sparse file systems of every size in
# CURVE_SIZES: e2fsck-fc's time must stay within 2x from the smallest to
# the largest, while e2fsck's and the kernel's grow with the size
bench_curve() {
	local size img r fc fsck k op eop first="" last=""
	local dat=$BENCH_DIR/curve.dat
	say "== 4. replay time against file-system size (2,000 fast commits," \
	    "sparse, lazy init, images on tmpfs $CURVE_DIR)"
	mkdir -p "$CURVE_DIR"
	if ! mountpoint -q "$CURVE_DIR" &&
	   ! mount -t tmpfs -o size=12G,mode=0755 e2fc-curve "$CURVE_DIR"; then
		say "FAIL: could not mount a tmpfs on $CURVE_DIR"
		status=1
		return
	fi
	local SCRATCH_DIR=$CURVE_DIR
	if [ "$CURVE_PEERS" = no ]; then
		say "(CURVE_PEERS=no: e2fsck and the kernel not timed)"
	else
		say "(e2fsck and the kernel: $CURVE_BIG_ROUNDS round(s) from" \
		    "$CURVE_BIG on, $ROUNDS below; e2fsck-fc: $((ROUNDS * 3))" \
		    "rounds at every size)"
	fi
	printf '%-6s %12s %12s %12s %10s %10s %10s  %s\n' size \
		"e2fsck-fc s" "e2fsck s" "kernel s" "e2fc RSS" "open s" \
		"e2fc open" "e2fsck-fc result"
	echo "# size_bytes e2fsck_fc e2fsck kernel ext2fs_open" \
		"e2fc_fs_open (median seconds)" >"$dat"
	for size in $CURVE_SIZES; do
		# one journal for every size (128 MiB, 16 MiB of it the FC
		# area): by default 1 GiB gets a 128-block FC area, which
		# holds 127 of the 2,000 commits, and the log is not the same
		img=$CURVE_DIR/fc-curve-$size.img
		make_image "${CURVE_DIR#$BENCH_DIR/}/fc-curve-$size.img" \
			"$size" 2000 -J size=128,fast_commit_size=16384 \
			-E lazy_itable_init=1,lazy_journal_init=1 ||
			{ say "FAIL: could not make $img"; status=1; continue; }
		# 3 x ROUNDS, as case 2's: a run is 0.02-0.07 s, and on this
		# VM fresh memory makes one run in three twice as slow
		r=$(time_recover $((ROUNDS * 3)) "$img" curve "$E2FSCK_FC" \
			-fy -E journal_only)
		fc=$(med "$r")
		set -- $r
		local rss=$3 res n=$ROUNDS
		res=$(check_result "$CURVE_DIR/.run-curve.img" /dev/null |
			sed 's/, tree not compared//')
		[ "$(numfmt --from=iec "$size")" -ge \
		  "$(numfmt --from=iec "$CURVE_BIG")" ] && n=$CURVE_BIG_ROUNDS
		fsck=- k=-
		if [ "$CURVE_PEERS" != no ]; then
			fsck=$(med "$(NO_RSS=1 time_recover "$n" "$img" \
				curve-e2fsck "$SYS_E2FSCK" -fy -E journal_only)")
			k=$(med "$(time_mount "$n" "$img" curve-kernel)")
		fi
		rm -f "$CURVE_DIR"/.run-curve*.img
		# one ext2fs_open (every group descriptor into fresh 4 KiB
		# pages) and one e2fc_fs_open (into huge pages, as e2fsck-fc)
		op=- eop=-
		if [ -x "$B/bench/fc_open_rate" ]; then
			op=$("$B/bench/fc_open_rate" -r "$ROUNDS" "$img" |
			     awk '$2 == "open_ms" { o = $3 / 1000 }
				  $2 == "e2fc_open_ms" { e = $3 / 1000 }
				  END { printf "%.3f %.3f", o, e }')
			set -- $op
			op=$1 eop=$2
		fi
		printf '%-6s %12s %12s %12s %10s %10s %10s  %s\n' "$size" \
			"$fc" "$fsck" "$k" "$(rss_mb "$rss")" "$op" "$eop" \
			"$res"
		echo "$(numfmt --from=iec "$size") $fc $fsck $k $op $eop" \
			>>"$dat"
		[ -z "$first" ] && first=$fc
		last=$fc
	done
	r=$(ratio "$last" "$first")
	say "e2fsck-fc time, largest / smallest size (medians): ${r}x" \
	    "(target <= 2x) $(verdict_max "$r" 2)"
	say ""
}

# ---- 5. a 1 GiB journal full of transactions ---------------------------

# biglog KIND: e2fsck-fc against e2fsck and the kernel on a log of ~145,000
# blocks (mkimg-biglog.sh); e2fsck-fc's peak RSS must stay <= 256 MiB
biglog_case() {
	local kind=$1 img=$BENCH_DIR/biglog-$1.img r fc fsck k fcr fsr
	local dat=$BENCH_DIR/biglog.dat
	if [ ! -s "$img" ]; then
		say "(making $img; this takes a few minutes)"
		"$here/mkimg-biglog.sh" "$img" "$kind" | sed 's/^/  /' ||
			{ say "FAIL: could not make $img"; status=1; return; }
	fi
	r=$(time_recover "$ROUNDS" "$img" big "$E2FSCK_FC" -fy -E journal_only)
	set -- $r
	fc=$2 fcr=$3
	row "e2fsck-fc -fy -E journal_only ($kind)" "$1" "$2" "$3" \
	    "rc $4, $(check_result "$BENCH_DIR/.run-big.img" /dev/null |
		sed 's/, tree not compared//')"
	r=$(time_recover "$ROUNDS" "$img" big-e2fsck "$SYS_E2FSCK" -fy \
		-E journal_only)
	set -- $r
	fsck=$2 fsr=$3
	row "e2fsck -fy -E journal_only ($kind)" "$1" "$2" "$3" "rc $4"
	r=$(time_mount "$ROUNDS" "$img" big-kernel)
	set -- $r
	k=$2
	row "kernel mount+umount ($kind)" "$1" "$2" "$3" "rc $4"
	rm -f "$BENCH_DIR"/.run-big*.img
	echo "$kind $fc $fsck $k $(rss_mb "$fcr") $(rss_mb "$fsr")" >>"$dat"
	r=$(ratio "$fsck" "$fc")
	say "ratio e2fsck / e2fsck-fc ($kind, medians): ${r}x (target >= 1x)" \
	    "$(verdict "$r" 1)"
	say "e2fsck-fc peak RSS ($kind): $(rss_mb "$fcr") MB (target <= 256)" \
	    "$(verdict_max "$(rss_mb "$fcr")" 256)"
}

bench_biglog() {
	say "== 5. 1 GiB journal left full: metadata-heavy log + 500 fast" \
	    "commits, data=journal log"
	echo "# kind e2fsck_fc e2fsck kernel (median s) e2fsck_fc_rss_mb e2fsck_rss_mb" \
		>"$BENCH_DIR/biglog.dat"
	row_header
	biglog_case meta
	biglog_case data
	say ""
}

plot() {
	[ -s "$BENCH_DIR/curve.dat" ] || [ -s "$BENCH_DIR/biglog.dat" ] || return 0
	if ! command -v gnuplot >/dev/null; then
		skip "plots" "gnuplot missing (apt-get install gnuplot-nox)"
		return
	fi
	"$here/plot.sh" "$BENCH_DIR" "$PLOT_DIR" && say "plots in $PLOT_DIR:" \
		"bench-curve.png bench-biglog.png"
}

# ---- main -------------------------------------------------------------------

say "e2fc benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r)," \
    "$(nproc) CPUs, rounds $ROUNDS"
say "peers: $("$SYS_E2FSCK" -V 2>&1 | head -n 1)"
say "build: $B   images: $BENCH_DIR"
say ""
wants scan && bench_scan
if wants 15k || wants sparse || wants curve || wants biglog; then
	if ! can_mount; then
		skip "image benchmarks" "need root and loop devices"
		exit $status
	fi
	[ -x "$GNU_TIME" ] || say "note: $GNU_TIME missing (apt-get install" \
	    "time): no RSS figures"
	mkdir -p "$BENCH_DIR"
	mnt=$(mktemp -d /tmp/e2fc-bench-mnt.XXXXXX)
	wants 15k && bench_15k
	wants sparse && bench_sparse
	wants curve && bench_curve
	wants biglog && bench_biglog
	plot
fi
exit $status
