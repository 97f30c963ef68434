#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flood.sh [MiB...] -- the bounds of issue 13: hostile but valid FC areas
# (tests/tools/e2fc-flood: INODE records changing a generation, CREATs
# into one directory, ADD_RANGEs of 32768 blocks past EOF, UNLINKs and
# LINKs in turn in the directory the first half filled) of the given
# sizes (default 1 4 16 64 MiB) on a 1 GiB 4k-block image with a 64 MiB
# FC area, recovered by tests/tools/e2fc-recover (what e2fsck-fc does);
# prints seconds (user+sys, wall) and peak RSS.  Needs mke2fs, debugfs
# and GNU time.  Not part of make check (tests/fsck-flood is the check).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
flood=$top/tests/tools/e2fc-flood recover=$top/tests/tools/e2fc-recover
t=$(mktemp -d /tmp/e2fc-flood.XXXXXX)
trap 'rm -rf "$t"' EXIT
truncate -s 1G "$t/base"
mke2fs -q -F -t ext4 -b 4096 -O fast_commit \
	-J size=64,fast_commit_size=65600 "$t/base"
head -c 100000 /dev/zero >"$t/f"
debugfs -w -R "write $t/f f" "$t/base" >/dev/null 2>&1
printf '%-10s %6s %8s %8s %8s %6s\n' kind MiB tags cpu_s wall_s rss_MB
for mib in ${@:-1 4 16 64}; do
	for kind in ${KINDS:-inode-gen creat add-range unlink-link}; do
		cp --sparse=always "$t/base" "$t/img"
		"$flood" "$t/img" $kind $((mib * 1048576 - 16384)) >/dev/null
		/usr/bin/time -f '%U %S %e %M' -o "$t/time" \
			"$recover" "$t/img" >"$t/out" 2>&1 || true
		read -r u s e m <"$t/time"
		printf '%-10s %6s %8s %8.2f %8.2f %6d\n' $kind $mib \
			"$(sed -n 's/^fc tags applied: //p' "$t/out")" \
			"$(echo "$u + $s" | bc)" "$e" $((m / 1024))
	done
done
