#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-dump-images.sh -- remake the kernel crash images of the e2fcdump
# image tests (tests/dump-*/).  Needs root and loop devices.
#
#   make-dump-images.sh NAME OUTDIR [mke2fs options...]
#
# Makes a 16 MiB ext4 with fast_commit and the given options, mounts it
# with commit=600, syncs a set-up tree, then makes fsynced changes that stay
# in the fast-commit area, and copies the image while it is still mounted
# (the disk after a power cut) to OUTDIR/image.gz.  NAME selects a variant:
#   plain    the crash image
#   stale    a full commit (sync) after the fast commits, copied while
#            mounted: the area holds commits of an older transaction
#   clean    unmounted cleanly after the fast commits (the kernel clears
#            the journal's fast_commit feature: no area)
#   torn     the last fast commit's TAIL crc is flipped (torn commit)
#   extjnl   external journal device (OUTDIR/journal.gz too)
#   demo     the crash image of demo/ (made by demo/make-demo-image.sh):
#            the same steps on the names the demo shows
set -eu
name=$1 out=$2
shift 2
t=$(mktemp -d)
jdev=
cleanup() {
	umount "$t/mnt" 2>/dev/null || true
	[ -n "$jdev" ] && losetup -d "$jdev" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
truncate -s 16M "$t/img"
if [ "$name" = extjnl ]; then
	truncate -s 8M "$t/jnl"
	mke2fs -q -O journal_dev,fast_commit -b 4096 "$t/jnl"
	jdev=$(losetup -f --show "$t/jnl")
	mke2fs -q -t ext4 -O fast_commit -b 4096 -J device="$jdev" "$@" "$t/img"
	mkdir "$t/mnt"
	mount -o loop,commit=600,journal_path="$jdev" "$t/img" "$t/mnt"
else
	mke2fs -q -t ext4 -O fast_commit "$@" "$t/img"
	mkdir "$t/mnt"
	mount -o loop,commit=600 "$t/img" "$t/mnt"
fi
# the set-up tree (committed by sync), then the same fsynced steps for
# every variant: only the names and the data differ
if [ "$name" = demo ]; then
	work=demo dir=docs base=readme text=setup
else
	work=dump dir=d base=base text=base
fi
mkdir "$t/mnt/$dir"
echo "$text" >"$t/mnt/$dir/$base"
sync -f "$t/mnt"
python3 - "$t/mnt" "$work" <<'PY'
import os, sys
m, work = sys.argv[1:3]
W = {
    'demo': dict(a='docs/notes.txt', a_data='fast commit demo\n' * 100,
                 b='docs/readme', b_more='appended after the last full '
                 'commit\n', link='docs/notes-link', a_more='more\n',
                 c='big', c_data=''.join('line %06d\n' % i
                                         for i in range(20000)),
                 d='docs/todo', d_data='replay me\n'),
    'dump': dict(a='d/a', a_data='alpha\n' * 300, b='d/base', b_more='more\n',
                 link='d/a-link', a_more='x', c='d/name with space\\',
                 c_data='odd name\n', d='top', d_data='top\n' * 1000),
}[work]
def write(p, data, mode='w'):
    with open(os.path.join(m, p), mode) as f:
        f.write(data); f.flush(); os.fsync(f.fileno())
# file fsyncs only: each commits the file and its new names as a fast commit
write(W['a'], W['a_data'])
write(W['b'], W['b_more'], 'a')
os.link(os.path.join(m, W['a']), os.path.join(m, W['link']))
write(W['a'], W['a_more'], 'a')
write(W['c'], W['c_data'])
os.unlink(os.path.join(m, W['b']))
write(W['d'], W['d_data'])
PY
if [ "$name" = clean ]; then
	umount "$t/mnt"
	cp "$t/img" "$t/crash"
else
	[ "$name" = stale ] && sync -f "$t/mnt"
	cp "$t/img" "$t/crash"
	[ -n "$jdev" ] && cp "$t/jnl" "$t/crashj"
	umount "$t/mnt"
fi
if [ "$name" = torn ]; then
	# flip one byte of the crc of the last TAIL in the fast-commit area
	python3 - "$t/crash" <<'PY'
import struct, sys, subprocess
p = sys.argv[1]
out = subprocess.run(['debugfs', '-R', 'bmap <8> 0', p], capture_output=True, text=True).stdout
bs = 1024 if 'block_size=1024' in subprocess.run(['dumpe2fs', '-h', p], capture_output=True, text=True).stdout.replace('Block size:               1024', 'block_size=1024') else 4096
jsb = int(out.split()[0])
f = open(p, 'r+b')
f.seek(jsb * bs); sb = f.read(1024)
maxlen, = struct.unpack('>I', sb[0x10:0x14]); nfc, = struct.unpack('>I', sb[0x54:0x58])
nfc = nfc or 256
last = None
for lb in range(maxlen - nfc + 1, maxlen):
    pb = int(subprocess.run(['debugfs', '-R', 'bmap <8> %d' % lb, p], capture_output=True, text=True).stdout.split()[0])
    f.seek(pb * bs); blk = f.read(bs); off = 0
    while off + 4 <= bs:
        tag, ln = struct.unpack('<HH', blk[off:off+4])
        if tag == 0 or tag > 9: break
        if tag == 8: last = pb * bs + off + 8
        off += 4 + ln
    if off == 0: break
f.seek(last); c = f.read(1); f.seek(last); f.write(bytes([c[0] ^ 0xff]))
PY
fi
gzip -9 -c "$t/crash" >"$out/image.gz"
[ -f "$t/crashj" ] && gzip -9 -c "$t/crashj" >"$out/journal.gz"
exit 0
