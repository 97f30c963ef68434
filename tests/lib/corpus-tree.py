#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""corpus-tree.py -- the installed Python module against the kernel.

usage: corpus-tree.py CASE-DIR...   (tests/kernel/corpus/<case>)

For each kernel-made crash image: unpack it (and its external journal)
into a scratch directory, open it with e2fc.Image, replay in memory,
walk the replayed tree with listdir/stat/read/readlink only, print it in
the format of the case's listing (tests/tools/e2fc-listing.c: names,
types, modes, links, owners, sizes, mtimes, content digests, symlink
targets' digests) and compare with the kernel's tree (listing; or the
live tree, file live, where the case has one and e2fc equals it), then
check the image's bytes did not change.  Uses nothing of the build tree:
run it with the installed module on sys.path.  Prints "PASS: case" or
"FAIL: case: why" per case; exit 1 if any failed.
"""

import gzip
import hashlib
import os
import shutil
import stat
import sys
import tempfile

import e2fc

TYPES = {stat.S_IFREG: "f", stat.S_IFDIR: "d", stat.S_IFLNK: "l",
         stat.S_IFIFO: "p", stat.S_IFCHR: "c", stat.S_IFBLK: "b",
         stat.S_IFSOCK: "s"}


def quote(path):
    out = []
    for c in os.fsencode(path):
        if c <= 0x20 or c >= 0x7f or c == 0x5c:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def line(img, path):
    st = img.stat(path)
    t = TYPES.get(stat.S_IFMT(st.st_mode), "?")
    fields = [quote(path), t, "%o" % (st.st_mode & 0o7777), str(st.st_nlink),
              str(st.st_uid), str(st.st_gid)]
    if t == "d":
        return fields
    digest = "-"
    if t == "f":
        digest = hashlib.sha1(img.read(path)).hexdigest()[:16]
    elif t == "l":
        target = os.fsencode(img.readlink(path))
        digest = hashlib.sha1(target).hexdigest()[:16]
    return fields + [str(st.st_size), str(st.st_mtime_ns), digest]


def walk(img):
    lines, todo = [], ["/"]
    while todo:
        d = todo.pop()
        lines.append(line(img, d))
        for name in img.listdir(d):
            p = (d if d != "/" else "") + "/" + name
            if stat.S_ISDIR(img.stat(p).st_mode):
                todo.append(p)
            else:
                lines.append(line(img, p))
    lines.sort(key=lambda f: os.fsencode(f[0]))
    return ["\t".join(f) for f in lines]


def unpack(case, tmp):
    paths = {}
    for name in ("image", "journal"):
        src = os.path.join(case, name + ".gz")
        if os.path.exists(src):
            paths[name] = os.path.join(tmp, name)
            with gzip.open(src) as i, open(paths[name], "wb") as o:
                shutil.copyfileobj(i, o)
    return paths["image"], paths.get("journal")


def sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def want(case, name):
    p = os.path.join(case, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return f.read().splitlines()


def check(case, tmp):
    image, journal = unpack(case, tmp)
    before = [sha1(p) for p in (image, journal) if p]
    with e2fc.Image(image, journal) as img:
        img.replay()
        got = walk(img)
    after = [sha1(p) for p in (image, journal) if p]
    if before != after:
        return "the image changed"
    if got == want(case, "listing") or got == want(case, "live"):
        return None
    for a, b in zip(want(case, "listing") + [""] * len(got), got):
        if a != b:
            return "listing differs: want %r, got %r" % (a, b)
    return "listing differs in length"


def main(cases):
    failed = 0
    for case in cases:
        name = os.path.basename(os.path.normpath(case))
        tmp = tempfile.mkdtemp(prefix="e2fc-tree.")
        try:
            why = check(case, tmp)
        except Exception as e:   # one case's error must not stop the rest
            why = "%s: %s" % (type(e).__name__, e)
        finally:
            shutil.rmtree(tmp)
        if why:
            failed += 1
            print("FAIL: %s: %s" % (name, why))
        else:
            print("PASS: %s" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[2])
    sys.exit(main(sys.argv[1:]))
