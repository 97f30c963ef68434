# SPDX-License-Identifier: GPL-2.0-or-later
# race-common.sh -- sourced by fsck-race.sh and dump-race.sh: the summary
# both print after their rounds.

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
