#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen.py -- make kernel crash images of ext4 fast commits (needs root).

  gen.py --seed S --profile P --out DIR [--ops N] [--snaps K] [--fill]
         [--mix base|real|all]
  gen.py --list-profiles       the named profiles and their variants
  gen.py --variant NAME I      the profile string of seed I of NAME

PROFILE: dash-separated tokens: 1k|2k|4k (block size), 128|256 (inode
size), csum|nocsum (metadata_csum), 64|32 (64bit), optional ext
(external journal device), optional inline (inline_data), optional fcKB
(fast-commit area size in KiB; default: the smallest journal mke2fs
allows, whose FC area is 16 blocks), optional noext (no extent feature:
block-mapped inodes; mke2fs wants 32 with it).  A crash copy of a noext
file system must never be mounted: the kernel's own replay of it hits a
BUG in ext4_split_extent_at and leaves the machine half-hung, so
oracle.py gives it the live tree as the oracle without mounting it.
Example: 1k-256-csum-64, 4k-128-nocsum-32-ext, 4k-256-nocsum-32-noext.
More tokens (FEATURE_TOKENS): 512|1024 (inode size), orphanfile,
noflex (^flex_bg), metabg (meta_bg,^resize_inode), largedir
(large_dir,ea_inode), nodirindex, seed (metadata_csum_seed), bigalloc
(-C 16384); mount options nodelalloc, wb (data=writeback), async
(journal_async_commit, with data=writeback), nodio (nodioread_nolock).
Named profiles (PROFILES, --list-profiles) group a few variants each.

Makes a small ext4 with fast_commit, mounts it with commit=600, syncs a
set-up tree, then runs N seeded random operations, each made durable by
an fsync (mostly of a file, sometimes of a directory).  At K random
fsync points (the last after the last operation) it copies the backing
file while still mounted -- the disk after a power cut -- to
DIR/snapNN/image (and the external journal to DIR/snapNN/journal), with
DIR/snapNN/live (the live listing then, see oracle.py), meta (seed,
profile, op count, fc_info) and oplog.  --fill: long runs of tiny
fsynced appends so the FC area fills up.  --mix: the base operations
(default), the workloads of real systems (REAL_OPS: files unlinked or
O_TMPFILE'd and still open at the copy, so on the orphan list or in the
orphan file; O_TMPFILE + linkat, the atomic save, fdatasync, O_DIRECT,
mmap + msync, RENAME_EXCHANGE, ZERO/COLLAPSE/INSERT range, chown,
fragmented files, deep directory chains, writes far past EOF), or both.
"""
import argparse
import ctypes
import mmap
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long,
                           ctypes.c_long]
FALLOC_KEEP_SIZE = 1
FALLOC_PUNCH = 3


def fallocate(fd, mode, off, ln):
    if libc.fallocate(fd, mode, off, ln) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def syncfs(g):
    """syncfs of g's file system only: a global sync(1) waits for every
    other mount on the machine, hung ones included"""
    fd = os.open(g.mnt, os.O_RDONLY)
    try:
        if libc.syncfs(fd) != 0:
            raise OSError(ctypes.get_errno(), 'syncfs')
    finally:
        os.close(fd)


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(cmd), r.stderr.strip()))
    return r.stdout


def parse_profile(p):
    prof = {'bs': 4096, 'isize': 256, 'csum': True, '64bit': True,
            'ext': False, 'fc': 0, 'inline': False, 'noext': False,
            'feat': [], 'mopts': [], 'cluster': 0}
    for t in p.split('-'):
        if t in ('1k', '2k', '4k'):
            prof['bs'] = int(t[0]) * 1024
        elif t in ('128', '256', '512', '1024'):
            prof['isize'] = int(t)
        elif t in ('csum', 'nocsum'):
            prof['csum'] = t == 'csum'
        elif t in ('64', '32'):
            prof['64bit'] = t == '64'
        elif t == 'ext':
            prof['ext'] = True
        elif t == 'inline':
            prof['inline'] = True
        elif t == 'noext':
            prof['noext'] = True
        elif re.fullmatch(r'fc\d+', t):
            prof['fc'] = int(t[2:])
        elif not profile_token(prof, t):
            raise SystemExit('bad profile token: ' + t)
    if prof['noext'] and prof['64bit']:
        raise SystemExit('noext needs 32 (mke2fs: 64bit wants extents)')
    return prof


# --- profiles: mke2fs features and mount options beyond the basic tokens
# token: (mke2fs -O features, mount options)
FEATURE_TOKENS = {
    'orphanfile': (['orphan_file'], []),
    'noflex': (['^flex_bg'], []),
    'metabg': (['meta_bg', '^resize_inode'], []),
    'largedir': (['large_dir', 'ea_inode'], []),
    'nodirindex': (['^dir_index'], []),
    'seed': (['metadata_csum_seed'], []),
    'bigalloc': (['bigalloc'], []),		# with -C 16384, see mkfs
    'nodelalloc': ([], ['nodelalloc']),
    'wb': ([], ['data=writeback']),
    # the kernel refuses journal_async_commit with data=ordered
    'async': ([], ['data=writeback', 'journal_async_commit']),
    'nodio': ([], ['nodioread_nolock']),
}

# named profiles (check-kernel.sh PROFILE=name): seed i of a run uses
# variant i % len
PROFILES = {
    'inline_data': ['4k-256-csum-64-inline', '1k-256-csum-64-inline',
                    '2k-512-nocsum-64-inline'],
    'nocsum32': ['4k-256-nocsum-32', '1k-128-nocsum-32'],
    'orphan_file': ['4k-256-csum-64-orphanfile', '1k-256-csum-64-orphanfile'],
    'noflex': ['4k-256-csum-64-noflex', '1k-128-nocsum-32-noflex'],
    'meta_bg': ['4k-256-csum-64-metabg', '1k-256-csum-64-metabg'],
    'large_dir': ['4k-256-csum-64-largedir', '1k-256-csum-64-largedir'],
    'inode1024': ['4k-1024-csum-64', '1k-1024-csum-64'],
    'nodirindex': ['4k-256-csum-64-nodirindex', '1k-256-csum-64-nodirindex'],
    'csum_seed': ['4k-256-csum-64-seed', '1k-256-csum-64-seed'],
    'bigalloc': ['4k-256-csum-64-bigalloc', '1k-256-csum-64-bigalloc'],
    'noext': ['4k-256-nocsum-32-noext', '1k-256-csum-32-noext'],
    '1k': ['1k-256-csum-64', '1k-128-nocsum-32'],
    '2k': ['2k-256-csum-64', '2k-128-csum-32'],
    '4k': ['4k-256-csum-64', '4k-128-nocsum-64'],
    'nodelalloc': ['4k-256-csum-64-nodelalloc', '1k-256-csum-64-nodelalloc'],
    'writeback': ['4k-256-csum-64-wb', '1k-256-csum-64-wb'],
    'async_commit': ['4k-256-csum-64-async', '1k-256-csum-64-async'],
    'nodioread_nolock': ['4k-256-csum-64-nodio', '2k-256-csum-64-nodio'],
}


def profile_token(prof, t):
    """one token of FEATURE_TOKENS: add its features and mount options"""
    if t not in FEATURE_TOKENS:
        return False
    feat, mopts = FEATURE_TOKENS[t]
    prof['feat'] += feat
    prof['mopts'] += [m for m in mopts if m not in prof['mopts']]
    if t == 'bigalloc':
        prof['cluster'] = 16384
    return True


def profile_variant(name, i):
    """PROFILE=name -> the profile string of the i-th seed"""
    if name in PROFILES:
        v = PROFILES[name]
        return v[i % len(v)]
    parse_profile(name)			# a raw profile string: check it
    return name


class Gen:
    def __init__(self, seed, prof, out, tmp):
        self.rnd = random.Random(seed)
        self.seed = seed
        self.prof = prof
        self.out = out
        self.tmp = tmp
        self.mnt = os.path.join(tmp, 'mnt')
        self.img = os.path.join(tmp, 'img')
        self.jimg = os.path.join(tmp, 'jnl')
        self.jloop = None
        self.log = []
        self.nop = 0
        self.snaps = 0
        self.fd_stamp = None
        self.held = []		# open, unlinked: orphans at the cut
        self.ops = None		# op_table(--mix), set by main()

    # --- file system -------------------------------------------------
    def mkfs(self):
        p = self.prof
        bs = p['bs']
        size = {1024: 8, 2048: 12, 4096: 16}[bs]
        with open(self.img, 'wb') as f:
            f.truncate(size << 20)
        feat = ['fast_commit']
        if not p['csum']:
            feat.append('^metadata_csum')
        if not p['64bit']:
            feat.append('^64bit')
        if p['inline']:
            feat.append('inline_data')
        if p['noext']:
            feat.append('^extent')
        feat += p['feat']
        jsz = bs * 1024 >> 20		# 1024 journal blocks: the minimum
        jopt = 'size=%d' % jsz
        if p['fc']:
            jopt += ',fast_commit_size=%d' % p['fc']
        opts = ['-q', '-t', 'ext4', '-b', str(bs), '-I', str(p['isize']),
                '-O', ','.join(feat)]
        if p['cluster']:
            opts += ['-C', str(p['cluster'])]
        if p['ext']:
            with open(self.jimg, 'wb') as f:
                f.truncate(bs * 2048)
            sh('mke2fs', '-q', '-O', 'journal_dev,fast_commit', '-b',
               str(bs), self.jimg)
            self.jloop = sh('losetup', '-f', '--show', self.jimg).strip()
            sh('mke2fs', *opts, '-J', 'device=' + self.jloop, self.img)
        else:
            sh('mke2fs', *opts, '-J', jopt, self.img)
        os.mkdir(self.mnt)
        mo = ','.join(['loop', 'commit=600'] + p['mopts'])
        if self.jloop:
            mo += ',journal_path=' + self.jloop
        sh('mount', '-o', mo, self.img, self.mnt)
        dev = sh('findmnt', '-n', '-o', 'SOURCE', self.mnt).strip()
        self.dev = os.path.basename(dev)

    def cleanup(self):
        for fd in self.held:
            os.close(fd)
        self.held = []
        if self.fd_stamp is not None:
            os.close(self.fd_stamp)
            self.fd_stamp = None
        sh('umount', self.mnt, check=False)
        if self.jloop:
            sh('losetup', '-d', self.jloop, check=False)

    def p(self, rel):
        return os.path.join(self.mnt, rel)

    # --- helpers -------------------------------------------------------
    def data(self, n):
        tok = ('%d:%d:%x;' % (self.seed, self.nop,
                              self.rnd.getrandbits(32))).encode()
        return (tok * (n // len(tok) + 1))[:n]

    def files(self):
        out = []
        for d, dirs, fs in os.walk(self.mnt):
            if 'lost+found' in dirs:
                dirs.remove('lost+found')
            for f in fs:
                full = os.path.join(d, f)
                if os.path.isfile(full) and not os.path.islink(full):
                    out.append(os.path.relpath(full, self.mnt))
        out.sort()
        return out

    def dirs(self):
        out = ['.']
        for d, dirs, fs in os.walk(self.mnt):
            if 'lost+found' in dirs:
                dirs.remove('lost+found')
            for x in dirs:
                out.append(os.path.relpath(os.path.join(d, x), self.mnt))
        out.sort()
        return out

    def pick_file(self):
        fs = [f for f in self.files() if f != 'stamp']
        few = [f for f in fs if '/big' not in '/' + f]
        if few and self.rnd.random() < 0.9:
            fs = few
        return self.rnd.choice(fs) if fs else None

    def newname(self, d=None):
        d = d if d is not None else self.rnd.choice(self.dirs())
        return os.path.normpath(os.path.join(d, 'f%d_%d' % (
            self.nop, self.rnd.randrange(1000))))

    def fsync_path(self, rel):
        fd = os.open(self.p(rel), os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)

    def stamp(self):
        """make pending namespace changes durable with a file fsync"""
        os.write(self.fd_stamp, b'%d\n' % self.nop)
        os.fsync(self.fd_stamp)

    def sync_dir_or_stamp(self, d):
        if self.rnd.random() < 0.2:
            self.fsync_path(d)
            return 'dirfsync'
        self.stamp()
        return 'stamp'

    # --- operations: each ends durable --------------------------------
    def op_create(self):
        n = self.newname()
        with open(self.p(n), 'wb') as f:
            f.write(self.data(self.rnd.choice([0, 10, 700, 3000, 9000])))
            f.flush()
            os.fsync(f.fileno())
        return 'create ' + n

    def with_file(self, fn, flags=0):
        """fn(path, fd, size) on a file picked at random, opened for
        reading and writing (and flags) and closed after; a new file
        instead when there is none"""
        f = self.pick_file()
        if f is None:
            return self.op_create()
        fd = os.open(self.p(f), os.O_RDWR | flags)
        try:
            return fn(f, fd, os.fstat(fd).st_size)
        finally:
            os.close(fd)

    def _rw(self, fn):
        def step(f, fd, sz):
            what = fn(fd, sz)
            os.fsync(fd)
            return '%s %s' % (what, f)
        return self.with_file(step)

    def _rw_at(self, fn, room, sizes):
        """_rw with an offset below the size + room and a length from
        sizes picked first: fn(fd, off, n)"""
        def at(fd, sz):
            off = self.rnd.randrange(sz + room)
            return fn(fd, off, self.rnd.choice(sizes))
        return self._rw(at)

    def op_append(self):
        def fn(fd, sz):
            n = self.rnd.choice([1, 100, 1500, 5000])
            os.pwrite(fd, self.data(n), sz)
            return 'append %d' % n
        return self._rw(fn)

    def op_overwrite(self):
        def fn(fd, off, n):
            os.pwrite(fd, self.data(n), off)
            return 'overwrite %d+%d' % (off, n)
        return self._rw_at(fn, 1, [1, 200, 4096])

    def op_truncate(self):
        def fn(fd, sz):
            if sz and self.rnd.random() < 0.6:
                n = self.rnd.randrange(sz)
            else:
                n = sz + self.rnd.choice([1, 5000, 70000])
            os.ftruncate(fd, n)
            return 'truncate %d->%d' % (sz, n)
        return self._rw(fn)

    def op_sparse(self):
        def fn(fd, sz):
            off = sz + self.rnd.choice([65536, 1 << 20, 3 << 20])
            os.pwrite(fd, self.data(self.rnd.choice([1, 3000])), off)
            return 'sparse @%d' % off
        return self._rw(fn)

    def op_falloc(self):
        def fn(fd, off, n):
            mode = self.rnd.choice([0, 0, FALLOC_KEEP_SIZE, FALLOC_PUNCH])
            if mode == 0:
                os.posix_fallocate(fd, off, n)
            else:
                fallocate(fd, mode, off, n)
            return 'fallocate mode=%d %d+%d' % (mode, off, n)
        return self._rw_at(fn, 8192, [1024, 4096, 20000])

    def op_deep(self):
        n = self.newname()
        bs = self.prof['bs']
        cnt = self.rnd.choice([20, 60])
        with open(self.p(n), 'wb') as f:
            for i in range(cnt):
                os.pwrite(f.fileno(), self.data(100), 2 * i * bs)
            os.fsync(f.fileno())
        return 'deep %s x%d' % (n, cnt)

    def op_unlink(self):
        f = self.pick_file()
        if f is None:
            return self.op_create()
        os.unlink(self.p(f))
        how = self.sync_dir_or_stamp(os.path.dirname(f) or '.')
        return 'unlink %s (%s)' % (f, how)

    def op_link(self):
        f = self.pick_file()
        if f is None:
            return self.op_create()
        n = self.newname()
        os.link(self.p(f), self.p(n))
        self.fsync_path(n)
        return 'link %s %s' % (f, n)

    def op_rename(self):
        f = self.pick_file()
        if f is None:
            return self.op_create()
        if self.rnd.random() < 0.5:
            n = self.newname(os.path.dirname(f))
        else:
            n = self.newname()
        if self.rnd.random() < 0.2:	# onto an existing file
            t = self.pick_file()
            if t and t != f:
                n = t
        os.rename(self.p(f), self.p(n))
        self.fsync_path(n)
        return 'rename %s %s' % (f, n)

    def op_mkdir(self):
        n = self.newname()
        os.mkdir(self.p(n))
        how = self.sync_dir_or_stamp(n)
        return 'mkdir %s (%s)' % (n, how)

    def op_rmdir(self):
        ds = [d for d in self.dirs()
              if d != '.' and not os.listdir(self.p(d))]
        if not ds:
            return self.op_mkdir()
        d = self.rnd.choice(ds)
        os.rmdir(self.p(d))
        self.stamp()
        return 'rmdir ' + d

    def op_symlink(self):
        n = self.newname()
        if self.rnd.random() < 0.5:
            t = 'target%d' % self.nop
        else:
            t = '/long/' + 'x' * self.rnd.choice([70, 300]) + str(self.nop)
        os.symlink(t, self.p(n))
        self.stamp()
        return 'symlink %s (%d)' % (n, len(t))

    def op_attr(self):
        def fn(fd, sz):
            k = self.rnd.randrange(3)
            if k == 0:
                m = self.rnd.choice([0o600, 0o644, 0o755, 0o4711, 0o1777])
                os.fchmod(fd, m)
                return 'chmod %o' % m
            if k == 1:
                u, g = self.rnd.randrange(2000), self.rnd.randrange(2000)
                os.fchown(fd, u, g)
                return 'chown %d:%d' % (u, g)
            t = self.rnd.randrange(10 ** 9, 2 * 10 ** 9) * 10 ** 9 + \
                self.rnd.randrange(10 ** 9)
            os.utime(fd, ns=(t, t))
            return 'utime %d' % t
        return self._rw(fn)

    def op_bigdir(self):
        d = os.path.join(self.rnd.choice(self.dirs()), 'big%d' % self.nop)
        d = os.path.normpath(d)
        os.mkdir(self.p(d))
        n = self.rnd.choice([150, 400])
        last = None
        for i in range(n):
            last = os.path.join(d, 'entry_with_a_longish_name_%04d' % i)
            with open(self.p(last), 'wb') as f:
                if i % 50 == 0:
                    f.write(self.data(20))
                    f.flush()
                    os.fsync(f.fileno())
        self.fsync_path(last)
        return 'bigdir %s %d' % (d, n)

    def op_xattr(self):
        def fn(fd, sz):
            os.setxattr(fd, 'user.k%d' % self.nop, self.data(30))
            os.pwrite(fd, b'x', sz)
            return 'setxattr+append1'
        return self._rw(fn)

    def op_dirrename(self):
        ds = [d for d in self.dirs() if d != '.']
        if not ds:
            return self.op_mkdir()
        d = self.rnd.choice(ds)
        n = os.path.join(os.path.dirname(d), 'r%d' % self.nop)
        os.rename(self.p(d), self.p(n))
        self.stamp()
        return 'dirrename %s %s' % (d, n)

    OPS = [('create', 10), ('append', 12), ('overwrite', 6),
           ('truncate', 6), ('sparse', 3), ('falloc', 6), ('deep', 2),
           ('unlink', 6), ('link', 5), ('rename', 6), ('mkdir', 3),
           ('rmdir', 2), ('symlink', 4), ('attr', 6), ('bigdir', 1),
           ('xattr', 1), ('dirrename', 1)]

    def setup(self):
        for d in ('a', 'b', 'a/c'):
            os.mkdir(self.p(d))
        for i, d in enumerate(('a', 'b', 'a/c', '.')):
            with open(self.p(os.path.join(d, 'base%d' % i)), 'wb') as f:
                f.write(self.data(500 + 3000 * i))
        os.link(self.p('a/base0'), self.p('b/base0-link'))
        os.symlink('a/base0', self.p('sym'))
        self.fd_stamp = os.open(self.p('stamp'), os.O_WRONLY | os.O_CREAT |
                                os.O_APPEND, 0o644)
        syncfs(self)

    def one_op(self, fill):
        self.nop += 1
        if fill:
            # many inodes per commit: commits of several blocks that
            # run past the end of the small FC area
            if self.nop <= 4:
                for i in range(8):
                    with open(self.p('fill%d_%d' % (self.nop, i)), 'wb') as f:
                        f.write(self.data(100))
                        f.flush()
                        os.fsync(f.fileno())
            n = self.rnd.choice([0, 1, 5, 20, 40])
            fs = self.files()
            for f in self.rnd.sample(fs, min(n, len(fs))):
                os.utime(self.p(f), ns=(self.nop * 10 ** 9,) * 2)
            os.write(self.fd_stamp, b'%d\n' % self.nop)
            os.fsync(self.fd_stamp)
            self.log.append('%d fill %d' % (self.nop, n))
            return
        op, fn, _ = self.rnd.choices(self.ops, [x[2] for x in self.ops])[0]
        try:
            what = fn(self)
        except OSError as e:	# e.g. ENOSPC: a real outcome, keep going
            self.stamp()
            what = '%s failed: %s' % (op, e.strerror)
        self.log.append('%d %s' % (self.nop, what))

    def snapshot(self):
        d = os.path.join(self.out, 'snap%02d' % self.snaps)
        self.snaps += 1
        os.makedirs(d, exist_ok=True)
        live = oracle.listing(self.mnt)
        shutil.copyfile(self.img, os.path.join(d, 'image'))
        if self.jloop:
            shutil.copyfile(self.jimg, os.path.join(d, 'journal'))
        try:
            with open('/proc/fs/ext4/%s/fc_info' % self.dev) as f:
                fc = f.read()
        except OSError:
            fc = ''
        with open(os.path.join(d, 'live'), 'w') as f:
            f.write(live)
        with open(os.path.join(d, 'oplog'), 'w') as f:
            f.write(''.join(x + '\n' for x in self.log))
        with open(os.path.join(d, 'meta'), 'w') as f:
            f.write('seed=%d\nprofile=%s\nops=%d\n' % (
                self.seed, self.prof['name'], self.nop))
            fc = [x.strip() for x in fc.splitlines() if x.strip()]
            f.write('fc_info=%s\n' % ' | '.join(fc))
        return d


# --- workloads of real systems (issue 8) ---------------------------------
# Ops of their own, mixed in with --mix real (these only) or all (these and
# Gen.OPS); each ends durable like the others.  Files unlinked or made with
# O_TMPFILE and never linked stay open (Gen.held) until after the last
# crash copy: they are on the orphan list or in the orphan file then, the
# more so as some ops force a full commit (syncfs of this file system, or
# an op the fast commit cannot log).
FALLOC_COLLAPSE = 0x08
FALLOC_ZERO = 0x10
FALLOC_INSERT = 0x20
RENAME_EXCHANGE = 2
AT_FDCWD = -100
AT_SYMLINK_FOLLOW = 0x400
libc.linkat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                        ctypes.c_char_p, ctypes.c_int]
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                           ctypes.c_char_p, ctypes.c_uint]


def durable(g, d):
    """namespace change in d: a dir fsync, a stamp or a full commit"""
    k = g.rnd.random()
    if k < 0.3:
        syncfs(g)
        return 'syncfs'
    return g.sync_dir_or_stamp(d)


def w_open_unlink(g):
    n = g.newname()
    fd = os.open(g.p(n), os.O_RDWR | os.O_CREAT, 0o644)
    g.held.append(fd)
    os.write(fd, g.data(g.rnd.choice([100, 5000, 40000])))
    os.fsync(fd)
    os.unlink(g.p(n))
    how = durable(g, os.path.dirname(n) or '.')
    if g.rnd.random() < 0.4:	# the program goes on writing to it
        os.pwrite(fd, g.data(3000), 8192)
        os.fsync(fd)
        how += '+write'
    return 'open-unlink %s (%s)' % (n, how)


def w_tmpfile(g):
    d = g.rnd.choice(g.dirs())
    fd = os.open(g.p(d), os.O_TMPFILE | os.O_RDWR, 0o600)
    try:
        os.write(fd, g.data(g.rnd.choice([10, 3000, 20000])))
        os.fsync(fd)
    except OSError:
        os.close(fd)
        raise
    if g.rnd.random() < 0.3:	# never linked: an orphan at the cut
        g.held.append(fd)
        how = durable(g, d)
        return 'tmpfile in %s, kept open (%s)' % (d, how)
    n = g.newname(d)
    # linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N (os.link calls link())
    r = libc.linkat(AT_FDCWD, b'/proc/self/fd/%d' % fd, AT_FDCWD,
                    g.p(n).encode(), AT_SYMLINK_FOLLOW)
    e = ctypes.get_errno()
    os.close(fd)
    if r != 0:
        raise OSError(e, os.strerror(e))
    g.fsync_path(n)
    return 'tmpfile+linkat %s' % n


def w_atomic_save(g):
    t = g.pick_file()
    if t is None:
        return g.op_create()
    d = os.path.dirname(t) or '.'
    tmp = os.path.join(d, '.%s.tmp%d' % (os.path.basename(t), g.nop))
    with open(g.p(tmp), 'wb') as f:
        f.write(g.data(g.rnd.choice([50, 2000, 9000])))
        f.flush()
        os.fsync(f.fileno())
    os.rename(g.p(tmp), g.p(t))
    g.fsync_path(d)
    return 'atomic-save %s' % t


def w_fdatasync(g):
    def fn(f, fd, sz):
        off = g.rnd.choice([sz, g.rnd.randrange(sz + 1)])
        n = os.pwrite(fd, g.data(g.rnd.choice([1, 700, 5000])), off)
        os.fdatasync(fd)
        if off + n <= sz:
            # the size did not change: fdatasync leaves the new mtime
            # behind (not data), the live tree would not be the oracle
            os.fsync(fd)
        return 'fdatasync %s @%d' % (f, off)
    return g.with_file(fn)


def w_direct(g):
    def fn(f, fd, sz):
        n = 4096 * g.rnd.choice([1, 2, 5])
        with mmap.mmap(-1, n) as buf:	# page aligned, as O_DIRECT wants
            buf.write(g.data(n))
            off = (sz + 4095) // 4096 * 4096
            if g.rnd.random() < 0.5 and sz >= 4096:
                off = g.rnd.randrange(sz // 4096) * 4096
            os.pwrite(fd, buf, off)
        os.fsync(fd)
        return 'odirect %s %d@%d' % (f, n, off)
    return g.with_file(fn, os.O_DIRECT)


def w_mmap(g):
    def fn(f, fd, sz):
        if sz < 100:
            sz = 9000
            os.ftruncate(fd, sz)
        off = g.rnd.randrange(sz)
        d = g.data(min(3000, sz - off))
        with mmap.mmap(fd, sz) as m:
            m[off:off + len(d)] = d
            m.flush()		# msync(MS_SYNC)
        # msync is a datasync (vfs_fsync_range(..., 1)): the mtime the
        # write fault set stays behind when the size does not change,
        # and the live tree would not be the oracle (as w_fdatasync)
        os.fsync(fd)
        return 'mmap+msync %s %d@%d' % (f, len(d), off)
    return g.with_file(fn)


def w_exchange(g):
    a, b = g.pick_file(), g.pick_file()
    if g.rnd.random() < 0.3:	# a file with a directory
        ds = [d for d in g.dirs() if d != '.']
        b = g.rnd.choice(ds) if ds else b
    if a is None or b is None or a == b or \
       b.startswith(a + '/') or a.startswith(b + '/'):
        return g.op_create()
    if libc.renameat2(AT_FDCWD, g.p(a).encode(), AT_FDCWD, g.p(b).encode(),
                      RENAME_EXCHANGE) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    how = durable(g, os.path.dirname(a) or '.')
    return 'rename-exchange %s %s (%s)' % (a, b, how)


def w_range(g):
    def fn(f, fd, sz):
        bs = g.prof['bs']
        if sz < 6 * bs:
            os.pwrite(fd, g.data(6 * bs - sz), sz)
            os.fsync(fd)	# durable even if the range op fails
            sz = 6 * bs
        nb = sz // bs
        mode = g.rnd.choice([FALLOC_ZERO, FALLOC_COLLAPSE, FALLOC_INSERT])
        off = g.rnd.randrange(nb - 2) * bs
        ln = g.rnd.choice([1, 2]) * bs
        if mode == FALLOC_ZERO:
            off += g.rnd.randrange(bs)	# need not be aligned
            ln += g.rnd.choice([0, 100])
        fallocate(fd, mode, off, ln)
        os.fsync(fd)
        name = {FALLOC_ZERO: 'zero', FALLOC_COLLAPSE: 'collapse',
                FALLOC_INSERT: 'insert'}[mode]
        return '%s-range %s %d+%d' % (name, f, off, ln)
    return g.with_file(fn)


def w_chown(g):
    if g.rnd.random() < 0.5:
        return g.op_attr()
    ds = [d for d in g.dirs() if d != '.']
    if not ds:
        return g.op_mkdir()
    d = g.rnd.choice(ds)
    u, gid = g.rnd.randrange(5000), g.rnd.randrange(5000)
    os.chown(g.p(d), u, gid)
    # a fast commit of another file does not carry a directory's
    # attributes: fsync the directory itself
    g.fsync_path(d)
    return 'chown %s %d:%d' % (d, u, gid)


def w_fragment(g):
    """one block in two punched out: an extent per block left, a tree
    one level deep (two on 1k blocks)"""
    n = g.newname()
    bs = g.prof['bs']
    nb = 700 if bs == 1024 else g.rnd.choice([60, 200])
    with open(g.p(n), 'wb') as f:
        f.write(g.data(nb * bs))
        f.flush()
        os.fsync(f.fileno())
        try:
            for i in range(1, nb, 2):
                fallocate(f.fileno(), FALLOC_PUNCH, i * bs, bs)
        finally:
            os.fsync(f.fileno())
    return 'fragment %s %d blocks' % (n, nb)


def w_deepdir(g):
    d = os.path.join(g.rnd.choice(g.dirs()), 'deep%d' % g.nop)
    d = os.path.normpath(os.path.join(d, *['l%d' % i for i in
                                          range(g.rnd.choice([8, 25]))]))
    os.makedirs(g.p(d))
    n = os.path.join(d, 'leaf')
    with open(g.p(n), 'wb') as f:
        f.write(g.data(300))
        f.flush()
        os.fsync(f.fileno())
    return 'deepdir %s' % n


def w_far(g):
    def fn(fd, sz):
        off = sz + g.rnd.choice([8 << 20, 24 << 20])
        os.pwrite(fd, g.data(g.rnd.choice([1, 5000])), off)
        return 'far-sparse @%d' % off
    return g._rw(fn)


REAL_OPS = [('open_unlink', w_open_unlink, 6), ('tmpfile', w_tmpfile, 4),
            ('atomic_save', w_atomic_save, 5), ('fdatasync', w_fdatasync, 4),
            ('direct', w_direct, 3), ('mmap', w_mmap, 3),
            ('exchange', w_exchange, 3), ('range', w_range, 4),
            ('chown', w_chown, 2), ('fragment', w_fragment, 1),
            ('deepdir', w_deepdir, 2), ('far', w_far, 2)]


def op_table(mix):
    """[(name, fn(g), weight)] of a --mix"""
    base = [(n, (lambda name: lambda g: getattr(g, 'op_' + name)())(n), w)
            for n, w in Gen.OPS]
    if mix == 'base':
        return base
    if mix == 'real':
        return REAL_OPS
    return base + REAL_OPS



def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int)
    ap.add_argument('--profile')
    ap.add_argument('--out')
    ap.add_argument('--list-profiles', action='store_true')
    ap.add_argument('--variant', nargs=2, metavar=('NAME', 'I'))
    ap.add_argument('--ops', type=int, default=20)
    ap.add_argument('--snaps', type=int, default=1)
    ap.add_argument('--fill', action='store_true')
    ap.add_argument('--mix', choices=('base', 'real', 'all'), default='base',
                    help='operations: the base set, the workloads of real '
                    'systems, or both')
    a = ap.parse_args()
    if a.list_profiles:
        for n, v in PROFILES.items():
            print('%-18s %s' % (n, ' '.join(v)))
        return 0
    if a.variant:
        print(profile_variant(a.variant[0], int(a.variant[1])))
        return 0
    if a.seed is None or not a.profile or not a.out:
        ap.error('--seed, --profile and --out are required')
    # SIGTERM (a timeout) still unmounts and detaches what we set up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    prof = parse_profile(a.profile)
    prof['name'] = a.profile
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='h9-gen-')
    g = Gen(a.seed, prof, a.out, tmp)
    g.ops = op_table(a.mix)
    rnd = random.Random(a.seed ^ 0x5eed)
    points = set(rnd.sample(range(1, a.ops), min(a.snaps - 1, a.ops - 1)))
    points.add(a.ops)
    try:
        g.mkfs()
        g.setup()
        for i in range(1, a.ops + 1):
            g.one_op(a.fill)
            if i in points:
                print(g.snapshot())
    finally:
        g.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
