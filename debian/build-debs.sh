#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-debs.sh -- build the Debian packages e2fc, libe2fc0, libe2fc-dev
# and python3-e2fc from this tree (its tracked and new, not ignored,
# files) with `dpkg-buildpackage -us -uc -b` in a scratch copy, check
# them with lintian, and leave them in OUT (default: debs/ at the top).
# `make deb` runs it.  Installs the build dependencies it lacks (root).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
out=${OUT:-$top/debs}
deps="build-essential debhelper dh-python lintian fakeroot python3
      pkg-config autoconf libext2fs-dev comerr-dev ss-dev libcunit1-dev
      e2fsprogs"
missing=
for p in $deps; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "build-debs.sh: installing$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

ver=$(dpkg-parsechangelog -S Version)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/debbuild-e2fc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/e2fc-$ver
mkdir "$src"
git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -cf - | tar -xf - -C "$src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 || {
	tail -n 30 "$tmp/build.log"
	echo "build-debs.sh: dpkg-buildpackage failed" >&2
	exit 1
}
mkdir -p "$out"
cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out"/
echo "build-debs.sh: packages in $out:"
ls -1 "$out"/*_"$ver"_*.deb
lintian --fail-on error "$tmp"/*.changes || {
	echo "build-debs.sh: lintian reports errors" >&2
	exit 1
}
echo "build-debs.sh: lintian: no errors"
