#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mkimg-biglog.sh OUT KIND [SIZE]
#
# Make a crash image whose jbd2 log is full of committed transactions, then
# a run of fast commits, with the running kernel (root, loop devices).  A
# SIZE (default 8G) ext4 with a 1 GiB journal (-J size=1024) and fast_commit
# is mounted with commit=600, so only fsync commits; then:
#
#   KIND=meta   metadata-heavy: files created in many directories, each
#               directory fsynced after a batch (a directory fsync is a
#               full jbd2 commit on this kernel): inode tables, bitmaps,
#               directory blocks and group descriptors fill the log;
#   KIND=data   mounted with data=journal: every fsync of a 4 MiB file is a
#               full commit that carries the file's data, so the log is
#               mostly data blocks (distinct ones: the worst case for a
#               replay that keeps what it writes in memory);
#
# and with KIND=meta, 500 small fsynced operations on ordinary files at the
# end (fast commits).  data=journal disables fast commits on this kernel
# ("mounting with data=journal disables ... fast_commit support"), and the
# per-file journal-data attribute (chattr +j) needs CAP_SYS_RESOURCE, which
# this machine's root lacks: the data image has a full log and no fast
# commits.  The workload stops when it has logged more than half
# of the journal (from /proc/fs/jbd2; the kernel checkpoints by itself
# when less than a third is free, which would empty the log).  The image is copied (sparse) to OUT while
# still mounted: the disk after a power cut.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/race-common.sh"
need_args 2 "OUT meta|data [SIZE]" "$@"
out=$1 kind=$2 size=${3:-8G}
case $kind in meta|data) ;; *) echo "$0: KIND is meta or data" >&2; exit 2 ;; esac

mkimg_scratch "$out"
# The kernel's flusher writes the logged metadata back after 30 s and the
# next commit then moves the log's tail: for the few minutes the workload
# runs, periodic writeback is off (restored on exit), so what was logged
# stays in the log until the journal itself needs the room.
wb=/proc/sys/vm/dirty_writeback_centisecs
old_wb=$(cat $wb)
cleanup() {
	echo "$old_wb" >$wb
	mkimg_cleanup
}
trap cleanup EXIT

img=$work/live.img
truncate -s "$size" "$img"
mke2fs -q -F -t ext4 -O fast_commit -J size=1024 \
	-E lazy_itable_init=1,lazy_journal_init=1 "$img"
mkdir "$mnt"
opts=loop,commit=600,noinit_itable
[ "$kind" = data ] && opts=$opts,data=journal
mount -o "$opts" "$img" "$mnt"
mkdir "$mnt/fc"
echo seed >"$mnt/fc/seed"
sync -f "$mnt"
echo 0 >$wb

python3 - "$mnt" "$kind" "$img" <<'PY'
import os, sys
mnt, kind, img = sys.argv[1], sys.argv[2], sys.argv[3]

def jbd2_info():
    """the journal's /proc/fs/jbd2 directory: loopN-8 of our mount"""
    dev = None
    with open('/proc/self/mountinfo') as f:
        for line in f:
            v = line.split()
            if v[4] == mnt:
                dev = v[v.index('-') + 2]
    return '/proc/fs/jbd2/%s-8/info' % os.path.basename(dev)

def logged():
    """blocks logged since mount: transactions x logged blocks each"""
    n = per = 0
    with open(info) as f:
        for line in f:
            w = line.split()
            if len(w) > 1 and w[1].startswith('transactions'):
                n = int(w[0])
            if 'logged blocks per transaction' in line:
                per = int(w[0])
    return n * per

info = jbd2_info()
# about 55% of a 1 GiB log, in 4 KiB blocks: this kernel checkpoints
# (and empties the log) when less than a third of it is free
budget = 145000
if kind == 'meta':
    # 128 directories of 256 empty files, then every file of one
    # directory after the other gets new times and its directory is
    # fsynced (a full commit of the inode-table blocks it dirtied)
    for d in range(128):
        os.mkdir('%s/m%03d' % (mnt, d))
        for i in range(256):
            os.close(os.open('%s/m%03d/f%03d' % (mnt, d, i),
                             os.O_WRONLY | os.O_CREAT, 0o644))
    r = 0
    while logged() < budget:
        d = '%s/m%03d' % (mnt, r % 128)
        for i in range(256):
            os.utime('%s/f%03d' % (d, i), (r, r))
        dfd = os.open(d, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
        r += 1
else:
    chunk = b'J' * (1 << 20)
    n = 0
    while logged() < budget:
        p = '%s/j%04d' % (mnt, n)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o644)
        for k in range(4):
            os.write(fd, chunk)
        os.fsync(fd)
        os.close(fd)
        n += 1
print('mkimg-biglog: %d blocks logged before the fast commits' % logged())

for i in range(500 if kind == 'meta' else 0):
    p = '%s/fc/f%04d' % (mnt, i % 100)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(fd, b'fast commit %06d\n' % i)
    os.fsync(fd)
    os.close(fd)
PY

cp --sparse=always "$img" "$out.tmp"
umount "$mnt"
mv "$out.tmp" "$out"
