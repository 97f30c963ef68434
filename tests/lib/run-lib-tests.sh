#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-lib-tests.sh -- libe2fc as a library: the Python module's unittest
# tests against the built tree, then `make install` into a DESTDIR: every
# file in place, man pages clean under groff -ww, doc/e2fc-example.c
# built through pkg-config (shared, and static with libext2fs.a) and run,
# the installed Python module replaying kernel crash images in memory
# (corpus-tree.py), `make uninstall` leaving nothing.  Called by
# run-tests.sh (TOP = build top, SRCDIR = source tests/).
# Last line: "library: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
top=${TOP:-$(pwd)/..}
corpus=$src/tests/kernel/corpus
# a few kernel crash images: metadata_csum with a symlink, inline data,
# an external journal, 4 KiB blocks, block-mapped files, no checksums
CASES=${CASES:-"1k-256-csum-64-s2-00 1k-256-csum-64-inline-fc64-s21-00
	1k-256-csum-64-ext-s108-00 4k-256-csum-64-s105-00
	4k-256-nocsum-32-noext-s131-00 2k-128-nocsum-64-s8-00"}
pass=0 fail=0
# Debian's python3, as configure found it
py=$(sed -n 's/^PYTHON3[ \t]*=[ \t]*//p' "$top/MCONFIG")
py=${py:-/usr/bin/python3}

ok() { echo "PASS: lib-$1"; pass=$((pass + 1)); }
bad() { echo "FAIL: lib-$1: $2"; fail=$((fail + 1)); }
skip() { echo "SKIP: lib-$1: $2"; }

tmp=$(mktemp -d /tmp/e2fc-lib.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

# 1. the Python module against the built tree
python_unit() {
	local out=$tmp/unittest.out
	E2FC_LIBRARY=$top/lib/ext2fs/libe2fc.so.0 PYTHONPATH=$src/python \
	E2FCDUMP=$top/misc/e2fcdump CORPUS=$corpus PYTHONDONTWRITEBYTECODE=1 \
		"$py" -m unittest discover -s "$src/python/tests" -v \
		>"$out" 2>&1
	local rc=$?
	grep -E ' \.\.\. skipped' "$out" | sed 's/^/  /'
	if [ $rc -eq 0 ]; then
		ok "python-unittest ($(tail -n 1 "$out"))"
	else
		bad python-unittest "$(grep -E '^(FAIL|ERROR):' "$out" |
			head -n 3 | tr '\n' ' ')"
		sed -n '/^=====/,$p' "$out" | head -40
	fi
}

# 2. make install DESTDIR
install_tree() {
	if ! make -s -C "$top" install DESTDIR="$dest" >"$tmp/install.out" \
	     2>&1; then
		bad install "$(tail -n 3 "$tmp/install.out")"
		return 1
	fi
	local f missing=
	for f in e2fcdump e2fsck-fc debugfs-fc libe2fc.so libe2fc.so.0 \
		 libe2fc.a libe2fc.h fc_err.h e2fc_version.h e2fc.pc \
		 e2fcdump.8 e2fsck-fc.8 debugfs-fc.8 libe2fc.3 __init__.py \
		 _install.py; do
		[ -n "$(find "$dest" -name "$f" -print -quit)" ] ||
			missing="$missing $f"
	done
	if [ -n "$missing" ]; then
		bad install "missing:$missing"
		return 1
	fi
	ok install
}

found() { find "$dest" -name "$1" -print -quit; }

man_pages() {
	local m err=
	for m in $(find "$dest" -name '*.[38]'); do
		if grep -q '@VERSION@' "$m"; then
			err="$err $(basename "$m"): version not filled in;"
		fi
		if [ -n "$(groff -man -ww -z "$m" 2>&1)" ]; then
			err="$err $(basename "$m"): $(groff -man -ww -z "$m" \
				2>&1 | head -n 1);"
		fi
	done
	[ -z "$err" ] && ok "man-pages (groff -ww)" || bad man-pages "$err"
}

# doc/e2fc-example.c through pkg-config, against the DESTDIR install
example() {
	local pc img=$tmp/ex.img libdir
	pc=$(dirname "$(found e2fc.pc)")
	libdir=$(dirname "$(found libe2fc.so.0)")
	export PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest
	if ! cc -Wall -Wextra -Werror -o "$tmp/example" \
	     "$src/doc/e2fc-example.c" $(pkg-config --cflags --libs e2fc) \
	     >"$tmp/cc.out" 2>&1; then
		bad example-build "$(head -n 3 "$tmp/cc.out")"
		return
	fi
	gzip -dc "$corpus/1k-256-csum-64-s2-00/image.gz" >"$img"
	LD_LIBRARY_PATH=$libdir "$tmp/example" "$img" >"$tmp/ex.out" 2>&1
	if grep -q '^replayed in memory: 2 transactions, 9 fast commits$' \
	   "$tmp/ex.out" && grep -q '^22 entries in /$' "$tmp/ex.out"; then
		ok example-run
	else
		bad example-run "$(tail -n 2 "$tmp/ex.out" | tr '\n' ' ')"
	fi
	# static: libe2fc.a with libext2fs.a (no duplicate symbol)
	if cc -static -o "$tmp/example-static" "$src/doc/e2fc-example.c" \
	   $(pkg-config --cflags --static --libs e2fc) -lpthread \
	   >"$tmp/cc.out" 2>&1 && "$tmp/example-static" "$img" |
	   grep -q '^22 entries in /$'; then
		ok example-static
	else
		bad example-static "$(grep -m1 -E 'error|multiple' \
			"$tmp/cc.out")"
	fi
	unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
}

# the installed module only: the kernel's tree from crash images
python_installed() {
	local mod c dirs=() out=$tmp/tree.out
	mod=$(dirname "$(dirname "$(found __init__.py)")")
	for c in $CASES; do dirs+=("$corpus/$c"); done
	if (cd "$tmp" && PYTHONPATH=$mod PYTHONDONTWRITEBYTECODE=1 \
	    LD_LIBRARY_PATH=$(dirname "$(found libe2fc.so.0)") \
	    "$py" -c 'import e2fc, sys; sys.exit(not
		e2fc.__file__.startswith(sys.argv[1]))' "$dest") &&
	   (cd "$tmp" && PYTHONPATH=$mod PYTHONDONTWRITEBYTECODE=1 \
	    LD_LIBRARY_PATH=$(dirname "$(found libe2fc.so.0)") \
	    "$py" "$here/corpus-tree.py" "${dirs[@]}") >"$out" 2>&1; then
		ok "python-installed-corpus ($(grep -c '^PASS' "$out") cases)"
	else
		bad python-installed-corpus "$(grep -v '^PASS' "$out" |
			head -n 3 | tr '\n' ' ')"
	fi
}

uninstall_tree() {
	make -s -C "$top" uninstall DESTDIR="$dest" >"$tmp/un.out" 2>&1 ||
		{ bad uninstall "$(tail -n 2 "$tmp/un.out")"; return; }
	local left
	left=$(find "$dest" ! -type d | head -n 3)
	[ -z "$left" ] && ok uninstall || bad uninstall "left: $left"
}

# ASan's runtime must come first in a process: not so in python3 or
# a static link
san=$(sed -n 's/^SAN_CFLAGS[ \t]*=[ \t]*//p' "$top/MCONFIG")
if [ -z "$san" ]; then
	python_unit
else
	skip python-unittest "built with sanitizers ($san)"
fi
if install_tree; then
	man_pages
	if [ -z "$san" ]; then
		example
		python_installed
	else
		skip example "built with sanitizers"
		skip python-installed-corpus "built with sanitizers"
	fi
	uninstall_tree
fi
echo "library: $pass passed, $fail failed"
