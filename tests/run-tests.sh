#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-tests.sh -- the whole test suite: CUnit unit tests, image tests
# (tests/<name>/{image.gz,script,expect}) and the kernel regression corpus.
# Prints one line per case and ends with "N passed, N failed".
#
# Run from the build's tests/ directory (make check does that).
set -u
srcdir=$(cd "$(dirname "$0")" && pwd)
builddir=$(pwd)
top=$(cd "$builddir/.." && pwd)
export TOP=$top SRCDIR=$srcdir
export E2FCDUMP=$top/misc/e2fcdump E2FSCK_FC=$top/e2fsck/e2fsck-fc
export DEBUGFS_FC=$top/debugfs/debugfs-fc TOOLS=$builddir/tools
export PATH=$PATH:/sbin:/usr/sbin
pass=0 fail=0 skip=0

count() {	# count "<what>: N passed, N failed" from a sub-runner's output
	local line
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: $2 printed no summary"; fail=$((fail + 1)); return
	fi
	set -- $line
	pass=$((pass + $2)); fail=$((fail + $4))
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# 1. unit tests
"$builddir/unit/unit-tests" >"$out" 2>&1
grep -E '^  Test: .*(passed|FAILED)' "$out" | sed 's/^  //'
grep -A3 -E 'FAILED' "$out" | head -40
count "$out" unit-tests

# 2. image tests
"$srcdir/run-image-tests.sh" >"$out" 2>&1
cat "$out"
count "$out" image-tests

# 3. kernel regression corpus (replay compared with the kernel's tree)
if [ -x "$srcdir/kernel/run-corpus.sh" ]; then
	"$srcdir/kernel/run-corpus.sh" >"$out" 2>&1
	cat "$out"
	count "$out" corpus
fi

# 4. libe2fc: Python module, make install, example, uninstall
if [ -x "$srcdir/lib/run-lib-tests.sh" ]; then
	"$srcdir/lib/run-lib-tests.sh" >"$out" 2>&1
	cat "$out"
	count "$out" library
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
