// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xattr_raw.c -- "block_dump -x" and "inode_dump -x": the extended
 * attribute entries of an xattr block or of an inode's extra space,
 * decoded field by field, as debugfs 1.47.0 prints them.
 */
#include <ctype.h>
#include <string.h>
#include "debugfs-fc.h"

static int mostly_printable(const unsigned char *p, unsigned len)
{
	unsigned bad = 0;

	while (len--)
		if (!isprint((char)*p++) && ++bad > 3)
			return 0;
	return 1;
}

/* control characters as ^X, high bytes as M- */
static void safe_print(FILE *f, const unsigned char *p, unsigned len)
{
	unsigned char c;

	while (len--) {
		c = *p++;
		if (c > 128) {
			fputs("M-", f);
			c -= 128;
		}
		if (c < 32 || c == 0x7f) {
			fputc('^', f);
			c ^= 0x40;
		}
		fputc(c, f);
	}
}

static void entry_value(FILE *f, const unsigned char *buf, unsigned len,
			unsigned vstart, unsigned offs, uint32_t inum,
			uint32_t size)
{
	fprintf(f, "value = ");
	if (inum)
		fprintf(f, "<ino %u>", inum);
	else if (offs >= len || vstart + size > len)
		fprintf(f, "<runs off end>");
	else if (mostly_printable(buf + vstart, size))
		safe_print(f, buf + vstart, size);
	else {
		fprintf(f, "<hexdump>\n");
		dfc_hexdump(f, buf + vstart, size);
	}
	fputc('\n', f);
}

static void raw_entries(FILE *f, const unsigned char *buf, unsigned off,
			unsigned len, unsigned value_start)
{
	const unsigned char *e;
	unsigned name_len, offs, inum, size;

	while (off < len) {
		e = buf + off;
		if (!e2fc_get_le16(e)) {
			fprintf(f, "last entry found at offset %u (%04o)\n",
				off, off);
			break;
		}
		if (off + XE_SIZE >= len) {
			fprintf(f, "xattr buffer overrun at %u (len = %u)\n",
				off, len);
			break;
		}
		name_len = e[XE_OFF(e_name_len)];
		offs = e2fc_get_le16(e + XE_OFF(e_value_offs));
		inum = e2fc_get_le32(e + XE_OFF(e_value_inum));
		size = e2fc_get_le32(e + XE_OFF(e_value_size));
		fprintf(f, "offset = %d (%04o), hash = %u, name_len = %u, "
			"name_index = %u\n", off, off,
			e2fc_get_le32(e + XE_OFF(e_hash)), name_len,
			e[XE_OFF(e_name_index)]);
		fprintf(f, "value_offset = %d (%04o), value_inum = %u, "
			"value_size = %u\n", offs, value_start + offs, inum,
			size);
		off += XE_SIZE;
		fprintf(f, "name = ");
		if (off + name_len >= len)
			fprintf(f, "<runs off end>");
		else
			safe_print(f, buf + off, name_len);
		fputc('\n', f);
		if (size)
			entry_value(f, buf, len, value_start + offs, offs,
				    inum, size);
		fputc('\n', f);
		off += (name_len + 3) & ~3U;
	}
}

/* the extra space of an inode after i_extra_isize */
void dfc_inode_xattr_dump(FILE *f, const unsigned char *buf, unsigned len)
{
	uint32_t magic = len >= 4 ? e2fc_get_le32(buf) : 0;

	fprintf(f, "magic = %08x, length = %u, value_start =4 \n\n", magic,
		len);
	if (magic == EXT2_EXT_ATTR_MAGIC)
		raw_entries(f, buf, 4, len, 4);
}

static uint32_t reserved(const unsigned char *hdr, unsigned i)
{
	return e2fc_get_le32(hdr + XH_OFF(h_reserved) + 4 * i);
}

/* an xattr block */
void dfc_block_xattr_dump(FILE *f, const unsigned char *buf, unsigned len)
{
	uint32_t magic = e2fc_get_le32(buf);

	fprintf(f, "magic = %08x, length = %u\n", magic, len);
	if (magic != EXT2_EXT_ATTR_MAGIC)
		return;
	fprintf(f, "refcount = %u, blocks = %u\n",
		e2fc_get_le32(buf + XH_OFF(h_refcount)),
		e2fc_get_le32(buf + XH_OFF(h_blocks)));
	fprintf(f, "hash = %08x, checksum = %08x\n",
		e2fc_get_le32(buf + XH_OFF(h_hash)),
		e2fc_get_le32(buf + XH_OFF(h_checksum)));
	fprintf(f, "reserved: %08x %08x %08x\n\n", reserved(buf, 0),
		reserved(buf, 1), reserved(buf, 2));
	raw_entries(f, buf, XH_SIZE, len, 0);
}
