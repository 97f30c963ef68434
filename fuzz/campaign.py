#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""campaign.py -- mutation campaign of the journal and FC area over the
kernel-made corpus, judged by e2fsck -fn.

Each sample takes one image of tests/kernel/corpus and changes it one way:
  fc     the TLVs of the replayable commits re-laid out after changes to
         their values or their order (tags dropped, doubled, moved, values
         set to inode and block numbers that matter), TAIL crcs fixed
  flip   random bytes of the used FC blocks changed, TAIL crcs fixed
  log    random bytes of the jbd2 log (s_start on) changed, nothing fixed
then runs  e2fsck-fc -fy -E journal_only --output COPY IMAGE  and checks:
  - it ends within the time limit, without a signal, exit 0, 4 or 8;
  - IMAGE is byte-identical afterwards;
  - when the recovery reported success (exit 0), `e2fsck -fn COPY` is
    clean (exit 0).  A log change in a journal without checksums writes
    what the log says, as the kernel would: such a sample is counted
    ("log-unchecked"), not a finding.
Findings are grouped by class (the first e2fsck complaint, numbers taken
out) and the first KEEP samples of each class are kept with a note.

  fuzz/campaign.py [-n SAMPLES] [-s SEED] [--keep DIR] [--mode fc,flip,log]
                   [--e2fsck-fc PATH] [--cases GLOB] [-j JOBS]
                   [--results FILE]
"""
import argparse
import fnmatch
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(TOP, "tests", "kernel", "corpus")

TAG_ADD, TAG_DEL, TAG_CREAT, TAG_LINK, TAG_UNLINK = 1, 2, 3, 4, 5
TAG_INODE, TAG_PAD, TAG_TAIL, TAG_HEAD = 6, 7, 8, 9

# ---- crc32c (raw: no inversion), as the FC TAIL uses it -------------------

def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t

CRC_T = _crc_table()


def crc32c(crc, data):
    t = CRC_T
    for b in data:
        crc = t[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def fix_tail_crcs(area, bs):
    """walk the TLVs block by block as the scan does; rewrite each TAIL crc"""
    crc = 0
    for base in range(0, len(area) - bs + 1, bs):
        off = 0
        while off + 4 <= bs:
            tag, ln = struct.unpack_from("<HH", area, base + off)
            if not tag and not ln:
                crc = 0
                break
            if off + 4 + ln > bs:
                crc = 0
                break
            p = base + off
            if tag == TAG_TAIL and ln >= 8:
                crc = crc32c(crc, area[p:p + 8])
                struct.pack_into("<I", area, p + 8, crc)
                crc = 0
            else:
                crc = crc32c(crc, area[p:p + 4 + ln])
            off += 4 + ln


def parse_commits(area, bs):
    """the commits of an area: lists of (tag, value) without PAD; a commit
    ends at its TAIL (its tid kept as the TAIL's value)"""
    commits, cur = [], []
    for base in range(0, len(area) - bs + 1, bs):
        off = 0
        while off + 4 <= bs:
            tag, ln = struct.unpack_from("<HH", area, base + off)
            if (not tag and not ln) or off + 4 + ln > bs:
                return commits
            val = bytes(area[base + off + 4:base + off + 4 + ln])
            if tag == TAG_TAIL:
                cur.append((tag, val[:8]))
                commits.append(cur)
                cur = []
            elif tag != TAG_PAD:
                cur.append((tag, val))
            off += 4 + ln
    return commits


def lay_out(commits, bs, nblocks):
    """the commits as the kernel writes them: a tag that does not fit in
    what is left of a block is preceded by a PAD to the block's end; a
    TAIL fills its block (its value: tid, crc, then zeros)"""
    out = bytearray()

    def room():
        return bs - len(out) % bs

    def pad():
        r = room()
        if r >= 4:
            out.extend(struct.pack("<HH", TAG_PAD, r - 4))
            out.extend(b"\0" * (r - 4))
        else:
            out.extend(b"\0" * r)

    for c in commits:
        for tag, val in c:
            if tag == TAG_TAIL:
                if room() < 12:
                    pad()
                ln = room() - 4
                out.extend(struct.pack("<HH", TAG_TAIL, ln))
                out.extend(val[:4].ljust(ln, b"\0"))
                continue
            if 4 + len(val) > bs:
                continue
            if room() < 4 + len(val):
                pad()
            out.extend(struct.pack("<HH", tag, len(val)))
            out.extend(val)
    limit = nblocks * bs
    if len(out) > limit:
        return None
    out.extend(b"\0" * (limit - len(out)))
    return out

# ---- one corpus image ------------------------------------------------------

class Case:
    def __init__(self, name, dump_bin):
        self.name = name
        d = os.path.join(CORPUS, name)
        with open(os.path.join(d, "image.gz"), "rb") as f:
            self.gz = f.read()	# kept small: unpacked for each sample
        self.image = gzip.decompress(self.gz)
        self.tmp = tempfile.mkdtemp(prefix="e2fc-campaign-")
        path = os.path.join(self.tmp, "base")
        with open(path, "wb") as f:
            f.write(self.image)
        js = json.loads(subprocess.run(
            [dump_bin, "--json", path], capture_output=True,
            check=False).stdout or b"{}")
        jn = js.get("journal", {})
        fc = js.get("fast_commit", {})
        self.bs = jn.get("block_size", 0)
        self.csum = "journal_checksum_v3" in jn.get("features", []) or \
                    "journal_checksum_v2" in jn.get("features", [])
        self.fc_off = []	# byte offsets of the FC blocks
        for run in fc.get("block_map", []):
            for i in range(run["count"]):
                self.fc_off.append(run["phys_offset"] + i * self.bs)
        self.jblocks = self.journal_blocks(path)
        self.start = jn.get("start", 0)
        area = self.fc_area(self.image)
        self.commits = parse_commits(area, self.bs) if self.bs else []
        self.replay = fc.get("replay_commits", 0)
        self.values = self.interesting()
        self.image = None
        shutil.rmtree(self.tmp)

    def journal_blocks(self, path):
        r = subprocess.run(["debugfs", "-R", "blocks <8>", path],
                           capture_output=True, text=True, check=False)
        return [int(x) for x in r.stdout.split()]

    def fc_area(self, img):
        return bytearray(b"".join(img[o:o + self.bs] for o in self.fc_off))

    def ok(self):
        return self.bs and self.fc_off and self.commits and self.jblocks

    def interesting(self):
        """numbers that matter on this image: its inodes, blocks, names"""
        sb = self.image[1024:2048]
        inodes, blocks = struct.unpack_from("<II", sb, 0)
        first_data = struct.unpack_from("<I", sb, 20)[0]
        v = {"inodes": inodes, "blocks": blocks,
             "ino": {0, 1, 2, 7, 8, 11, 12, inodes, inodes + 1},
             "blk": {0, 1, first_data, first_data + 1, blocks - 1, blocks,
                     blocks + 1, 0xffffffff}}
        for c in self.commits:
            for tag, val in c:
                if len(val) >= 4 and tag not in (TAG_HEAD, TAG_TAIL):
                    v["ino"].add(struct.unpack_from("<I", val, 0)[0])
                if tag in (TAG_CREAT, TAG_LINK, TAG_UNLINK) and len(val) >= 8:
                    v["ino"].add(struct.unpack_from("<I", val, 4)[0])
                if tag == TAG_ADD and len(val) == 16:
                    p = struct.unpack_from("<I", val, 12)[0]
                    v["blk"].update({p, p + 1, p - 1})
        for b in range(2, 12):		# descriptors, bitmaps, tables
            v["blk"].add(first_data + b)
        v["blk"].update(self.jblocks[:2])
        v["ino"] = sorted(v["ino"])
        v["blk"] = sorted(x & 0xffffffff for x in v["blk"])
        return v

# ---- mutations -------------------------------------------------------------

def pick_num(rng, case, kind):
    v = case.values
    if rng.random() < 0.7:
        return rng.choice(v[kind])
    top = v["inodes"] if kind == "ino" else v["blocks"]
    return rng.randrange(0, top + 2)


def mutate_value(rng, case, tag, val):
    val = bytearray(val)
    n = len(val)
    fields = []
    if tag == TAG_ADD and n == 16:
        fields = [(0, 4, "ino"), (4, 4, "lblk"), (8, 2, "len"),
                  (12, 4, "blk"), (10, 2, "hi")]
    elif tag == TAG_DEL and n == 12:
        fields = [(0, 4, "ino"), (4, 4, "lblk"), (8, 4, "len")]
    elif tag in (TAG_CREAT, TAG_LINK, TAG_UNLINK) and n >= 9:
        fields = [(0, 4, "ino"), (4, 4, "ino"), (8, n - 8, "name")]
    elif tag == TAG_INODE and n >= 132:
        i = 4
        fields = [(0, 4, "ino"), (i + 0, 2, "mode"), (i + 4, 4, "size"),
                  (i + 26, 2, "links"), (i + 28, 4, "nblk"),
                  (i + 32, 4, "flags"), (i + 104, 4, "blk"),
                  (i + 20, 4, "dtime"), (i + 100, 4, "gen"),
                  (i + 108, 4, "sizehi")]
        fields += [(i + 40 + 4 * k, 4, "iblock") for k in range(15)]
    if not fields or rng.random() < 0.15:
        off = rng.randrange(n) if n else 0
        if n:
            val[off] = rng.randrange(256)
        return bytes(val)
    off, size, what = rng.choice(fields)
    if what == "ino":
        x = pick_num(rng, case, "ino")
    elif what in ("blk", "iblock"):
        x = pick_num(rng, case, "blk")
        if what == "iblock" and rng.random() < 0.5:
            x = rng.choice([0xF30A, 0x0004F30A, 0x0001F30A,
                            rng.randrange(1 << 32)])
    elif what == "name":
        nm = bytearray(val[off:off + size])
        k = rng.randrange(len(nm))
        nm[k] = rng.choice([0, ord("/"), ord("."), rng.randrange(256)])
        val[off:off + size] = nm
        return bytes(val)
    elif what == "mode":
        x = rng.choice([0o40755, 0o100644, 0o120777, 0o20644, 0o10644,
                        0o140755, 0, 0xffff, rng.randrange(1 << 16)])
    elif what == "flags":
        x = rng.choice([0, 0x80000, 0x10000000, 0x1000, 0x80000 | 0x1000,
                        0x20, 0x10, rng.randrange(1 << 32)])
    elif what == "links":
        x = rng.choice([0, 1, 2, 65000, 0xffff])
    else:
        x = rng.choice([0, 1, 2, 0x7fff, 0x8000, 0xffff, 0x10000,
                        0x7fffffff, 0xffffffff, rng.randrange(1 << 32)])
    x &= (1 << (8 * size)) - 1
    val[off:off + size] = x.to_bytes(size, "little")
    return bytes(val)


def mutate_fc(rng, case):
    commits = [list(c) for c in case.commits[:max(case.replay, 1)]]
    body = [(ci, ti) for ci, c in enumerate(commits)
            for ti, (tag, _) in enumerate(c)
            if tag not in (TAG_HEAD, TAG_TAIL)]
    if not body:
        return None, "fc-empty"
    ops = []
    for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
        ci, ti = rng.choice(body)
        tag, val = commits[ci][ti]
        r = rng.random()
        if r < 0.6:
            commits[ci][ti] = (tag, mutate_value(rng, case, tag, val))
            ops.append("set-%d" % tag)
        elif r < 0.7:
            del commits[ci][ti]
            ops.append("drop-%d" % tag)
        elif r < 0.85:
            cj = rng.randrange(len(commits))
            tj = rng.randrange(len(commits[cj]))
            if commits[cj][tj][0] == TAG_HEAD:
                tj += 1
            commits[cj].insert(tj, (tag, val))
            ops.append("dup-%d" % tag)
        else:
            cj = rng.randrange(len(commits))
            tj = rng.randrange(len(commits[cj]))
            if commits[cj][tj][0] == TAG_HEAD:
                tj += 1
            del commits[ci][ti]
            commits[cj].insert(min(tj, len(commits[cj]) - 1), (tag, val))
            ops.append("move-%d" % tag)
        body = [(a, b) for a, c in enumerate(commits)
                for b, (t, _) in enumerate(c)
                if t not in (TAG_HEAD, TAG_TAIL)]
        if not body:
            break
    area = lay_out(commits, case.bs, len(case.fc_off))
    if area is None:
        return None, "fc-too-big"
    fix_tail_crcs(area, case.bs)
    return area, "fc " + ",".join(ops)


def mutate_flip(rng, case, base):
    area = case.fc_area(base)
    used = len(lay_out(case.commits, case.bs, len(case.fc_off)).rstrip(b"\0"))
    used = max(used, 1)
    for _ in range(rng.choice([1, 1, 2, 4, 8])):
        area[rng.randrange(used)] = rng.randrange(256)
    fix_tail_crcs(area, case.bs)
    return area, "flip"


def put_area(img, case, area):
    for i, o in enumerate(case.fc_off):
        img[o:o + case.bs] = area[i * case.bs:(i + 1) * case.bs]


def mutate_log(rng, case, img):
    # the log from s_start up to the FC area, as far as the scan reads it:
    # the first 64 blocks from s_start cover the corpus's logs
    if not case.start:
        return None
    last = min(case.start + 64, len(case.jblocks) - len(case.fc_off))
    if last <= case.start:
        return None
    for _ in range(rng.choice([1, 1, 2, 4])):
        jb = rng.randrange(case.start, last)
        off = case.jblocks[jb] * case.bs + rng.randrange(case.bs)
        img[off] = rng.randrange(256)
    return "log"

# ---- one sample ------------------------------------------------------------

def first_complaint(text):
    """the class of an e2fsck -fn output: its first problem line, numbers
    and names taken out"""
    skip = ("Pass ", "e2fsck ", "Checking", "Fix? no", "Clear? no",
            "Ignore", "Recreate", "Salvage", "Relocate", "Connect to")
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith(skip) or s.endswith("files") or \
           "*****" in s or "/" in s[:6] and "files" in s:
            continue
        s = re.sub(r"'[^']*'", "'N'", s)
        s = re.sub(r"\([^)]*\)", "(N)", s)
        s = re.sub(r"0x[0-9a-f]+|\d+", "N", s)
        s = re.sub(r"[+-]N(?: [+-]?N)*", "N", s)
        return s[:90]
    return "unclean, no message"


def run_sample(args, cases, idx):
    rng = random.Random("%d-%d" % (args.seed, idx))
    mode = rng.choice(args.modes)
    if mode != "log":	# an area that replays something
        case = rng.choice([c for c in cases if c.replay] or cases)
    else:
        case = rng.choice(cases)
    base = gzip.decompress(case.gz)
    img = bytearray(base)
    if mode == "fc":
        area, what = mutate_fc(rng, case)
        if area is None:
            return ("skip", case.name, what, None, None)
        put_area(img, case, area)
    elif mode == "flip":
        area, what = mutate_flip(rng, case, base)
        put_area(img, case, area)
    else:
        what = mutate_log(rng, case, img)
        if not what:
            return ("skip", case.name, "log-clean", None, None)
    if bytes(img) == base:
        return ("skip", case.name, "unchanged", None, None)
    t = tempfile.mkdtemp(prefix="e2fc-campaign-")
    try:
        src, out = os.path.join(t, "in"), os.path.join(t, "out")
        with open(src, "wb") as f:
            f.write(img)
        before = hashlib.sha1(img).hexdigest()
        try:
            r = subprocess.run([args.e2fsck_fc, "-fy", "-E", "journal_only",
                                "--output", out, src], capture_output=True,
                               text=True, timeout=args.timeout)
            rc, msg = r.returncode, r.stdout + r.stderr
        except subprocess.TimeoutExpired:
            rc, msg = "timeout", ""
        with open(src, "rb") as f:
            after = hashlib.sha1(f.read()).hexdigest()
        verdict, cls = "ok", None
        if rc == "timeout":
            verdict, cls = "bug", "hang"
        elif rc in (1, 2) and ("Journal checksum error" in msg or
                               "Journal transaction is corrupt" in msg):
            verdict = "csum-failed"	# recovery failed; e2fsck ran
        elif rc < 0 or rc not in (0, 4, 8):
            verdict, cls = "bug", "exit %s" % rc
        elif after != before:
            verdict, cls = "bug", "input changed"
        elif rc == 0 and os.path.exists(out):
            f = subprocess.run(["e2fsck", "-fn", out], capture_output=True,
                               text=True, timeout=args.timeout)
            if f.returncode != 0:
                cls = first_complaint(f.stdout)
                verdict = "bug"
                if mode == "log" and not case.csum:
                    verdict = "log-unchecked"
                msg += "\n--- e2fsck -fn:\n" + f.stdout
        else:
            verdict = "refused" if rc == 4 else "error"
        if verdict == "bug" and args.keep:
            keep(args, case, mode, what, img, cls, msg, idx)
        return (verdict, case.name, what, cls, rc)
    finally:
        shutil.rmtree(t, ignore_errors=True)


kept = {}


def keep(args, case, mode, what, img, cls, msg, idx):
    n = kept.get(cls, 0)
    if n >= args.keep_per_class:
        return
    kept[cls] = n + 1
    d = os.path.join(args.keep, "%05d" % idx)
    os.makedirs(d, exist_ok=True)
    with gzip.open(os.path.join(d, "image.gz"), "wb") as f:
        f.write(bytes(img))
    with open(os.path.join(d, "note"), "w") as f:
        f.write("case %s\nmode %s\nmutation %s\nclass %s\n\n%s\n" %
                (case.name, mode, what, cls, msg))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="samples")
    ap.add_argument("-s", "--seed", type=int, default=1)
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--keep", help="keep findings in this directory")
    ap.add_argument("--keep-per-class", type=int, default=3)
    ap.add_argument("--mode", default="fc,flip,log")
    ap.add_argument("--cases", default="*")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--results", help="append one JSON line per sample")
    ap.add_argument("--e2fsck-fc",
                    default=os.path.join(TOP, "e2fsck", "e2fsck-fc"))
    ap.add_argument("--e2fcdump",
                    default=os.path.join(TOP, "misc", "e2fcdump"))
    args = ap.parse_args()
    args.modes = args.mode.split(",")
    cases = []
    for name in sorted(os.listdir(CORPUS)):
        if not fnmatch.fnmatch(name, args.cases):
            continue
        if not os.path.exists(os.path.join(CORPUS, name, "image.gz")) or \
           os.path.exists(os.path.join(CORPUS, name, "journal.gz")):
            continue	# external journal: not here
        c = Case(name, args.e2fcdump)
        if c.ok():
            cases.append(c)
    print("campaign: %d cases, %d samples, modes %s, seed %d" %
          (len(cases), args.n, args.mode, args.seed), flush=True)
    counts, classes = {}, {}
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for i, res in enumerate(ex.map(lambda k: run_sample(args, cases, k),
                                       range(args.n))):
            verdict, name, what, cls, rc = res
            if args.results:
                with open(args.results, "a") as f:
                    f.write(json.dumps({"i": i, "verdict": verdict,
                                        "case": name, "what": what,
                                        "class": cls, "exit": rc}) + "\n")
            counts[verdict] = counts.get(verdict, 0) + 1
            if cls:
                key = (verdict, cls)
                classes.setdefault(key, []).append("%s: %s" % (name, what))
                if len(classes[key]) == 1:
                    print("  new class [%s] %s  (%s: %s)" %
                          (verdict, cls, name, what), flush=True)
            if (i + 1) % 200 == 0:
                print("  %d samples: %s" % (i + 1, counts), flush=True)
    print("campaign: %s" % counts)
    for (verdict, cls), where in sorted(classes.items()):
        print("  [%s] %4d  %s" % (verdict, len(where), cls))
    return 1 if counts.get("bug") else 0


if __name__ == "__main__":
    sys.exit(main())
