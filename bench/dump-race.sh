#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dump-race.sh -- e2fcdump against `debugfs -R logdump` on one image, in
# the same run: ROUNDS rounds, each round runs every tool once (in turn,
# so drift on the machine hits all alike), output to /dev/null.  Both only
# read the image, so there is no copy; one untimed warm-up run per tool
# puts the image in the page cache first.  Prints the median and best
# wall time per tool, the median CPU time (user + sys: less disturbed than
# the wall time when the machine is busy), the max RSS (GNU time, one
# extra run) and the ratios logdump / e2fcdump of the medians.
#
#   dump-race.sh [IMAGE]      default /tmp/e2fc-bench/fc15k.img
#
# Environment: ROUNDS (default 15), E2FC_BUILD (build tree; default the
# parent of this script's directory), DUMP_ARGS (extra e2fcdump options,
# e.g. "--json"; default none), BASELINE=PATH adds a third tool,
# "baseline" (another e2fcdump build run with the same DUMP_ARGS, for
# before/after in one run), PERF=1 records one more e2fcdump run with
# "perf record -g" into $BENCH_DIR/perf-e2fcdump.data and prints the top
# of its report.
set -u
here=$(cd "$(dirname "$0")" && pwd)
B=${E2FC_BUILD:-$(cd "$here/.." && pwd)}
BENCH_DIR=${BENCH_DIR:-/tmp/e2fc-bench}
img=${1:-$BENCH_DIR/fc15k.img}
ROUNDS=${ROUNDS:-15}
DUMP_ARGS=${DUMP_ARGS:-}
SYS_DEBUGFS=${SYS_DEBUGFS:-$(command -v debugfs || echo /sbin/debugfs)}
E2FCDUMP=$B/misc/e2fcdump
names=(logdump e2fcdump)
cmds=("$SYS_DEBUGFS -R logdump" "$E2FCDUMP $DUMP_ARGS")
if [ -n "${BASELINE:-}" ]; then
	names+=(baseline)
	cmds+=("$BASELINE $DUMP_ARGS")
fi

[ -s "$img" ] || { echo "no image $img (bench/mkimg-fc.sh makes one)" >&2; exit 2; }
[ -x "$E2FCDUMP" ] || { echo "$E2FCDUMP not built" >&2; exit 2; }

declare -a times cpus
tf=$(mktemp)
trap 'rm -f "$tf"' EXIT
TIMEFORMAT='%3R %3U %3S'
for i in "${!cmds[@]}"; do
	# shellcheck disable=SC2086
	${cmds[$i]} "$img" >/dev/null 2>&1
	echo "${names[$i]}: exit status $?, $(${cmds[$i]} "$img" 2>/dev/null |
		wc -c) bytes of output"
done
for r in $(seq "$ROUNDS"); do
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086
		{ time ${cmds[$i]} "$img" >/dev/null 2>&1 ; } 2>"$tf"
		set -- $(cat "$tf")
		times[$i]="${times[$i]:-} $1"
		cpus[$i]="${cpus[$i]:-} $(awk -v u="$2" -v s="$3" \
			'BEGIN { printf "%.3f", u + s }')"
	done
done

. "$here/race-common.sh"

echo "image $img, $ROUNDS rounds, e2fcdump args: ${DUMP_ARGS:-(none)}"
race_header
declare -a med cmed
for i in "${!cmds[@]}"; do
	rss=-
	if [ -x /usr/bin/time ]; then
		# shellcheck disable=SC2086
		/usr/bin/time -f '%M' -o "$tf" ${cmds[$i]} "$img" \
			>/dev/null 2>&1
		rss=$(awk '{ k = $1 } END { printf "%.1f", k / 1024 }' "$tf")
	fi
	race_row "$i" "$rss"
done
race_ratios logdump e2fcdump 2

if [ "${PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	data=$BENCH_DIR/perf-e2fcdump.data
	# shellcheck disable=SC2086
	perf record -q -g -F 20000 -o "$data" $E2FCDUMP $DUMP_ARGS "$img" \
		>/dev/null 2>&1
	perf report -i "$data" --no-children --stdio --sort dso,symbol \
		-g none --percent-limit 1.5 2>/dev/null | grep -v '^#' | grep .
fi
