#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""apply.py PATCHES NAME IMAGE: write the bytes of the patch NAME of the
gzip'd PATCHES file ("= name corpus-case" lines, then "offset hex" lines)
into IMAGE, in place.  With NAME "-": print "name case" per patch."""
import gzip
import sys


def patches(path):
    out = []
    for line in gzip.open(path, "rt"):
        f = line.split()
        if f[0] == "=":
            out.append((f[1], f[2], []))
        else:
            out[-1][2].append((int(f[0]), bytes.fromhex(f[1])))
    return out


def main():
    path, name = sys.argv[1], sys.argv[2]
    for pname, case, runs in patches(path):
        if name == "-":
            print(pname, case)
        elif pname == name:
            with open(sys.argv[3], "r+b") as img:
                for off, data in runs:
                    img.seek(off)
                    img.write(data)
            return 0
    return 0 if name == "-" else 1


sys.exit(main())
