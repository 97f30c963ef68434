#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fsck-race.sh -- e2fsck-fc against the system e2fsck on one crash image,
# in the same run: ROUNDS rounds, each round runs every tool once (in
# turn, so drift on the machine hits both alike) on a fresh sparse copy
# of IMAGE (the copy is not timed, and is flushed with sync -f first).
# Prints every wall time, the median and best per tool, the median CPU
# time (user + sys: less disturbed than the wall time when the machine is
# busy), the max RSS (GNU time, one extra round) and the ratios e2fsck /
# e2fsck-fc of the medians.
#
#   fsck-race.sh [IMAGE]      default /tmp/e2fc-bench/fc15k.img
#
# Environment: ROUNDS (default 9), E2FC_BUILD (build tree; default the
# parent of this script's directory), FSCK_ARGS (default "-y -E
# journal_only"), BASELINE=PATH adds a third tool, "baseline" (another
# e2fsck-fc build, for before/after in one run), PERF=1 records one more
# e2fsck-fc run with
# "perf record -g" into $BENCH_DIR/perf-e2fsck-fc.data and prints the
# top of its report.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/race-common.sh"
race_init 9 "$@"
FSCK_ARGS=${FSCK_ARGS:--y -E journal_only}
SYS_E2FSCK=${SYS_E2FSCK:-$(command -v e2fsck || echo /sbin/e2fsck)}
tools=("$SYS_E2FSCK" "$B/e2fsck/e2fsck-fc")
names=(e2fsck e2fsck-fc)
if [ -n "${BASELINE:-}" ]; then
	tools+=("$BASELINE")
	names+=(baseline)
fi
# this run's own scratch files: two races at once must not share them
scratch=$BENCH_DIR/.race.$$.img
tf=$BENCH_DIR/.race.$$.time

[ -x "${tools[1]}" ] || { echo "${tools[1]} not built" >&2; exit 2; }
trap 'rm -f "$scratch" "$tf"' EXIT

fresh() { cp --sparse=always "$img" "$scratch" && sync -f "$scratch"; }

declare -a times cpus
TIMEFORMAT='%3R %3U %3S'
for r in $(seq "$ROUNDS"); do
	for i in "${!tools[@]}"; do
		fresh || exit 1
		# shellcheck disable=SC2086
		{ time "${tools[$i]}" $FSCK_ARGS "$scratch" >/dev/null 2>&1 ; \
		  echo "rc $?" >&2 ; } 2>"$tf"
		race_add "$i" "$tf"
		[ "$r" = 1 ] && echo "${names[$i]}: exit status" \
			"$(awk '/^rc/ { print $2 }' "$tf")"
	done
done
rm -f "$tf"

race_run() {	# race_run I [COMMAND...]: tool I behind COMMAND, fresh copy
	local i=$1

	shift
	fresh || exit 1
	# shellcheck disable=SC2086
	"$@" "${tools[$i]}" $FSCK_ARGS "$scratch" >/dev/null 2>&1
}
race_summary "args: $FSCK_ARGS"
race_ratios e2fsck e2fsck-fc 5	# issue 14: 5x on the 15k image

if [ "${PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	data=$BENCH_DIR/perf-e2fsck-fc.data
	fresh || exit 1
	# shellcheck disable=SC2086
	perf record -q -g -F 20000 -o "$data" "${tools[1]}" $FSCK_ARGS "$scratch" \
		>/dev/null 2>&1
	perf report -i "$data" --no-children --stdio --sort dso,symbol \
		-g none --percent-limit 1.5 2>/dev/null | grep -v '^#' | grep .
fi
