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

# seed profile ops snaps [fill|real|all]: fill = --fill; real, all =
# --mix (the workloads of real systems: gen.py REAL_OPS)
runs=${RUNS:-'
101 1k-256-csum-64 12 3
102 1k-128-nocsum-32 18 3
103 2k-256-csum-64 25 3
104 2k-128-csum-32 14 3
105 4k-256-csum-64 20 3
106 4k-128-nocsum-64 16 3
107 4k-256-nocsum-32 30 3
108 1k-256-csum-64-ext 15 3
109 4k-256-csum-64-ext 22 3
110 1k-256-csum-64-fc256 40 3
111 4k-256-csum-64-fc256 35 3
112 2k-256-nocsum-64-fc128 30 3
2 1k-256-csum-64 40 8 fill
3 1k-256-csum-64 40 8 fill
4 4k-128-csum-64 40 4 fill
5 1k-256-csum-64 40 8 fill
8 2k-128-nocsum-64 40 8 fill
115 1k-128-csum-64-fc64 10 3
116 4k-256-csum-64 8 3
21 1k-256-csum-64-inline-fc64 25 3
22 1k-256-csum-64-inline-fc64 25 3
23 4k-256-nocsum-64-inline 20 3
131 4k-256-nocsum-32-noext 14 1
132 1k-256-csum-32-noext 16 1
133 2k-128-nocsum-32-noext 30 2
134 4k-256-csum-32-noext 28 1
135 1k-128-nocsum-32-noext-fc64 35 1
7101 1k-256-csum-64 25 3 real
7102 4k-256-csum-64 25 3 real
7103 1k-128-nocsum-32 25 3 all
7104 4k-128-nocsum-64 30 3 real
7105 2k-256-csum-64 30 3 all
7106 1k-256-csum-64-orphanfile 25 3 real
7107 4k-256-csum-64-orphanfile 25 3 real
7108 1k-256-nocsum-64-orphanfile 25 3 all
7109 4k-256-nocsum-32-noext 20 1 real
7110 1k-256-csum-64-ext 20 3 real
7111 4k-256-csum-64-inline 20 3 real
7112 1k-256-csum-64-fc256 30 3 real
301 4k-256-csum-64-bigalloc 20 3
302 1k-256-csum-64-bigalloc 18 3
303 1k-256-csum-64-inline 22 3
304 4k-256-csum-64-nodirindex 20 3
305 1k-256-csum-64-seed 20 3
307 1k-256-csum-64-metabg 18 3
308 4k-256-csum-64-largedir 16 3
309 1k-1024-csum-64 16 3
310 1k-128-nocsum-32-noflex 16 3
311 4k-256-csum-64-nodelalloc 16 3
312 1k-256-csum-64-wb 16 3
313 4k-256-csum-64-async 16 3
314 2k-256-csum-64-nodio 16 3
315 4k-256-nocsum-32 16 2
316 2k-256-nocsum-32-noext 20 1
'}

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
