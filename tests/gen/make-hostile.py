#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-hostile.py IN.img OUT.img KIND -- patch the first fast commit of a
kernel-made crash image (1k blocks) into hostile input, with a correct CRC,
so that only the replay check can refuse it.

KIND: sb-block   ADD_RANGE maps onto block 1 (superblock, descriptors)
      itable     ADD_RANGE maps onto the first inode table
      past-end   ADD_RANGE maps past the end of the file system
      ino-zero   CREAT names inode 0
      reserved   INODE rewrites reserved inode 7
      acl-itable INODE whose i_file_acl is the first inode table block
      eh-itable  INODE whose extent root maps the first inode table block
"""
import struct, subprocess, sys
from crc import crc32c

src, dst, kind = sys.argv[1:4]
img = bytearray(open(src, 'rb').read())
bs = 1024
blocks = [int(x) for x in subprocess.run(['debugfs', '-R', 'blocks <8>', src],
          capture_output=True, text=True).stdout.split()]
sb = blocks[0] * bs
maxlen, = struct.unpack('>I', img[sb + 0x10:sb + 0x14])
nfc, = struct.unpack('>I', img[sb + 0x54:sb + 0x58])
fc_first = maxlen - (nfc or 256) + 1
off = blocks[fc_first] * bs          # the first commit fits in one block
itable = int(subprocess.run(['dumpe2fs', src], capture_output=True, text=True)
             .stdout.split('Inode table at ')[1].split('-')[0])
nblocks = struct.unpack('<I', img[1024 + 4:1024 + 8])[0]
pos, crc, done = off, 0, False
while pos < off + bs:
    tag, ln = struct.unpack('<HH', img[pos:pos + 4])
    val = pos + 4
    if not done and tag == 1 and kind in ('sb-block', 'itable', 'past-end'):
        pblk = {'sb-block': 1, 'itable': itable, 'past-end': nblocks + 10}[kind]
        img[val + 10:val + 12] = struct.pack('<H', pblk >> 32)
        img[val + 12:val + 16] = struct.pack('<I', pblk & 0xffffffff)
        done = True
    if not done and tag == 3 and kind == 'ino-zero':
        img[val + 4:val + 8] = struct.pack('<I', 0)
        done = True
    if not done and tag == 6 and kind == 'reserved':
        img[val:val + 4] = struct.pack('<I', 7)
        done = True
    if not done and tag == 6 and kind == 'acl-itable':
        img[val + 4 + 0x68:val + 4 + 0x6c] = struct.pack('<I', itable)
        done = True
    if not done and tag == 6 and kind == 'eh-itable':
        # header: magic, 1 entry, max 4, depth 0; entry: lblk 0, len 1
        img[val + 4 + 0x28:val + 4 + 0x34] = struct.pack('<HHHHI', 0xF30A,
                                                         1, 4, 0, 0)
        img[val + 4 + 0x34:val + 4 + 0x40] = struct.pack('<IHHI', 0, 1, 0,
                                                         itable)
        done = True
    if tag == 8:
        crc = crc32c(crc, img[pos:pos + 8])
        img[val + 4:val + 8] = struct.pack('<I', crc)
        break
    crc = crc32c(crc, img[pos:pos + 4 + ln])
    pos += 4 + ln
assert done, 'nothing to patch'
open(dst, 'wb').write(img)
