#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-kernel.sh -- `make check-kernel`: kernel-differential test on fresh
# crash images.  Needs root and loop devices (else it skips).
#
# SEED (default: from the clock) is the base seed, N (default 8) the number
# of images: image i uses seed SEED+i, a profile and op count chosen from
# the seed (every fifth one a run of tiny fsyncs that fills the FC area).
# Each is made by gen.py, its oracle by oracle.py (the kernel's tree after
# it replays a copy, or the live tree when the kernel cannot mount it, or
# when the kernel's tree differs from it and fails e2fsck -fn), then
# replayed and checked by run-corpus.sh (e2fc and, for the score, the system
# e2fsck; a result equal to the live tree exactly passes too, with a NOTE).  Failing cases are kept under tests/kernel/failures/<SEED>/.
# MIX (default all) is gen.py's --mix: base, real (the workloads of real
# systems: open-unlinked files, O_TMPFILE, atomic saves, O_DIRECT, ...) or
# all (both).
# PROFILE=name runs every image on one profile: a named one of gen.py
# (variants taken in turn; PROFILE=list prints them) or a profile string.
# A line "check-kernel ops:" counts the operations of all the images.
# Last line: "check-kernel: N passed, N failed".
set -u
export PATH=$PATH:/sbin:/usr/sbin
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ] || [ ! -e /dev/loop-control ] ||
   ! losetup -f >/dev/null 2>&1; then
	echo "SKIP: check-kernel (needs root and loop devices)"
	echo "check-kernel: 0 passed, 0 failed"
	exit 0
fi

if [ "${PROFILE:-}" = list ]; then
	python3 "$here/gen.py" --list-profiles
	exit 0
fi
if [ -n "${PROFILE:-}" ] &&
   ! python3 "$here/gen.py" --variant "$PROFILE" 0 >/dev/null; then
	echo "check-kernel: unknown profile $PROFILE (PROFILE=list)" >&2
	exit 2
fi
seed=${SEED:-$(( $(date +%s) % 1000000 ))}
n=${N:-8}
echo "check-kernel: base seed $seed, $n images" \
	"(${PROFILE:+PROFILE=$PROFILE }SEED=$seed N=$n to repeat)"
profiles=(1k-256-csum-64 1k-128-nocsum-32 2k-256-csum-64 2k-128-csum-32
	  4k-256-csum-64 4k-128-nocsum-64 4k-256-nocsum-32 1k-256-csum-64-ext
	  4k-256-csum-64-ext 1k-256-csum-64-fc256 4k-256-csum-64-fc128
	  1k-256-csum-64-inline-fc64 4k-256-nocsum-64-inline)

tmp=$(mktemp -d /tmp/e2fc-check-kernel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/corpus"
gen_fail=0
for ((i = 0; i < n; i++)); do
	s=$((seed + i))
	prof=${profiles[$((s % ${#profiles[@]}))]}
	[ -n "${PROFILE:-}" ] &&
		prof=$(python3 "$here/gen.py" --variant "$PROFILE" "$i")
	ops=$((8 + s % 30))
	fill=
	[ $((s % 5)) -eq 0 ] && fill=--fill && ops=$((ops + 20))
	name=$prof-s$s
	g=$tmp/gen-$s
	if ! python3 "$here/gen.py" --seed "$s" --profile "$prof" \
		--ops "$ops" $fill --mix "${MIX:-all}" --out "$g" \
		>"$tmp/gen.log" 2>&1 ||
	   ! python3 "$here/oracle.py" kernel "$g/snap00" >"$tmp/oracle.log" 2>&1
	then
		echo "FAIL: kernel/$name (generator: $(tail -n 1 "$tmp/gen.log" \
			"$tmp/oracle.log" 2>/dev/null | grep -v '^==>' | grep . |
			tail -n 1))"
		gen_fail=$((gen_fail + 1))
		continue
	fi
	c=$tmp/corpus/$name
	mkdir "$c"
	gzip -1 -c "$g/snap00/image" >"$c/image.gz"
	[ -f "$g/snap00/journal" ] &&
		gzip -1 -c "$g/snap00/journal" >"$c/journal.gz"
	cp "$g/snap00/listing" "$c/listing"
	cp "$g/snap00/live" "$c/live"
	# the kernel is the oracle, but say when it lost fsynced state; when
	# its own tree also fails e2fsck -fn, the live tree is the oracle
	if grep -q '^live_vs_kernel=differs' "$g/snap00/meta"; then
		echo "NOTE: kernel/$name (the kernel's replay differs from" \
			"the live tree at the copy: $(diff "$c/live" "$c/listing" |
			grep -E '^[<>]' | head -n 1 | tr '\t' ' '))"
		if grep -q '^kernel_fsck=errors' "$g/snap00/meta"; then
			echo "NOTE: kernel/$name (the kernel's tree fails" \
				"e2fsck -fn: the live tree is the oracle)"
			cp "$c/live" "$c/listing"
			echo "oracle_override=live" >>"$g/snap00/meta"
		fi
	fi
	{ cat "$g/snap00/meta"; sed 's/^/op=/' "$g/snap00/oplog"; } >"$c/meta"
	rm -rf "$g"
done

# what the images did: each operation of gen.py and how many times
opsum=$(cat "$tmp"/corpus/*/meta 2>/dev/null |
	sed -n 's/^op=[0-9]* \([a-z+-]*\).*/\1/p' | sort | uniq -c |
	awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }')
[ -n "$opsum" ] && echo "check-kernel ops: $opsum"

CORPUS=$tmp/corpus "$here/run-corpus.sh" >"$tmp/out" 2>&1
sed -e 's#corpus/#kernel/#' -e 's/^corpus score:/check-kernel score:/' \
	"$tmp/out" | grep -v '^corpus: '
pass=$(sed -n 's/^corpus: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' \
	"$tmp/out")
fail=$(sed -n 's/^corpus: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' \
	"$tmp/out")
pass=${pass:-0}
fail=$(( ${fail:-1} + gen_fail ))

# keep what failed (and what the system e2fsck got wrong is in the score)
grep -E '^FAIL: corpus/' "$tmp/out" | sed 's#^FAIL: corpus/\([^ ]*\).*#\1#' |
while read -r name; do
	mkdir -p "$here/failures/$seed"
	cp -r "$tmp/corpus/$name" "$here/failures/$seed/"
done
grep -q -E '^FAIL: corpus/' "$tmp/out" &&
	echo "check-kernel: failing images kept in $here/failures/$seed/"
echo "check-kernel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
