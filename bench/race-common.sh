# SPDX-License-Identifier: GPL-2.0-or-later
# race-common.sh -- sourced by the bench scripts: the settings, timing and
# summary of fsck-race.sh and dump-race.sh, the argument check and scratch
# folder of mkimg-fc.sh and mkimg-biglog.sh.

# race_init ROUNDS [IMAGE]: B (the build tree, $E2FC_BUILD or the parent of
# $here), BENCH_DIR, img (IMAGE or the 15k image) and ROUNDS (the
# environment's, else the one given); exits 2 when there is no image
race_init() {
	B=${E2FC_BUILD:-$(cd "$here/.." && pwd)}
	BENCH_DIR=${BENCH_DIR:-/tmp/e2fc-bench}
	img=${2:-$BENCH_DIR/fc15k.img}
	ROUNDS=${ROUNDS:-$1}
	[ -s "$img" ] && return 0
	echo "no image $img (bench/mkimg-fc.sh makes one)" >&2
	exit 2
}

# race_add I FILE: the wall, user and sys time in FILE (TIMEFORMAT
# '%3R %3U %3S'; lines starting with rc skipped) added to times[I] and,
# as CPU time, to cpus[I]
race_add() {
	local i=$1

	set -- $(grep -v '^rc' "$2")
	times[$i]="${times[$i]:-} $1"
	cpus[$i]="${cpus[$i]:-} $(awk -v u="$2" -v s="$3" \
		'BEGIN { printf "%.3f", u + s }')"
}

# race_summary WHAT: the table of every tool in names[] (race_row), its
# max RSS from one more run, `race_run I /usr/bin/time -f %M -o FILE`
# (race_run, the script's: one run of tool I behind the given command),
# when GNU time is there; WHAT says which arguments were used
race_summary() {
	local i rss f

	echo "image $img, $ROUNDS rounds, $1"
	race_header
	f=$(mktemp)
	for i in "${!names[@]}"; do
		rss=-
		if [ -x /usr/bin/time ]; then
			race_run "$i" /usr/bin/time -f '%M' -o "$f"
			rss=$(awk '{ k = $1 } END { printf "%.1f", k / 1024 }' \
				"$f")
		fi
		race_row "$i" "$rss"
	done
	rm -f "$f"
}

# need_args N USAGE ARG...: exits 2 with the usage unless N or more ARGs
need_args() {
	local n=$1 usage=$2

	shift 2
	[ $# -ge "$n" ] && return 0
	echo "usage: $0 $usage" >&2
	exit 2
}

# mkimg_scratch OUT: work, a new folder next to OUT, and mnt in it;
# mkimg_cleanup (the EXIT trap) unmounts mnt and removes work
mkimg_scratch() {
	work=$(mktemp -d "${1%/*}/.mkimg.XXXXXX")
	mnt=$work/mnt
	trap mkimg_cleanup EXIT
}

mkimg_cleanup() {
	mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
	rm -rf "$work"
}

stats() {	# best and median of the numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END {
		printf "%.4f %.4f\n", v[1], v[int((NR + 1) / 2)] }'
}

race_header() {
	printf '%-10s %8s %8s %8s %8s  %s\n' tool "best s" "median s" \
		"cpu s" "RSS MB" "wall times"
}

# race_row I RSS: tool I's best and median wall time, median CPU time
# (kept in med[I] and cmed[I]), RSS and all wall times, from the arrays
# names, times and cpus
race_row() {
	local i=$1 rss=$2

	set -- $(echo "${cpus[$i]}" | tr ' ' '\n' | grep . | stats)
	cmed[$i]=$2
	set -- $(echo "${times[$i]}" | tr ' ' '\n' | grep . | stats)
	med[$i]=$2
	printf '%-10s %8s %8s %8s %8s %s\n' "${names[$i]}" "$1" "$2" \
		"${cmed[$i]}" "$rss" "${times[$i]}"
}

# race_ratios PEER OURS TARGET: the ratios PEER / OURS of the median wall
# and CPU times in med[0..2] and cmed[0..2] (index 2: BASELINE, if set)
race_ratios() {
	awk -v a="${med[0]}" -v b="${med[1]}" -v p="$1" -v o="$2" \
	    -v t="$3" 'BEGIN {
		printf "ratio %s / %s (medians): %.2fx (target >= %s) %s\n",
			p, o, a / b, t, (a / b >= t) ? "PASS" : "MISS" }'
	awk -v a="${cmed[0]}" -v b="${cmed[1]}" -v p="$1" -v o="$2" 'BEGIN {
		if (b > 0)
			printf "ratio %s / %s (median CPU): %.2fx\n", p, o, a / b
		else
			printf "ratio %s / %s (median CPU): - (below 1 ms)\n",
				p, o }'
	[ -n "${BASELINE:-}" ] || return 0
	awk -v a="${med[2]}" -v b="${med[1]}" -v c="${cmed[2]}" \
	    -v d="${cmed[1]}" -v o="$2" 'BEGIN {
		printf "ratio baseline / %s (medians): %.2fx wall, ", o, a / b
		if (d > 0) printf "%.2fx CPU\n", c / d; else print "- CPU" }'
}
