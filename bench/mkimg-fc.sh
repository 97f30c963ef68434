#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mkimg-fc.sh OUT SIZE NCOMMITS [mke2fs options...]
#
# Make a benchmark crash image with the running kernel (root, loop devices):
# a sparse ext4 file system of SIZE (truncate syntax: 4G, 8T) with
# fast_commit, a set-up tree committed by sync, then NCOMMITS small
# operations, each followed by fsync so that each one is one fast commit
# (create+write, append, hard link, unlink; never an fsync of a
# directory, which makes this kernel do a full commit).  The image is copied
# (sparse) to OUT while still mounted: that is the disk after a power cut.
# The extra arguments go to mke2fs (journal and FC sizes, lazy init...).
#
# Prints how long each step took (mke2fs, workload, copy) on stdout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/race-common.sh"
need_args 3 "OUT SIZE NCOMMITS [mke2fs options...]" "$@"
out=$1 size=$2 n=$3
shift 3

mkimg_scratch "$out"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

img=$work/live.img
truncate -s "$size" "$img"
t=$(now)
mke2fs -q -F -t ext4 -O fast_commit "$@" "$img"
echo "mkimg: mke2fs $size: $(elapsed "$t") s"

mkdir "$mnt"
# commit=600: no timer-driven full commit while the workload runs;
# noinit_itable: no background zeroing of lazily initialised inode tables
# (on a multi-TB sparse image it would fill the disk)
mount -o loop,commit=600,noinit_itable "$img" "$mnt"
mkdir "$mnt/d0" "$mnt/d1" "$mnt/d2" "$mnt/d3" "$mnt/d4" \
      "$mnt/d5" "$mnt/d6" "$mnt/d7"
echo "set-up file" >"$mnt/d0/seed"
sync -f "$mnt"
# a sync right after mount is needed: the kernel falls back to a full
# commit for any fsync before the first full commit since mount
t=$(now)
python3 - "$mnt" "$n" <<'PY'
import os, sys
mnt, n = sys.argv[1], int(sys.argv[2])
live = []            # files that exist, for append and unlink
seq = 0
for i in range(n):
    r = i % 10
    if r == 9 and len(live) > 16:
        # unlink a file, then append to another one and fsync that: on
        # this kernel fsync of a directory forces a full commit, fsync of
        # any file commits every pending change (the UNLINK too)
        p = live.pop(len(live) // 2)
        os.unlink(p)
        q = live[(i * 7919) % len(live)]
        fd = os.open(q, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"after unlink %08d\n" % i)
        os.fsync(fd)
        os.close(fd)
    elif r == 4 and len(live) > 16:
        # hard link, fsync the new name (LINK)
        p = live[(i * 31) % len(live)]
        q = "%s/d%d/l%06d" % (mnt, i % 8, i)
        os.link(p, q)
        fd = os.open(q, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    elif r in (1, 3, 6, 8) and live:
        # append a short record to an existing file
        p = live[(i * 7919) % len(live)]
        fd = os.open(p, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"append %08d\n" % i)
        os.fsync(fd)
        os.close(fd)
    else:
        # create a small file and fsync it (CREAT, INODE, ADD_RANGE)
        p = "%s/d%d/f%06d" % (mnt, seq % 8, seq)
        seq += 1
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"file %08d " % i * 8)
        os.fsync(fd)
        os.close(fd)
        live.append(p)
PY
echo "mkimg: $n fsynced operations: $(elapsed "$t") s"

t=$(now)
cp --sparse=always "$img" "$out.tmp"
umount "$mnt"
mv "$out.tmp" "$out"
echo "mkimg: copy while mounted: $(elapsed "$t") s"
