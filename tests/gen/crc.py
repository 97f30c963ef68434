# SPDX-License-Identifier: GPL-2.0-or-later
"""crc.py -- the checksums the test generators reseal what they change
with: crc32c (Castagnoli, reflected; ext4 metadata_csum and the fast-commit
TAIL, raw: no pre- or post-inversion here) and crc16 (the ANSI one,
reflected; ext4 group descriptors without metadata_csum)."""


def _table(poly):
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (poly if c & 1 else 0)
        t.append(c)
    return t


_T32 = _table(0x82F63B78)
_T16 = _table(0xA001)


def _run(table, crc, data):
    for b in data:
        crc = table[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def crc32c(crc, data):
    return _run(_T32, crc, data)


def crc16(crc, data):
    return _run(_T16, crc, data)
