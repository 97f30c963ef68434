// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * crc32c_ext2fs.c -- optional: libext2fs's own crc32c on e2fc's fast path.
 *
 * libext2fs computes every metadata checksum it reads or writes (inodes,
 * directory blocks, bitmaps, group descriptors, extent blocks) with
 * ext2fs_crc32c_le, a byte-table walk in the 1.47.0 shared library.  Its
 * own calls go through the library's PLT, so a definition in the program
 * takes their place (ELF symbol interposition, as with malloc).  That
 * replaces a symbol of another library in the whole process, and a static
 * link with libext2fs.a fails on the duplicate: so this file is not in
 * libe2fc.  It is linked into the three programs only when configure was
 * given --enable-fast-ext2fs-crc32c (README: the speed-up it buys).  Same
 * function: raw crc32c, the caller's seed, no inversion
 * (tests/unit/test_crc32c.c checks it against the library's own).
 */
#include "e2fc.h"

uint32_t ext2fs_crc32c_le(uint32_t crc, unsigned char const *p, size_t len)
{
	return e2fc_crc32c(crc, p, len);
}
