#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-demo-image.sh OUT.img.gz -- make the bundled demo crash image with the
# running kernel (root and loop devices needed): a 16 MiB ext4 with
# fast_commit, a set-up tree committed by sync, then fsynced changes that
# stay in the fast-commit area; the image is copied while still mounted.
set -eu
out=$1
t=$(mktemp -d)
trap 'umount "$t/mnt" 2>/dev/null || true; rm -rf "$t"' EXIT
truncate -s 16M "$t/img"
mke2fs -q -t ext4 -O fast_commit -L e2fc-demo "$t/img"
mkdir "$t/mnt"
mount -o loop,commit=600 "$t/img" "$t/mnt"
mkdir "$t/mnt/docs"
echo "setup" >"$t/mnt/docs/readme"
sync -f "$t/mnt"
python3 - "$t/mnt" <<'PY'
import os, sys
m = sys.argv[1]
def write(p, data, mode='w'):
    with open(p, mode) as f:
        f.write(data); f.flush(); os.fsync(f.fileno())
# file fsyncs only: each commits the file and its new names as a fast commit
write(m + '/docs/notes.txt', 'fast commit demo\n' * 100)
write(m + '/docs/readme', 'appended after the last full commit\n', 'a')
os.link(m + '/docs/notes.txt', m + '/docs/notes-link')
write(m + '/docs/notes.txt', 'more\n', 'a')
write(m + '/big', ''.join('line %06d\n' % i for i in range(20000)))
os.unlink(m + '/docs/readme')
write(m + '/docs/todo', 'replay me\n')
PY
cp "$t/img" "$t/crash.img"
umount "$t/mnt"
gzip -9 -c "$t/crash.img" >"$out"
