#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-seeds.py OUTDIR [BASE_IMAGE_GZ] -- seed corpora for the harnesses.

From every kernel-made image of tests/kernel/corpus (the journal is read
with debugfs's dump_inode <8>):
  fc_scan/   header (block size code, expected tid) + the written FC area
  log_scan/  the journal from block 0 to its last written log block
  recover/   for the base image only: its FC area (mode 0), its log from
             s_start (mode 1) and its first blocks (mode 2), see
             recover_fuzz.c
"""
import gzip, os, struct, subprocess, sys, tempfile

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.path.join(SRC, "tests", "kernel", "corpus")


def journal_of(image_gz, tmp):
    img = os.path.join(tmp, "img")
    jnl = os.path.join(tmp, "jnl")
    with gzip.open(image_gz) as f, open(img, "wb") as o:
        o.write(f.read())
    subprocess.run(["debugfs", "-R", "dump_inode <8> " + jnl, img],
                   check=True, capture_output=True)
    with open(jnl, "rb") as f:
        return f.read()


def geometry(j):
    be = lambda off: struct.unpack(">I", j[off:off + 4])[0]
    if len(j) < 1024 or be(0) != 0xC03B3998:
        return None
    bs, maxlen, first, start = be(12), be(16), be(20), be(28)
    incompat = be(40) if be(4) == 4 else 0
    nfc = 0
    if incompat & 0x20:
        nfc = be(0x54) or 256
    return dict(bs=bs, maxlen=maxlen, first=first, start=start,
                fc_first=maxlen - nfc + 1 if nfc else maxlen)


def trim(b, bs):
    n = len(b)
    while n >= bs and not any(b[n - bs:n]):
        n -= bs
    return b[:n]


def seeds_of(j, g):
    bs = g["bs"]
    fc = trim(j[g["fc_first"] * bs:g["maxlen"] * bs], bs)
    log = trim(j[:g["fc_first"] * bs - bs], bs)
    code = {1024: 0, 2048: 1, 4096: 2, 8192: 3}.get(bs, 0)
    out = {}
    if len(fc) >= 12:
        tid = struct.unpack("<I", fc[8:12])[0]
        out["fc_scan"] = bytes([code]) + struct.pack("<I", tid) + fc
    if len(log) <= 4 << 20:
        out["log_scan"] = log
    out["recover"] = [b"\0\1" + fc, b"\1\0" + trim(
        j[g["start"] * bs:g["fc_first"] * bs - bs], bs)[:256 << 10],
        b"\2\0" + j[:8 * bs]]
    return out


def main():
    outdir = sys.argv[1]
    base = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    for h in ("fc_scan", "log_scan", "recover"):
        os.makedirs(os.path.join(outdir, h), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(CORPUS)):
            gz = os.path.join(CORPUS, name, "image.gz")
            if not os.path.exists(gz):
                continue
            j = journal_of(gz, tmp)
            g = geometry(j)
            if not g:
                continue
            s = seeds_of(j, g)
            for h in ("fc_scan", "log_scan"):
                if h in s:
                    with open(os.path.join(outdir, h, name), "wb") as f:
                        f.write(s[h])
            if base and os.path.abspath(gz) == base:
                for i, b in enumerate(s["recover"]):
                    p = os.path.join(outdir, "recover", "%s-%d" % (name, i))
                    with open(p, "wb") as f:
                        f.write(b)


main()
