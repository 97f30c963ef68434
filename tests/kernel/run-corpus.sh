#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-corpus.sh -- replay every kernel crash image of tests/kernel/corpus and
# compare with the oracle listing (the kernel's tree, or the live tree where
# the kernel's own tree fails e2fsck -fn: see make-corpus.sh).  Called by
# run-tests.sh (which exports E2FSCK_FC, TOOLS = build tests/tools,
# SRCDIR = source tests/).
#
# For each corpus/<case>/{image.gz,[journal.gz],listing,meta}: gunzip to a
# scratch dir, recover with "$E2FSCK_FC" -fy -E journal_only IMAGE, or if
# that is not built with "$TOOLS/e2fc-recover" IMAGE; then
#   needs_recovery must be clear (dumpe2fs -h), `e2fsck -fn` clean, and
#   "$TOOLS/e2fc-listing" IMAGE equal to the oracle listing -- or, where
#   the case has a live listing (the tree at the crash copy, every op
#   fsynced), equal to that one exactly: the kernel's replay sometimes
#   loses fsynced data (a file turned from inline data into extents inside
#   the fast-commit window reads back stale or as zeros); a NOTE says so.
# Then (with $TOOLS/e2fc-recover) the recovery is cut at one write and run
# again: it must end in the same bytes (cut_check).
# The system e2fsck (-fy -E journal_only) gets the same three checks on
# another copy: an informational score, not counted.
# corpus/XFAIL lines "case<TAB>reason" are known failures (managed by the
# lead): XFAIL counts in neither total, XPASS counts as passed.
# VERBOSE=1 also prints why the system e2fsck fails a case.
# Last line: "corpus: N passed, N failed".
set -u
export PATH=$PATH:/sbin:/usr/sbin
here=$(cd "$(dirname "$0")" && pwd)
corpus=${CORPUS:-$here/corpus}
top=${TOP:-$(pwd)/..}
TOOLS=${TOOLS:-$top/tests/tools}
E2FSCK_FC=${E2FSCK_FC:-$top/e2fsck/e2fsck-fc}
E2FSCK=${E2FSCK:-e2fsck}
listing=$TOOLS/e2fc-listing
pass=0 fail=0 xfail=0 total=0 e2fc_ok=0 sys_ok=0

tmp=$(mktemp -d /tmp/e2fc-corpus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ -x "$E2FSCK_FC" ]; then
	tool=e2fsck-fc
elif [ -x "$TOOLS/e2fc-recover" ]; then
	tool=e2fc-recover
else
	tool=
fi

# check DIR WHO: the three checks on DIR/image after recovery; prints why
# it is wrong, nothing when right
check() {
	local d=$1 jopt=()
	[ -f "$d/journal" ] && jopt=(-j "$d/journal")
	if dumpe2fs -h "$d/image" 2>/dev/null |
	   grep -E '^Filesystem features:' | grep -qw needs_recovery; then
		echo "needs_recovery still set"
		return
	fi
	if ! "$E2FSCK" -fn "${jopt[@]}" "$d/image" >"$d/fsck.out" 2>&1; then
		echo "e2fsck -fn: $(grep -v -E '^(Pass|e2fsck|/|$)' "$d/fsck.out" |
			head -n 1)"
		return
	fi
	if ! "$listing" "$d/image" >"$d/got" 2>"$d/listing.err"; then
		echo "e2fc-listing: $(head -n 1 "$d/listing.err")"
		return
	fi
	if cmp -s "$d/got" "$d/want"; then
		return
	fi
	# the tree that was fsynced before the cut, exactly: right even
	# where the kernel's own replay loses some of it
	if [ -f "$d/live" ] && cmp -s "$d/got" "$d/live"; then
		echo "equals the live tree at the crash copy; the oracle" \
		     "(the kernel's replay) differs: $(diff "$d/live" \
		     "$d/want" | grep -E '^[<>]' | head -n 1 |
		     tr '\t' ' ')" >"$d/note"
		return
	fi
	echo "listing differs: $(diff "$d/want" "$d/got" |
		grep -E '^[<>]' | head -n 1 | tr '\t' ' ')"
}

# unpack CASE DIR
unpack() {
	mkdir -p "$2"
	gzip -dc "$1/image.gz" >"$2/image" || return 1
	if [ -f "$1/journal.gz" ]; then
		gzip -dc "$1/journal.gz" >"$2/journal" || return 1
	fi
	cp "$1/listing" "$2/want"
	[ ! -f "$1/live" ] || cp "$1/live" "$2/live"
}

# recover DIR with e2fc; prints why it failed
recover_e2fc() {
	local d=$1 jopt=() rc
	[ -f "$d/journal" ] && jopt=(-j "$d/journal")
	if [ "$tool" = e2fsck-fc ]; then
		timeout 60 "$E2FSCK_FC" -fy -E journal_only "${jopt[@]}" \
			"$d/image" >"$d/rec.out" 2>&1
	else
		timeout 60 "$TOOLS/e2fc-recover" "${jopt[@]}" "$d/image" \
			>"$d/rec.out" 2>&1
	fi
	rc=$?
	if [ $rc -ge 128 ] && [ $rc -ne 137 ]; then
		echo "$tool crashed (signal $((rc - 128)))"
		return
	fi
	[ $rc -eq 124 ] && { echo "$tool timed out (60 s)"; return; }
	# the tool's own error line if any (stdout may be flushed after it)
	[ $rc -ge 8 ] && echo "$tool exit $rc: $( (grep -E "^$tool:" \
		"$d/rec.out"; tail -n 1 "$d/rec.out") | head -n 1)"
}

recover_sys() {
	local d=$1 jopt=() rc
	[ -f "$d/journal" ] && jopt=(-j "$d/journal")
	timeout 60 "$E2FSCK" -fy -E journal_only "${jopt[@]}" "$d/image" \
		>"$d/rec.out" 2>&1
	rc=$?
	[ $rc -ge 8 ] && echo "e2fsck exit $rc"
}

# cut_check CASE DIR NAME: a power cut at one write of the recovery (by
# e2fc-recover --cut-after K, K from the case name), then a new run with
# the same tool: the image must end byte for byte as DIR/image (the uncut
# recovery) does; prints why not.  The uncut run had its heap filled with
# one byte (glibc's MALLOC_PERTURB_), these two runs with another, so
# that heap memory written to the disk shows as a difference.
cut_check() {
	local c=$1 d=$2 k jopt=()
	[ -x "$TOOLS/e2fc-recover" ] || return
	k=$(( $(printf '%s' "$3" | cksum | cut -d ' ' -f 1) % 24 + 1 ))
	unpack "$c" "$d.cut" || { echo "cannot unpack"; return; }
	[ -f "$d.cut/journal" ] && jopt=(-j "$d.cut/journal")
	MALLOC_PERTURB_=90 timeout 60 "$TOOLS/e2fc-recover" "${jopt[@]}" \
		--cut-after "$k" "$d.cut/image" >/dev/null 2>&1
	[ -z "$(MALLOC_PERTURB_=90 recover_e2fc "$d.cut")" ] &&
		cmp -s "$d.cut/image" "$d/image" &&
		{ [ ! -f "$d/journal" ] || cmp -s "$d.cut/journal" "$d/journal"; } ||
		echo "cut at write $k, then a new run: not the uncut result"
	rm -rf "$d.cut"
}

xfail_reason() {
	[ -f "$corpus/XFAIL" ] || return
	awk -F '\t' -v c="$1" '$1 == c { print $2; exit }' "$corpus/XFAIL"
}

if [ ! -x "$listing" ]; then
	echo "FAIL: corpus ($listing not built)"
	echo "corpus: 0 passed, 1 failed"
	exit 1
fi
[ -n "$tool" ] || echo "SKIP: corpus replay (neither $E2FSCK_FC nor" \
	"$TOOLS/e2fc-recover is built; system e2fsck scored only)"

for c in "$corpus"/*/; do
	c=${c%/}
	name=${c##*/}
	[ -f "$c/image.gz" ] || continue
	total=$((total + 1))
	d=$tmp/$name
	# the system e2fsck, informational
	if unpack "$c" "$d.sys"; then
		why=$(recover_sys "$d.sys")
		[ -z "$why" ] && why=$(check "$d.sys")
		[ -z "$why" ] && sys_ok=$((sys_ok + 1))
		[ -n "$why" ] && [ -n "${VERBOSE:-}" ] &&
			echo "system e2fsck: corpus/$name ($why)"
	fi
	rm -rf "$d.sys"
	[ -n "$tool" ] || continue
	if ! unpack "$c" "$d"; then
		why="cannot unpack"
	else
		why=$(MALLOC_PERTURB_=165 recover_e2fc "$d")
		[ -z "$why" ] && why=$(check "$d")
		[ -z "$why" ] && why=$(cut_check "$c" "$d" "$name")
	fi
	[ -f "$d/note" ] && echo "NOTE: corpus/$name ($(cat "$d/note"))"
	rm -rf "$d"
	xr=$(xfail_reason "$name")
	if [ -z "$why" ]; then
		e2fc_ok=$((e2fc_ok + 1))
		pass=$((pass + 1))
		if [ -n "$xr" ]; then
			echo "XPASS: corpus/$name ($xr)"
		else
			echo "PASS: corpus/$name"
		fi
	elif [ -n "$xr" ]; then
		xfail=$((xfail + 1))
		echo "XFAIL: corpus/$name ($xr)"
	else
		fail=$((fail + 1))
		echo "FAIL: corpus/$name ($why)"
	fi
done
echo "corpus score: e2fc $e2fc_ok/$total, system e2fsck $sys_ok/$total"
echo "corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
