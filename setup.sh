#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# setup.sh -- set up e2fc on a fresh Debian 12 machine and run it.
#
#   ./setup.sh build   install the Debian packages, autoreconf, configure, make
#   ./setup.sh demo    build, then inspect and recover the bundled crash image
#   ./setup.sh check   build, then run the whole test suite (make check)
#   ./setup.sh fuzz    build, install clang and libFuzzer, build fuzz/
#
# Everything is built in place: misc/e2fcdump, e2fsck/e2fsck-fc,
# debugfs/debugfs-fc.
set -eu
cd "$(dirname "$0")"

PACKAGES="gcc make autoconf pkg-config libext2fs-dev comerr-dev ss-dev
	  libcunit1-dev e2fsprogs python3 gzip
	  sleuthkit"	# mactime for tests/events-bodyfile

# only for ./setup.sh fuzz (issue 13): clang and its libFuzzer runtime
FUZZ_PACKAGES="clang-14 libclang-rt-14-dev"

install_packages() {
	local missing="" p
	for p in $PACKAGES ${EXTRA_PACKAGES:-}; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "setup.sh: installing$missing"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
}

build() {
	install_packages
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		autoreconf -fi
	fi
	if [ ! -f config.status ] || [ configure -nt config.status ]; then
		./configure -q
	fi
	make -s -j2
}

demo() {
	local t img
	t=$(mktemp -d /tmp/e2fc-demo.XXXXXX)
	img=$t/crash.img
	gunzip -c demo/crash.img.gz >"$img"
	echo "== e2fcdump demo/crash.img.gz (the fast-commit area of a crashed ext4)"
	misc/e2fcdump "$img" || true
	echo
	echo "== e2fsck-fc -n (the replay plan; nothing is written)"
	e2fsck/e2fsck-fc -n "$img" || true
	echo
	echo "== e2fsck-fc -fy --output recovered.img (input stays untouched)"
	sha1sum "$img" | cut -c1-40 >"$t/before"
	e2fsck/e2fsck-fc -fy --output "$t/recovered.img" "$img" || true
	sha1sum "$img" | cut -c1-40 | cmp -s - "$t/before" &&
		echo "input unchanged: $(cat "$t/before")"
	echo
	echo "== debugfs-fc: the recovered tree"
	debugfs/debugfs-fc -R "ls -l /docs" "$t/recovered.img" || true
	rm -rf "$t"
}

case "${1:-demo}" in
build)	build ;;
demo)	build; demo ;;
check)	build; make check ;;
fuzz)	EXTRA_PACKAGES=$FUZZ_PACKAGES build
	make fuzz CC=clang-14 ;;
*)	echo "usage: $0 build|demo|check|fuzz" >&2; exit 2 ;;
esac
