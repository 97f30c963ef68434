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
. "$here/race-common.sh"
race_init 15 "$@"
DUMP_ARGS=${DUMP_ARGS:-}
SYS_DEBUGFS=${SYS_DEBUGFS:-$(command -v debugfs || echo /sbin/debugfs)}
E2FCDUMP=$B/misc/e2fcdump
names=(logdump e2fcdump)
cmds=("$SYS_DEBUGFS -R logdump" "$E2FCDUMP $DUMP_ARGS")
if [ -n "${BASELINE:-}" ]; then
	names+=(baseline)
	cmds+=("$BASELINE $DUMP_ARGS")
fi

[ -x "$E2FCDUMP" ] || { echo "$E2FCDUMP not built" >&2; exit 2; }

race_run() {	# race_run I [COMMAND...]: tool I behind COMMAND
	local i=$1

	shift
	# shellcheck disable=SC2086
	"$@" ${cmds[$i]} "$img" >/dev/null 2>&1
}

declare -a times cpus
tf=$(mktemp)
trap 'rm -f "$tf"' EXIT
TIMEFORMAT='%3R %3U %3S'
for i in "${!cmds[@]}"; do
	race_run "$i"
	echo "${names[$i]}: exit status $?, $(${cmds[$i]} "$img" 2>/dev/null |
		wc -c) bytes of output"
done
for r in $(seq "$ROUNDS"); do
	for i in "${!cmds[@]}"; do
		{ time race_run "$i" ; } 2>"$tf"
		race_add "$i" "$tf"
	done
done

race_summary "e2fcdump args: ${DUMP_ARGS:-(none)}"
race_ratios logdump e2fcdump 2

if [ "${PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	data=$BENCH_DIR/perf-e2fcdump.data
	# shellcheck disable=SC2086
	perf record -q -g -F 20000 -o "$data" $E2FCDUMP $DUMP_ARGS "$img" \
		>/dev/null 2>&1
	perf report -i "$data" --no-children --stdio --sort dso,symbol \
		-g none --percent-limit 1.5 2>/dev/null | grep -v '^#' | grep .
fi
