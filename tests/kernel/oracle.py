#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""oracle.py -- the canonical listing of a tree and the kernel oracle.

The listing (also printed by tests/tools/e2fc-listing from an image):
one line per path, sorted bytewise by path, tab-separated:
  path type mode nlink uid gid                     (directories)
  path type mode nlink uid gid size mtime_ns digest (everything else)
path starts with "/" (the root is "/"); bytes outside 0x21..0x7e and
the backslash are written as \\xHH.  type: f d l p c b s.  mode: the
permission bits in octal.  digest: the first 16 hex digits of the SHA-1
of the contents (symlink: of the target; others: "-").

  oracle.py list DIR           print the listing of a mounted tree
  oracle.py kernel CASEDIR     mount a copy of CASEDIR/image (+journal),
                               write CASEDIR/listing and append the oracle
                               facts to CASEDIR/meta (needs root); with
                               E2FC_LISTING=tools/e2fc-listing also checks
                               that it lists the replayed image the same;
                               an image without the extent feature is
                               never mounted (see no_extents): its
                               oracle is the live tree (oracle=live,
                               oracle_reason=)
"""
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile


def esc(b):
    out = []
    for c in b:
        if c <= 0x20 or c >= 0x7f or c == 0x5c:
            out.append('\\x%02x' % c)
        else:
            out.append(chr(c))
    return ''.join(out)


def digest(data):
    return hashlib.sha1(data).hexdigest()[:16]


TYPES = [(stat.S_ISREG, 'f'), (stat.S_ISDIR, 'd'), (stat.S_ISLNK, 'l'),
         (stat.S_ISFIFO, 'p'), (stat.S_ISCHR, 'c'), (stat.S_ISBLK, 'b'),
         (stat.S_ISSOCK, 's')]


def line(path, full):
    st = os.lstat(full)
    t = '?'
    for f, c in TYPES:
        if f(st.st_mode):
            t = c
            break
    fields = [esc(path), t, '%o' % stat.S_IMODE(st.st_mode),
              str(st.st_nlink), str(st.st_uid), str(st.st_gid)]
    if t == 'd':
        return '\t'.join(fields)
    if t == 'f':
        with open(full, 'rb') as f:
            d = digest(f.read())
    elif t == 'l':
        d = digest(os.readlink(full))
    else:
        d = '-'
    fields += [str(st.st_size), str(st.st_mtime_ns), d]
    return '\t'.join(fields)


def listing(root):
    """the canonical listing of the tree under root (bytes paths)"""
    root = os.fsencode(root)
    out = []
    stack = [b'/']
    while stack:
        p = stack.pop()
        full = root + p if p != b'/' else root
        out.append((p, line(p, full)))
        if os.path.isdir(full) and not os.path.islink(full):
            for n in os.listdir(full):
                stack.append((p if p != b'/' else b'') + b'/' + n)
    out.sort(key=lambda x: x[0])
    return ''.join(l + '\n' for _, l in out)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def fsck_n(img, jdev=None):
    cmd = ['e2fsck', '-fn']
    if jdev:
        cmd += ['-j', jdev]
    r = run(cmd + [img])
    return 'clean' if r.returncode == 0 else 'errors(%d)' % r.returncode


def stamp(m):
    try:
        return float(m[1:m.index(']')])
    except ValueError:
        return -1.0


def last_stamp():
    lines = run(['dmesg']).stdout.splitlines()
    return stamp(lines[-1]) if lines else -1.0


INCOMPAT_EXTENTS = 0x40


def no_extents(img):
    """the file system lacks the extent feature (block-mapped inodes).
    The kernel's own fast-commit replay of such a crash copy hits a BUG
    (ext4_split_extent_at) and leaves the machine half-hung: never mount
    one; the live tree at the copy is its oracle"""
    with open(img, 'rb') as f:
        f.seek(1024)
        sb = f.read(1024)
    if len(sb) < 0x64 or sb[0x38:0x3a] != b'\x53\xef':
        return False		# not an ext2/3/4 superblock: let mount say
    incompat = int.from_bytes(sb[0x60:0x64], 'little')
    return not incompat & INCOMPAT_EXTENTS


def kernel_oracle(case):
    """mount a copy of the case; returns dict of facts and the listing or
    None when the kernel cannot mount it (or must not be asked to)"""
    if no_extents(os.path.join(case, 'image')):
        return {'oracle': 'live',
                'oracle_reason': 'no extent feature: the kernel is never '
                'asked to replay it (its replay of a block-mapped fast '
                'commit hits a BUG in ext4_split_extent_at)'}, None
    tmp = tempfile.mkdtemp(prefix='h9-oracle-')
    facts = {}
    jloop = None
    mnt = os.path.join(tmp, 'mnt')
    os.mkdir(mnt)
    lst = None
    try:
        img = os.path.join(tmp, 'image')
        shutil.copyfile(os.path.join(case, 'image'), img)
        opts = 'loop'
        if os.path.exists(os.path.join(case, 'journal')):
            jimg = os.path.join(tmp, 'journal')
            shutil.copyfile(os.path.join(case, 'journal'), jimg)
            jloop = run(['losetup', '-f', '--show', jimg]).stdout.strip()
            opts += ',journal_path=' + jloop
        dmesg0 = last_stamp()
        r = run(['mount', '-o', opts, img, mnt])
        if r.returncode == 0:
            lst = listing(mnt)
            run(['umount', mnt])
            facts['oracle'] = 'kernel'
            facts['kernel_fsck'] = fsck_n(img, jloop)
            lp = os.path.join(case, 'live')
            if os.path.exists(lp):	# did the kernel keep all that was fsynced?
                with open(lp) as f:
                    facts['live_vs_kernel'] = 'same' if f.read() == lst \
                        else 'differs'
            tool = os.environ.get('E2FC_LISTING')
            if tool:	# the image reader must agree with the mount
                r = run([tool, img])
                facts['listing_tool'] = 'same' if r.stdout == lst else \
                    'differs'
        else:
            msg = [m for m in run(['dmesg']).stdout.splitlines()
                   if stamp(m) > dmesg0]
            msg = [m for m in msg if 'EXT4' in m or 'JBD2' in m]
            facts['oracle'] = 'live'
            facts['kernel_mount'] = 'failed: ' + (
                ' | '.join(m.split('] ', 1)[-1] for m in msg[-3:]) or
                r.stderr.strip().replace('\n', ' '))
    finally:
        run(['umount', mnt])
        if jloop:
            run(['losetup', '-d', jloop])
        shutil.rmtree(tmp, ignore_errors=True)
    return facts, lst


def main():
    if len(sys.argv) == 3 and sys.argv[1] == 'list':
        sys.stdout.write(listing(sys.argv[2]))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == 'kernel':
        case = sys.argv[2]
        facts, lst = kernel_oracle(case)
        if lst is None:
            with open(os.path.join(case, 'live')) as f:
                lst = f.read()
        with open(os.path.join(case, 'listing'), 'w') as f:
            f.write(lst)
        mp = os.path.join(case, 'meta')
        with open(mp) as f:	# drop the facts of an earlier run
            old = [x for x in f if x.split('=')[0] not in
                   ('oracle', 'kernel_fsck', 'kernel_mount', 'listing_tool',
                    'live_vs_kernel', 'oracle_reason')]
        with open(mp, 'w') as f:
            f.writelines(old)
            for k, v in facts.items():
                f.write('%s=%s\n' % (k, v))
        print('%s: oracle=%s %s' % (case, facts['oracle'],
              facts.get('kernel_fsck', facts.get('kernel_mount',
                        facts.get('oracle_reason', '')))))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
