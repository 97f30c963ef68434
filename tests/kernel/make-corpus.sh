#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-corpus.sh -- regenerate the kernel regression corpus
# tests/kernel/corpus/<case>/{image.gz,[journal.gz],listing,live,meta}.
# Needs root and loop devices.  Run from a build directory (or set BUILD)
# so that misc/e2fcdump and tests/tools/e2fc-listing can be found:
#
#   cd /tmp/build-X && make -C misc && make -C tests &&
#       /work/main/tests/kernel/make-corpus.sh [OUTDIR]
#
# Every run of gen.py below gives up to 3 cases (crash copies at random
# fsync points).  live is the live tree at the moment of the copy.
# listing (the oracle run-corpus.sh compares with) is the kernel's tree
# after it replays a copy (oracle.py); it is the live tree where the
# kernel cannot mount the copy (FC area full -> "journal recovery
# failed"), or where the kernel's tree differs from the live one and
# fails e2fsck -fn itself (its directory-nlink slips; as check-kernel.sh):
# meta then says oracle_override=live and keeps the differing lines of
# the kernel's tree as kernel_diff=.
# meta: seed, profile, op count, fc_info, oracle facts, the FC state and
# the tags of the replayable commits (e2fcdump --json), the op log.
# noext profiles (no extent feature, block-mapped inodes): the kernel is
# never asked to replay them (its replay of such a crash copy hits a BUG
# and half-hangs the machine): oracle.py leaves them oracle=live with
# oracle_reason=, listing is the live tree.
# Cases whose meta has origin= were kept from check-kernel failures
# (tests/kernel/failures/) and are not regenerated here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$(pwd)}
out=${1:-$here/corpus}
export E2FC_LISTING=$build/tests/tools/e2fc-listing
dump=$build/misc/e2fcdump
[ -x "$E2FC_LISTING" ] && [ -x "$dump" ] || {
	echo "make-corpus: build misc/e2fcdump and tests/tools first" >&2
	exit 1
}
tmp=$(mktemp -d /tmp/h9-corpus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the runs: tests/kernel/corpus.runs (seed profile ops snaps [fill|real|all])
runs=${RUNS:-$(grep -v '^#' "$here/corpus.runs")}

tags() {	# tags of the replayable commits, the FC state
	local j=()
	[ -f "$1/journal" ] && j=(-j "$1/journal")
	"$dump" --json "${j[@]}" "$1/image" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("fc_state=unreadable"); sys.exit(0)
fc = d.get("fast_commit") or {}
seen = set()
for c in fc.get("commits", []):
    if not c.get("valid"):
        continue
    for t in c.get("tags", []):
        n = t["tag"]
        if n == "ADD_RANGE":
            n += "_UNWRITTEN" if t.get("unwritten") else "_WRITTEN"
        seen.add(n)
j = d.get("journal") or {}
last = max([c.get("last_block", 0) for c in fc.get("commits", [])
           if c.get("valid")] or [0])
first, n = j.get("fc_first", 0), j.get("fc_blocks", 0)
# the FC area: its size, how far the valid commits reach into it
print("fc_area=%d blocks of %d bytes (%d KiB)" % (n, j.get("block_size", 0),
      n * j.get("block_size", 0) // 1024))
print("fc_used=%d" % (last - first + 1 if last else 0))
end = max([c.get("last_block", 0) for c in fc.get("commits", [])] or [0])
# any commit, torn or stale ones included
print("fc_reached=%d" % (end - first + 1 if end else 0))
print("fc_state=%s" % fc.get("state", "none"))
print("replay_commits=%s" % fc.get("replay_commits", 0))
print("tags=%s" % ",".join(sorted(seen)))
'
}

mkdir -p "$out"
echo "$runs" | while read -r seed prof ops snaps fill; do
	[ -n "$seed" ] || continue
	# ONLY="2 3": regenerate just the runs of these seeds
	case " ${ONLY:-$seed} " in *" $seed "*) ;; *) continue ;; esac
	g=$tmp/$seed
	case $fill in
	real|all) extra=(--mix "$fill") ;;
	fill) extra=(--fill) ;;
	*) extra=() ;;
	esac
	python3 "$here/gen.py" --seed "$seed" --profile "$prof" --ops "$ops" \
		--snaps "$snaps" "${extra[@]}" --out "$g" >/dev/null
	for s in "$g"/snap*; do
		name=$prof-s$seed-${s##*snap}
		python3 "$here/oracle.py" kernel "$s"
		c=$out/$name
		rm -rf "$c"
		mkdir -p "$c"
		gzip -9 -c "$s/image" >"$c/image.gz"
		[ -f "$s/journal" ] && gzip -9 -c "$s/journal" >"$c/journal.gz"
		cp "$s/listing" "$c/listing"
		cp "$s/live" "$c/live"
		if grep -q '^live_vs_kernel=differs' "$s/meta" &&
		   grep -q '^kernel_fsck=errors' "$s/meta"; then
			cp "$s/live" "$c/listing"
			{
				echo "oracle_override=live"
				diff "$s/live" "$s/listing" | grep -E '^[<>]' |
					tr '\t' ' ' | sed 's/^/kernel_diff=/'
			} >>"$s/meta"
		fi
		{
			cat "$s/meta"
			tags "$s"
			sed 's/^/op=/' "$s/oplog"
		} >"$c/meta"
	done
	rm -rf "$g"
done
du -sh "$out"
