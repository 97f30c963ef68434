#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fuzz-fc.py -- seeded mutation fuzzer of the recovery path (e2fsck-fc and
tests/tools/e2fc-recover, best built with --enable-sanitizers).

  fuzz-fc.py --build DIR --runs N [--seed S] [--classes abcde] [--out DIR]
             SRC...
  fuzz-fc.py --build DIR --replay CASE_DIR      rerun one saved failure
  fuzz-fc.py --build DIR --minimize CASE_DIR    drop patches, same failure

SRC: directories holding image.gz (and journal.gz for an external journal):
tests/kernel/corpus/* and tests/dump-*.  Run i of seed S mutates one SRC
with random.Random("S:i") in one class:

  a  fast-commit tag values, the tag CRC fixed up
  b  group descriptors (locations, flags, counts; checksum fixed or not)
  c  block and inode bitmap blocks (bitmap checksums fixed or not)
  d  the jbd2 superblock and log blocks (checksums fixed or not)
  e  inode table entries of inodes the fast commits name (csum fixed or not)
  x  two to four of the above on one image

Each mutated image is run by e2fsck-fc -y -E journal_only in place, with
--output, and by e2fc-recover --cut-after K followed by a rerun.  A failure
is a sanitizer report, a signal, a timeout (10 s), an exit code outside
{0,1,4,8} (e2fc-recover: {0,8,99}), an error exit without a message, an
exit 4 that changed the image, --output that changed its input or ended
elsewhere than the run in place, a second run that changed the image, or
a cut and rerun that ended elsewhere than the uncut run.  Each
failure is saved under OUT/<signature>-<n>/ as the patch list against the
source (case.json), so that it replays and minimises without the images.
"""
import argparse, gzip, hashlib, json, os, random, shutil, struct, subprocess
import sys, tempfile
from crc import crc16, crc32c


def u16(b, o):
    return struct.unpack_from('<H', b, o)[0]


def u32(b, o):
    return struct.unpack_from('<I', b, o)[0]


def be32(b, o):
    return struct.unpack_from('>I', b, o)[0]


def p16(b, o, v):
    struct.pack_into('<H', b, o, v & 0xffff)


def p32(b, o, v):
    struct.pack_into('<I', b, o, v & 0xffffffff)


def pbe32(b, o, v):
    struct.pack_into('>I', b, o, v & 0xffffffff)


# ---- a parsed source image ----

class Fs:
    def __init__(self, img, jnl, jblocks):
        self.img, self.jnl, self.jblocks = img, jnl, jblocks
        sb = 1024
        self.bs = 1024 << u32(img, sb + 0x18)
        self.nblocks = u32(img, sb + 4)
        self.ninodes = u32(img, sb)
        self.first_data = u32(img, sb + 0x14)
        self.bpg = u32(img, sb + 0x20)
        self.ipg = u32(img, sb + 0x28)
        self.isize = u16(img, sb + 0x58) if u32(img, sb + 0x4c) else 128
        self.compat = u32(img, sb + 0x5c)
        self.incompat = u32(img, sb + 0x60)
        self.rocompat = u32(img, sb + 0x64)
        self.bit64 = bool(self.incompat & 0x80)
        self.dsize = u16(img, sb + 0xfe) if self.bit64 else 32
        self.mcsum = bool(self.rocompat & 0x400)
        self.gdtcsum = bool(self.rocompat & 0x10)
        self.uuid = bytes(img[sb + 0x68:sb + 0x78])
        if self.incompat & 0x2000:
            self.seed = u32(img, sb + 0x270)
        else:
            self.seed = crc32c(0xffffffff, self.uuid)
        self.ngroups = (self.nblocks - self.first_data + self.bpg - 1) \
            // self.bpg
        self.gdt = (self.first_data + 1) * self.bs
        self.jmap = self.journal_map()
        self.jsb = self.jmap[self.jsb_blk] if self.jmap else None

    def journal_map(self):
        """journal block -> (buffer, byte offset)"""
        if self.jnl is not None:
            for b in range(0, 4):
                if be32(self.jnl, b * self.bs) == 0xc03b3998:
                    self.jsb_blk = b
                    n = len(self.jnl) // self.bs
                    return [(self.jnl, i * self.bs) for i in range(n)]
            return None
        self.jsb_blk = 0
        return [(self.img, b * self.bs) for b in self.jblocks] or None

    def gd(self, g):
        return self.gdt + g * self.dsize

    def gd_loc(self, g, lo, hi):
        o = self.gd(g)
        v = u32(self.img, o + lo)
        if self.dsize >= 64:
            v |= u32(self.img, o + hi) << 32
        return v

    def fix_gd(self, g):
        o = self.gd(g)
        d = self.img
        if self.mcsum:
            p16(d, o + 0x1e, 0)
            c = crc32c(self.seed, struct.pack('<I', g))
            c = crc32c(c, d[o:o + self.dsize])
            p16(d, o + 0x1e, c & 0xffff)
        elif self.gdtcsum:
            c = crc16(0xffff, self.uuid)
            c = crc16(c, struct.pack('<I', g))
            c = crc16(c, d[o:o + 0x1e])
            if self.dsize > 32:
                c = crc16(c, d[o + 0x20:o + self.dsize])
            p16(d, o + 0x1e, c)

    def fix_bitmaps(self, g):
        if not self.mcsum:
            return
        o = self.gd(g)
        d = self.img
        bb = self.gd_loc(g, 0, 0x20) * self.bs
        ib = self.gd_loc(g, 4, 0x24) * self.bs
        if bb + self.bs <= len(d):
            c = crc32c(self.seed, d[bb:bb + self.bpg // 8])
            p16(d, o + 0x18, c)
            if self.dsize >= 64:
                p16(d, o + 0x38, c >> 16)
        if ib + self.bs <= len(d):
            c = crc32c(self.seed, d[ib:ib + self.ipg // 8])
            p16(d, o + 0x1a, c)
            if self.dsize >= 64:
                p16(d, o + 0x3a, c >> 16)

    def inode_off(self, ino):
        g, i = divmod(ino - 1, self.ipg)
        if g >= self.ngroups:
            return None
        o = self.gd_loc(g, 8, 0x28) * self.bs + i * self.isize
        return o if o + self.isize <= len(self.img) else None

    def fix_inode(self, ino):
        o = self.inode_off(ino)
        if not self.mcsum or o is None:
            return
        d = self.img
        p16(d, o + 0x7c, 0)
        hi = self.isize > 128 and u16(d, o + 0x80) >= 4
        if hi:
            p16(d, o + 0x82, 0)
        c = crc32c(self.seed, struct.pack('<I', ino))
        c = crc32c(c, d[o + 0x64:o + 0x68])
        c = crc32c(c, d[o:o + self.isize])
        p16(d, o + 0x7c, c)
        if hi:
            p16(d, o + 0x82, c >> 16)

    # ---- the journal ----
    def jblock(self, n):
        if n >= len(self.jmap):
            return None, None
        return self.jmap[n]

    def jsb_fields(self):
        buf, o = self.jsb
        return dict(maxlen=be32(buf, o + 0x10), first=be32(buf, o + 0x14),
                    seq=be32(buf, o + 0x18), start=be32(buf, o + 0x1c),
                    incompat=be32(buf, o + 0x28),
                    nfc=be32(buf, o + 0x54))

    def jseed(self):
        buf, o = self.jsb
        return crc32c(0xffffffff, buf[o + 0x30:o + 0x40])

    def fix_jsb(self):
        buf, o = self.jsb
        if not be32(buf, o + 0x28) & 0x18:	# csum v2/v3
            return
        pbe32(buf, o + 0xfc, 0)
        pbe32(buf, o + 0xfc, crc32c(0xffffffff, buf[o:o + 1024]))

    def fc_blocks(self):
        f = self.jsb_fields()
        if not f['incompat'] & 0x20:
            return []
        nfc = f['nfc'] or 256
        first = max(f['maxlen'] - nfc + 1, 1)
        return [self.jmap[n] for n in range(first, min(f['maxlen'],
                                                         len(self.jmap)))]


def fc_walk(fs):
    """[(buf, off, tag, len)] over the fast-commit area, block by block"""
    tags = []
    for buf, bo in fs.fc_blocks():
        pos, n = bo, 0
        while pos + 4 <= bo + fs.bs:
            tag, ln = struct.unpack_from('<HH', buf, pos)
            if tag < 1 or tag > 9 or pos + 4 + ln > bo + fs.bs:
                break
            tags.append((buf, pos, tag, ln))
            pos += 4 + ln
            n += 1
        if n == 0:
            break
    return tags


def fc_good_tails(fs, tags):
    """offsets of TAIL tags whose CRC is right in the source"""
    good, crc = set(), 0
    for buf, pos, tag, ln in tags:
        if tag == 8:
            crc = crc32c(crc, buf[pos:pos + 8])
            if ln >= 8 and u32(buf, pos + 8) == crc:
                good.add(pos)
            crc = 0
        else:
            crc = crc32c(crc, buf[pos:pos + 4 + ln])
    return good


def fc_fix_crcs(fs, good):
    crc = 0
    for buf, pos, tag, ln in fc_walk(fs):
        if tag == 8:
            crc = crc32c(crc, buf[pos:pos + 8])
            if pos in good and ln >= 8:
                p32(buf, pos + 8, crc)
            crc = 0
        else:
            crc = crc32c(crc, buf[pos:pos + 4 + ln])


def fc_inodes(fs, tags):
    inos = set()
    for buf, pos, tag, ln in tags:
        v = pos + 4
        if tag in (1, 2, 6) and ln >= 4:
            inos.add(u32(buf, v))
        if tag in (3, 4, 5) and ln >= 8:
            inos.add(u32(buf, v))
            inos.add(u32(buf, v + 4))
    return sorted(i for i in inos if 0 < i <= fs.ninodes)


# ---- mutations ----

def pick_val(r, fs, old, bits=32):
    m = (1 << bits) - 1
    c = r.randrange(14)
    if c == 0:
        return 0
    if c == 1:
        return m
    if c == 2:
        return old ^ (1 << r.randrange(bits))
    if c == 3:
        return (old + r.choice((-2, -1, 1, 2))) & m
    if c == 4:
        return r.choice((1, 2, 7, 8, 11, 12)) & m
    if c == 5:
        return (fs.nblocks + r.randrange(-2, 3)) & m
    if c == 6:
        return (fs.ninodes + r.randrange(-1, 3)) & m
    if c == 7:
        return 1 << r.randrange(bits)
    if c == 8:
        return r.randrange(fs.nblocks) & m
    if c == 9:
        return (fs.first_data + r.randrange(3)) & m
    if c == 10:
        return (1 << (bits - 1)) | r.randrange(8)
    if c == 11:
        return (fs.bpg * r.randrange(1, 4) + r.randrange(-1, 2)) & m
    return r.getrandbits(bits)


def mut_a(r, fs, log):
    tags = fc_walk(fs)
    if not tags:
        return False
    good = fc_good_tails(fs, tags)
    for _ in range(r.choice((1, 1, 1, 2, 3))):
        buf, pos, tag, ln = r.choice(tags)
        v = pos + 4
        k = r.randrange(10)
        if k == 0:		# the tag length
            nl = pick_val(r, fs, ln, 16) if r.randrange(2) else \
                max(0, ln + r.randrange(-8, 9))
            p16(buf, pos + 2, nl)
            log.append('a: tag %d len %d -> %d' % (tag, ln, nl & 0xffff))
            continue
        if k == 1:		# the tag type
            nt = r.randrange(0, 11)
            p16(buf, pos, nt)
            log.append('a: tag %d -> %d' % (tag, nt))
            continue
        if ln < 4:
            continue
        if tag == 6 and k >= 5 and ln > 8:	# raw inode bytes
            fields = [(0, 16), (2, 16), (4, 32), (0x1a, 16), (0x1c, 32),
                      (0x20, 32), (0x28, 16), (0x2a, 16), (0x2c, 16),
                      (0x2e, 16), (0x30, 32), (0x34, 32), (0x38, 32),
                      (0x6c, 32), (0x68, 32), (0x80, 16)]
            fo, fb = r.choice(fields)
            fo += 4
            if fo + fb // 8 <= ln:
                at = v + fo
                old = u16(buf, at) if fb == 16 else u32(buf, at)
                nv = pick_val(r, fs, old, fb)
                if fo == 0x2c and r.randrange(2):
                    nv = r.choice((0xf30a, 0x0a0f, 0))
                (p16 if fb == 16 else p32)(buf, at, nv)
                log.append('a: INODE +0x%x %d -> %d' % (fo - 4, old, nv))
            continue
        fo = r.randrange(0, max(1, min(ln, 16)) // 4 * 4 or 1, 4) \
            if ln >= 4 else 0
        if tag in (1,) and r.randrange(2):	# ext4_extent
            fo, fb = r.choice([(4, 32), (8, 16), (10, 16), (12, 32)])
        else:
            fb = 32
        if fo + fb // 8 > ln:
            continue
        at = v + fo
        old = u16(buf, at) if fb == 16 else u32(buf, at)
        nv = pick_val(r, fs, old, fb)
        (p16 if fb == 16 else p32)(buf, at, nv)
        log.append('a: tag %d +%d %d -> %d' % (tag, fo, old, nv))
    fc_fix_crcs(fs, good)
    return True


GD_FIELDS = [(0, 32, 'block_bitmap'), (4, 32, 'inode_bitmap'),
             (8, 32, 'inode_table'), (0xc, 16, 'free_blocks'),
             (0xe, 16, 'free_inodes'), (0x10, 16, 'used_dirs'),
             (0x12, 16, 'flags'), (0x1c, 16, 'itable_unused'),
             (0x18, 16, 'bbitmap_csum'), (0x1a, 16, 'ibitmap_csum')]
GD_FIELDS64 = [(0x20, 32, 'block_bitmap_hi'), (0x24, 32, 'inode_bitmap_hi'),
               (0x28, 32, 'inode_table_hi'), (0x2c, 16, 'free_blocks_hi')]


def mut_b(r, fs, log):
    d = fs.img
    for _ in range(r.choice((1, 1, 2, 3))):
        g = r.randrange(fs.ngroups)
        o = fs.gd(g)
        fl = GD_FIELDS + (GD_FIELDS64 if fs.dsize >= 64 and
                          r.randrange(4) == 0 else [])
        fo, fb, name = r.choice(fl)
        old = u16(d, o + fo) if fb == 16 else u32(d, o + fo)
        if name == 'flags':
            nv = old ^ (1 << r.randrange(3)) if r.randrange(3) else \
                r.getrandbits(16)
        elif name in ('block_bitmap', 'inode_bitmap', 'inode_table') and \
                r.randrange(2):
            other = fs.gd_loc(r.randrange(fs.ngroups),
                              *r.choice([(0, 0x20), (4, 0x24), (8, 0x28)]))
            nv = other + r.randrange(-1, 2)
        else:
            nv = pick_val(r, fs, old, fb)
        (p16 if fb == 16 else p32)(d, o + fo, nv)
        log.append('b: group %d %s %d -> %d' % (g, name, old, nv & 0xffffffff))
        if r.randrange(4):
            fs.fix_gd(g)
            log.append('b: group %d checksum fixed' % g)
    return True


def mut_c(r, fs, log):
    d = fs.img
    g = r.randrange(fs.ngroups)
    which = r.randrange(2)
    blk = fs.gd_loc(g, 0, 0x20) if which == 0 else fs.gd_loc(g, 4, 0x24)
    o = blk * fs.bs
    if o + fs.bs > len(d) or blk == 0:
        return False
    k = r.randrange(6)
    name = 'block' if which == 0 else 'inode'
    if k == 0:
        d[o:o + fs.bs] = b'\0' * fs.bs
        log.append('c: group %d %s bitmap zeroed' % (g, name))
    elif k == 1:
        d[o:o + fs.bs] = b'\xff' * fs.bs
        log.append('c: group %d %s bitmap all ones' % (g, name))
    elif k == 2:
        d[o:o + fs.bs] = bytes(r.getrandbits(8) for _ in range(fs.bs))
        log.append('c: group %d %s bitmap random' % (g, name))
    else:
        n = r.choice((1, 1, 2, 8, 64))
        for _ in range(n):
            bit = r.randrange(fs.bs * 8) if r.randrange(3) == 0 else \
                r.randrange(64 if which else 512)
            d[o + bit // 8] ^= 1 << (bit % 8)
        log.append('c: group %d %s bitmap %d bits flipped' % (g, name, n))
    if r.randrange(2):
        fs.fix_bitmaps(g)
        fs.fix_gd(g)
        log.append('c: group %d bitmap checksums fixed' % g)
    return True


JSB_FIELDS = [(0x10, 'maxlen'), (0x14, 'first'), (0x18, 'sequence'),
              (0x1c, 'start'), (0x54, 'num_fc_blks'), (0x28, 'incompat'),
              (0x0c, 'blocksize'), (0x20, 'errno'), (0x04, 'blocktype')]


def log_blocks(fs):
    f = fs.jsb_fields()
    out = []
    last = min(len(fs.jmap), f['maxlen'])
    for n in range(max(f['first'], 1), last):
        buf, o = fs.jmap[n]
        if be32(buf, o) == 0xc03b3998 and be32(buf, o + 4) in (1, 2, 5):
            out.append(n)
    return out


def fix_log_block(fs, n):
    buf, o = fs.jmap[n]
    if not be32(fs.jsb[0], fs.jsb[1] + 0x28) & 0x18:
        return
    t = be32(buf, o + 4)
    seed = fs.jseed()
    if t in (1, 5):
        e = o + fs.bs - 4
        pbe32(buf, e, 0)
        pbe32(buf, e, crc32c(seed, buf[o:o + fs.bs]))
    elif t == 2:
        pbe32(buf, o + 16, 0)
        pbe32(buf, o + 16, crc32c(seed, buf[o:o + fs.bs]))


def mut_d(r, fs, log):
    buf, o = fs.jsb
    if r.randrange(2):
        fo, name = r.choice(JSB_FIELDS)
        old = be32(buf, o + fo)
        f = fs.jsb_fields()
        c = r.randrange(4)
        if c == 0 and name in ('start', 'first'):
            nv = r.choice((f['maxlen'], f['maxlen'] - 1, f['maxlen'] + 1,
                           f['maxlen'] - f['nfc'], f['maxlen'] - f['nfc'] + 1,
                           0, 1, 2))
        elif c == 0 and name == 'num_fc_blks':
            nv = r.choice((f['maxlen'], f['maxlen'] - 1, f['maxlen'] + 1,
                           f['maxlen'] - 1, 1, 0, 0xffffffff))
        elif c == 0 and name == 'maxlen':
            nv = r.choice((len(fs.jmap), len(fs.jmap) + 1, f['nfc'],
                           f['nfc'] + 1, f['first'], 0))
        elif c == 0 and name == 'incompat':
            nv = old ^ (1 << r.randrange(6))
        else:
            nv = pick_val(r, fs, old, 32)
        pbe32(buf, o + fo, nv)
        log.append('d: jsb %s %d -> %d' % (name, old, nv & 0xffffffff))
        if r.randrange(4):
            fs.fix_jsb()
            log.append('d: jsb checksum fixed')
        return True
    blks = log_blocks(fs)
    if not blks:
        return False
    n = r.choice(blks)
    b, bo = fs.jmap[n]
    t = be32(b, bo + 4)
    k = r.randrange(5)
    if k == 0:
        at, name = bo + 8, 'sequence'
    elif k == 1:
        at, name = bo + 4, 'blocktype'
    elif t == 5:
        at, name = bo + 12, 'r_count'
        if r.randrange(2):
            at, name = bo + 16 + 4 * r.randrange(4), 'revoked block'
    elif t == 1:
        at = bo + 12 + 4 * r.randrange(8)
        name = 'descriptor word'
    else:
        at, name = bo + 12 + 4 * r.randrange(12), 'commit word'
    old = be32(b, at)
    nv = pick_val(r, fs, old, 32)
    pbe32(b, at, nv)
    log.append('d: log block %d (type %d) %s %d -> %d' %
               (n, t, name, old, nv & 0xffffffff))
    if r.randrange(3):
        fix_log_block(fs, n)
        log.append('d: log block %d checksum fixed' % n)
    return True


INODE_FIELDS = [(0, 16, 'mode'), (4, 32, 'size'), (0x6c, 32, 'size_high'),
                (0x1a, 16, 'links'), (0x1c, 32, 'blocks'), (0x20, 32, 'flags'),
                (0x28, 16, 'eh_magic'), (0x2a, 16, 'eh_entries'),
                (0x2c, 16, 'eh_max'), (0x2e, 16, 'eh_depth'),
                (0x34, 32, 'ee_block'), (0x38, 16, 'ee_len'),
                (0x3a, 16, 'ee_start_hi'), (0x3c, 32, 'ee_start'),
                (0x40, 32, 'ee2_block'), (0x44, 16, 'ee2_len'),
                (0x48, 32, 'ee2_start'), (0x80, 16, 'extra_isize'),
                (0x64, 32, 'generation'), (0x68, 32, 'file_acl')]


def mut_e(r, fs, log):
    inos = fc_inodes(fs, fc_walk(fs))
    if not inos:
        return False
    d = fs.img
    ino = r.choice(inos)
    o = fs.inode_off(ino)
    if o is None:
        return False
    for _ in range(r.choice((1, 1, 2, 3))):
        fo, fb, name = r.choice(INODE_FIELDS)
        if fo + fb // 8 > fs.isize:
            continue
        old = u16(d, o + fo) if fb == 16 else u32(d, o + fo)
        if name == 'flags' and r.randrange(2):
            nv = old ^ r.choice((0x80000, 0x10000000, 0x1000, 0x4000000))
        elif name == 'mode' and r.randrange(2):
            nv = (old & 0o7777) | r.choice((0o040000, 0o100000, 0o120000,
                                            0o020000, 0))
        else:
            nv = pick_val(r, fs, old, fb)
        (p16 if fb == 16 else p32)(d, o + fo, nv)
        log.append('e: inode %d %s %d -> %d' % (ino, name, old,
                                                nv & 0xffffffff))
    if r.randrange(4):
        fs.fix_inode(ino)
        log.append('e: inode %d checksum fixed' % ino)
    return True


def mut_x(r, fs, log):
    """two to four of the others on one image"""
    done = 0
    for _ in range(r.randrange(2, 5)):
        done += bool(MUT[r.choice('abcde')](r, fs, log))
    return done > 0


MUT = dict(a=mut_a, b=mut_b, c=mut_c, d=mut_d, e=mut_e, x=mut_x)


# ---- sources and patches ----

_cache = {}


def load_src(src):
    if src not in _cache:
        img = gzip.open(os.path.join(src, 'image.gz')).read()
        jp = os.path.join(src, 'journal.gz')
        jnl = gzip.open(jp).read() if os.path.exists(jp) else None
        jblocks = []
        if jnl is None:
            with tempfile.NamedTemporaryFile(dir='/dev/shm') as t:
                t.write(img)
                t.flush()
                out = subprocess.run(['debugfs', '-R', 'blocks <8>', t.name],
                                     capture_output=True, text=True).stdout
            jblocks = [int(x) for x in out.split()]
        _cache[src] = (img, jnl, jblocks)
    return _cache[src]


def diff(a, b):
    """contiguous changed ranges: [(off, hexbytes)]"""
    out, i, n = [], 0, len(a)
    mv_a, mv_b = memoryview(a), memoryview(b)
    step = 4096
    while i < n:
        if mv_a[i:i + step] == mv_b[i:i + step]:
            i += step
            continue
        end = min(i + step, n)
        j = i
        while j < end:
            if a[j] != b[j]:
                k = j
                while k < end and a[k] != b[k]:
                    k += 1
                out.append((j, bytes(b[j:k]).hex()))
                j = k
            else:
                j += 1
        i = end
    return out


def apply(buf, patches):
    b = bytearray(buf)
    for off, hx in patches:
        v = bytes.fromhex(hx)
        b[off:off + len(v)] = v
    return b


# ---- running ----

TIMEOUT = 10


def run(cmd, env=None):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT,
                           text=True, errors='replace', env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 'timeout', '', ''


def sha(path):
    if not os.path.exists(path):
        return None
    return hashlib.sha1(open(path, 'rb').read()).hexdigest()


def sanitizer(err):
    for key in ('AddressSanitizer', 'LeakSanitizer', 'runtime error:',
                'UndefinedBehaviorSanitizer'):
        if key in err:
            for line in err.splitlines():
                if 'SUMMARY' in line or 'runtime error' in line:
                    return line.strip()
            return key
    return None


def check_runs(case, build, work, cut):
    """run the case; return [(signature, detail)], stats"""
    img, jnl, _ = load_src(case['src'])
    mimg = apply(img, case['img'])
    mjnl = apply(jnl, case['jnl']) if jnl is not None else None
    fsck = os.path.join(build, 'e2fsck/e2fsck-fc')
    rec = os.path.join(build, 'tests/tools/e2fc-recover')
    I, J = os.path.join(work, 'i.img'), os.path.join(work, 'i.j')
    O = os.path.join(work, 'o.img')
    fails, codes = [], []

    def fresh():
        open(I, 'wb').write(mimg)
        if mjnl is not None:
            open(J, 'wb').write(mjnl)

    jopt = ['-j', J] if mjnl is not None else []
    env = dict(os.environ, E2FSCK_FORCE_INTERACTIVE='0')

    def judge(mode, rc, out, err, okset):
        s = sanitizer(err)
        if s:
            fails.append(('san', mode + ': ' + s))
        elif rc == 'timeout':
            fails.append(('hang', mode))
        elif isinstance(rc, int) and rc < 0:
            fails.append(('signal', '%s: signal %d' % (mode, -rc)))
        elif rc not in okset:
            fails.append(('rc%s' % rc, mode + ': ' + (err or out)[-300:]))
        elif rc in (4, 8) and not (err.strip() or out.strip()):
            fails.append(('nomsg', mode))

    # 1. in place
    fresh()
    h0, hj0 = sha(I), sha(J) if mjnl is not None else None
    rc, out, err = run([fsck, '-y', '-E', 'journal_only'] + jopt + [I], env)
    codes.append(('fsck', rc))
    judge('fsck', rc, out, err, (0, 1, 4, 8))
    if rc == 4 and (sha(I) != h0 or
                    (mjnl is not None and sha(J) != hj0)):
        fails.append(('refuse-wrote', 'fsck: exit 4 but the image changed'))
    fixed = sha(I) if rc == 0 else None
    if fixed:	# a second run finds nothing to do
        rc1, out1, err1 = run([fsck, '-y', '-E', 'journal_only'] + jopt +
                              [I], env)
        codes.append(('again', rc1))
        judge('again', rc1, out1, err1, (0, 1))
        if rc1 in (0, 1) and sha(I) != fixed:
            fails.append(('again-wrote', 'fsck: a second run changed it'))
    # 2. --output
    fresh()
    if os.path.exists(O):
        os.unlink(O)
    rc, out, err = run([fsck, '-y', '-E', 'journal_only', '--output', O]
                       + jopt + [I], env)
    codes.append(('output', rc))
    judge('output', rc, out, err, (0, 1, 4, 8))
    if sha(I) != h0 or (mjnl is not None and sha(J) != hj0):
        fails.append(('output-wrote', 'fsck --output changed its input'))
    if rc == 0 and fixed and mjnl is None and sha(O) != fixed:
        fails.append(('output-differs', '--output ends elsewhere than in '
                      'place'))
    # 3. e2fc-recover uncut, then cut and rerun: the same bytes
    fresh()
    rc0, out0, err0 = run([rec] + jopt + [I])
    codes.append(('recover', rc0))
    judge('recover', rc0, out0, err0, (0, 8))
    ref = (sha(I), sha(J) if mjnl is not None else None)
    if rc0 == 0 and fixed and mjnl is None and ref[0] != fixed:
        fails.append(('recover-differs', 'e2fc-recover ends elsewhere '
                      'than e2fsck-fc'))
    w = [l[8:] for l in out0.splitlines() if l.startswith('writes: ')]
    nw = int(w[0]) if w and w[0].isdigit() and int(w[0]) else 40
    cut, cut2 = 1 + cut % nw, 1 + (cut // 7) % nw
    fresh()
    rc, out, err = run([rec] + jopt + ['--cut-after', str(cut), I])
    codes.append(('cut', rc))
    judge('cut', rc, out, err, (0, 8, 99))
    if rc == 99 and cut % 2:	# cut again, in the recovery's recovery
        rc1, out1, err1 = run([rec] + jopt + ['--cut-after', str(cut2), I])
        codes.append(('cut2', rc1))
        judge('cut2', rc1, out1, err1, (0, 8, 99))
    if rc == 99 or rc == 0 or rc == 8:
        rc2, out2, err2 = run([rec] + jopt + [I])
        codes.append(('rerun', rc2))
        judge('rerun', rc2, out2, err2, (0, 8))
        got = (sha(I), sha(J) if mjnl is not None else None)
        if rc == 99 and rc0 == 0 and rc2 == 0 and got != ref:
            fails.append(('cut-diverge', 'cut after %d write(s), rerun: '
                          'not the uncut result' % cut))
        if rc2 == 0:	# and a run after that has nothing to do
            rc3, out3, err3 = run([rec] + jopt + [I])
            codes.append(('rerun2', rc3))
            judge('rerun2', rc3, out3, err3, (0,))
            if (sha(I), sha(J) if mjnl is not None else None) != got:
                fails.append(('rerun-wrote', 'e2fc-recover: a run after '
                              'a recovery changed the image'))
    return fails, codes


def mutate(seed, i, srcs, classes):
    r = random.Random('%s:%d' % (seed, i))
    for _ in range(20):
        src = r.choice(srcs)
        cls = r.choice(classes)
        img, jnl, jb = load_src(src)
        fs = Fs(bytearray(img), bytearray(jnl) if jnl is not None else None,
                jb)
        if fs.jmap is None:
            continue
        log = []
        if not MUT[cls](r, fs, log):
            continue
        case = dict(seed=seed, run=i, src=src, cls=cls, log=log,
                    img=diff(img, fs.img),
                    jnl=diff(jnl, fs.jnl) if jnl is not None else [],
                    cut=r.randrange(1, 1 << 20))
        if not case['img'] and not case['jnl']:
            continue
        return case
    return None


def save(out, sig, case, detail):
    n = 0
    while os.path.exists(os.path.join(out, '%s-%d' % (sig, n))):
        n += 1
    d = os.path.join(out, '%s-%d' % (sig, n))
    os.makedirs(d)
    case = dict(case, detail=detail, sig=sig)
    json.dump(case, open(os.path.join(d, 'case.json'), 'w'), indent=1)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    ap.add_argument('--runs', type=int, default=100)
    ap.add_argument('--start', type=int, default=0)
    ap.add_argument('--seed', default='1')
    ap.add_argument('--classes', default='abcde')
    ap.add_argument('--out', default='/tmp/h5-fuzz')
    ap.add_argument('--replay')
    ap.add_argument('--minimize')
    ap.add_argument('src', nargs='*')
    a = ap.parse_args()
    if not (a.replay or a.minimize or a.src):
        ap.error('no SRC directory given (or --replay/--minimize CASE_DIR)')
    # Fs.journal_map runs debugfs on a file: keep the sources on disk
    work = tempfile.mkdtemp(dir='/dev/shm' if os.path.isdir('/dev/shm')
                            else None)
    try:
        if a.replay or a.minimize:
            d = a.replay or a.minimize
            case = json.load(open(os.path.join(d, 'case.json')))
            fails, codes = check_runs(case, a.build, work, case['cut'])
            print(codes, fails)
            if a.minimize:
                minimize(case, a.build, work, d)
            return
        os.makedirs(a.out, exist_ok=True)
        stats = dict(runs=0, cls={}, rc={}, fails={})
        for i in range(a.start, a.start + a.runs):
            case = mutate(a.seed, i, a.src, a.classes)
            if case is None:
                continue
            fails, codes = check_runs(case, a.build, work, case['cut'])
            c = case['cls']
            stats['cls'][c] = stats['cls'].get(c, 0) + len(codes)
            stats['runs'] += len(codes)
            for m, rc in codes:
                k = '%s:%s' % (m, rc)
                stats['rc'][k] = stats['rc'].get(k, 0) + 1
            seen = set()
            for sig, detail in fails:
                if sig in seen:
                    continue
                seen.add(sig)
                stats['fails'][sig] = stats['fails'].get(sig, 0) + 1
                d = save(a.out, sig, case, detail)
                print('FAIL %s %s %s' % (sig, d, detail[:200]), flush=True)
            if i % 50 == 0:
                print('run %d: %s' % (i, json.dumps(stats)), flush=True)
        print('done: ' + json.dumps(stats), flush=True)
        json.dump(stats, open(os.path.join(a.out, 'stats-%s-%d.json' %
                                           (a.seed, a.start)), 'w'))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def minimize(case, build, work, d):
    """drop patch ranges while the first failure signature stays"""
    fails, _ = check_runs(case, build, work, case['cut'])
    if not fails:
        print('no failure to minimise')
        return
    sig = fails[0][0]
    for key in ('img', 'jnl'):
        i = 0
        while i < len(case[key]):
            trial = dict(case)
            trial[key] = case[key][:i] + case[key][i + 1:]
            f, _ = check_runs(trial, build, work, case['cut'])
            if any(s == sig for s, _ in f):
                case = trial
            else:
                i += 1
    json.dump(case, open(os.path.join(d, 'min.json'), 'w'), indent=1)
    print('minimal: %d image patches, %d journal patches' %
          (len(case['img']), len(case['jnl'])))
    for off, hx in case['img']:
        print('  img 0x%x: %s' % (off, hx))
    for off, hx in case['jnl']:
        print('  jnl 0x%x: %s' % (off, hx))


if __name__ == '__main__':
    main()
