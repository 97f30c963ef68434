#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-image-tests.sh -- every tests/<name>/ that holds a "script":
#   image.gz    the image (gunzipped to $IMG in a scratch directory)
#   journal.gz  optional external journal device (gunzipped to $JDEV)
#   script      bash, run with $IMG, $JDEV, $T (scratch dir), $E2FCDUMP,
#               $E2FSCK_FC, $DEBUGFS_FC, $TOOLS set; stdout+stderr captured
#   expect      the expected output; the scratch dir prints as "TMPDIR"
#               (a script that prints "SKIP: reason" is skipped)
# Ends with "image-tests: N passed, N failed".
set -u
srcdir=${SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
pass=0 fail=0
for dir in "$srcdir"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/script" ] || continue
	T=$(mktemp -d /tmp/e2fc-test.XXXXXX)
	export T IMG=$T/image JDEV=$T/journal
	[ -f "$dir/image.gz" ] && gunzip -c "$dir/image.gz" >"$IMG"
	[ -f "$dir/journal.gz" ] && gunzip -c "$dir/journal.gz" >"$JDEV"
	(cd "$T" && bash "$dir/script") >"$T/.test-output" 2>&1
	sed -i "s|$T|TMPDIR|g" "$T/.test-output"
	# a script that cannot run here (no root, no loop device) says
	# "SKIP: reason"; counted in neither total
	if grep -q '^SKIP:' "$T/.test-output" &&
	   ! grep -q '^SKIP:' "$dir/expect" 2>/dev/null; then
		echo "SKIP: image/$name ($(grep -m1 '^SKIP:' "$T/.test-output" | cut -c7-))"
	elif [ -f "$dir/expect" ] && diff -u "$dir/expect" "$T/.test-output" >"$T/.test-diff"; then
		echo "PASS: image/$name"; pass=$((pass + 1))
	else
		echo "FAIL: image/$name"; fail=$((fail + 1))
		head -40 "$T/.test-diff" 2>/dev/null
		[ -n "${KEEP_OUTPUT:-}" ] && cp "$T/.test-output" "$dir/actual"
	fi
	rm -rf "$T"
done
echo "image-tests: $pass passed, $fail failed"
