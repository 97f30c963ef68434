// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fc-flood.c -- write a hostile but valid fast-commit area (the bounds
 * tests of issue 13, tests/fsck-flood, bench/flood.sh).
 *
 *	e2fc-flood IMAGE KIND BYTES [TAGS_PER_COMMIT]
 *
 * IMAGE: an ext4 image with fast_commit whose inode 12 is a regular file
 * (mke2fs, then debugfs "write").  The log is emptied (s_start = s_first,
 * a zero block there: expected tid = s_sequence), needs_recovery is set
 * and the FC area is filled with about BYTES bytes of commits of KIND,
 * each commit TAGS_PER_COMMIT tags (default 64) and a TAIL with a correct
 * crc; PAD fills the end of a block.  KIND:
 *   inode-gen  INODE records of inode 12, each with a new i_generation
 *   creat      CREAT records linking inode 12 into / as f0000001, ...
 *   add-range  ADD_RANGEs of inode 12, 32768 blocks each, at growing
 *              logical blocks, all onto one run of free blocks (at most
 *              131,071: the logical block space ends there)
 *   unlink-link  the first half CREATs as above (f0000001 .. fN), then
 *              UNLINK and LINK in turn: fN, fN-1, ... out, g0000001, ...
 *              in (each into the room the UNLINK left, near the end of
 *              a big directory)
 * Exit 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"

static const char *prog = "e2fc-flood";

struct area {
	uint8_t		*buf;
	uint32_t	bs, nblocks, blk, off;
	uint32_t	crc, tid;
	unsigned	in_commit;
};

/* the next TLV of len value bytes at a[blk,off]; a PAD fills the rest of
 * the block when it does not fit; NULL when the area is full */
static uint8_t *tlv(struct area *a, uint16_t tag, uint16_t len)
{
	uint8_t *p;

	if (a->off + 4 + len + 12 > a->bs) {	/* keep room for a TAIL */
		uint32_t left = a->bs - a->off;

		if (left >= 4) {
			p = a->buf + (size_t)a->blk * a->bs + a->off;
			e2fc_put_le16(p, EXT4_FC_TAG_PAD);
			e2fc_put_le16(p + 2, left - 4);
			memset(p + 4, 0, left - 4);
			a->crc = e2fc_crc32c(a->crc, p, left);
		}
		a->blk++;
		a->off = 0;
	}
	if (a->blk >= a->nblocks)
		return NULL;
	p = a->buf + (size_t)a->blk * a->bs + a->off;
	e2fc_put_le16(p, tag);
	e2fc_put_le16(p + 2, len);
	a->off += 4 + len;
	return p;
}

static void done_tlv(struct area *a, uint8_t *p)
{
	a->crc = e2fc_crc32c(a->crc, p, 4 + e2fc_get_le16(p + 2));
}

static int tail(struct area *a)
{
	uint8_t *p = tlv(a, EXT4_FC_TAG_TAIL, 8);

	if (!p)
		return -1;
	e2fc_put_le32(p + 4, a->tid);
	a->crc = e2fc_crc32c(a->crc, p, 8);
	e2fc_put_le32(p + 8, a->crc);
	a->crc = 0;
	return 0;
}

struct kind {
	struct e2fc_journal	*j;
	ext2_filsys		fs;
	uint8_t			raw[1024];	/* inode 12 */
	unsigned		isize;
	blk64_t			run;		/* free run for add-range */
	size_t			half;		/* unlink-link: CREATs up to */
	unsigned		ncreat;		/* unlink-link: CREATs made */
};

/* one dentry tag of inode 12 in / */
static uint8_t *dentry(struct area *a, uint16_t tag, char c, unsigned n)
{
	char name[16];
	uint8_t *p;

	snprintf(name, sizeof(name), "%c%07u", c, n);
	p = tlv(a, tag, 8 + strlen(name));
	if (p) {
		e2fc_put_le32(p + 4, 2);
		e2fc_put_le32(p + 8, 12);
		memcpy(p + 12, name, strlen(name));
	}
	return p;
}

/* unlink-link: CREATs, then UNLINK fN-j and LINK gj in turn */
static uint8_t *unlink_link(struct area *a, struct kind *k, unsigned i)
{
	unsigned j;

	if (!k->ncreat || (size_t)a->blk * a->bs + a->off < k->half) {
		k->ncreat = i + 1;
		return dentry(a, EXT4_FC_TAG_CREAT, 'f', i + 1);
	}
	j = i - k->ncreat;
	if (j / 2 >= k->ncreat)
		return NULL;
	if (j % 2 == 0)
		return dentry(a, EXT4_FC_TAG_UNLINK, 'f', k->ncreat - j / 2);
	return dentry(a, EXT4_FC_TAG_LINK, 'g', j / 2 + 1);
}

static uint8_t *one_tag(struct area *a, struct kind *k, const char *kind,
			unsigned i)
{
	uint8_t *p;

	if (!strcmp(kind, "unlink-link"))
		return unlink_link(a, k, i);
	if (!strcmp(kind, "inode-gen")) {
		p = tlv(a, EXT4_FC_TAG_INODE, 4 + k->isize);
		if (p) {
			e2fc_put_le32(p + 4, 12);
			memcpy(p + 8, k->raw, k->isize);
			e2fc_put_le32(p + 8 + 0x64, 1000 + i);
			e2fc_put_le16(p + 8 + 0x7c, 0);	/* checksum lo */
			if (k->isize > 128)
				e2fc_put_le16(p + 8 + 0x82, 0);
		}
	} else if (!strcmp(kind, "creat")) {
		p = dentry(a, EXT4_FC_TAG_CREAT, 'f', i + 1);
	} else {
		if (i >= (1U << 17) - 1)	/* logical blocks run out */
			return NULL;
		p = tlv(a, EXT4_FC_TAG_ADD_RANGE, 16);
		if (p) {
			e2fc_put_le32(p + 4, 12);
			e2fc_put_le32(p + 8, i * 32768U);
			e2fc_put_le16(p + 12, 32768);
			e2fc_put_le16(p + 14, k->run >> 32);
			e2fc_put_le32(p + 16, k->run & 0xffffffffU);
		}
	}
	return p;
}

static int fill(struct area *a, struct kind *k, const char *kind,
		size_t bytes, unsigned per_commit)
{
	uint8_t *p = tlv(a, EXT4_FC_TAG_HEAD, 8);
	unsigned i, n = 0;

	e2fc_put_le32(p + 4, 0);
	e2fc_put_le32(p + 8, a->tid);
	done_tlv(a, p);
	/* the last block is kept for the last TAIL */
	for (i = 0; (size_t)a->blk * a->bs + a->off < bytes &&
		    a->blk + 1 < a->nblocks; i++) {
		p = one_tag(a, k, kind, i);
		if (!p)
			break;
		done_tlv(a, p);
		if (++n == per_commit) {
			if (tail(a))
				return -1;
			n = 0;
		}
	}
	return n ? tail(a) : 0;
}

static errcode_t setup(struct kind *k, const char *kind)
{
	ext2_filsys fs = k->fs;
	errcode_t err;

	k->isize = EXT2_INODE_SIZE(fs->super);
	if (k->isize > sizeof(k->raw))
		return EXT2_ET_INVALID_ARGUMENT;
	err = ext2fs_read_inode_full(fs, 12, (struct ext2_inode *)k->raw,
				     k->isize);
	if (err || strcmp(kind, "add-range"))
		return err;
	err = ext2fs_read_bitmaps(fs);
	if (!err)
		err = ext2fs_get_free_blocks2(fs, fs->super->s_first_data_block,
					      ext2fs_blocks_count(fs->super),
					      32768, fs->block_map, &k->run);
	return err;
}

/* empty log from s_first with sequence tid, needs_recovery set */
static errcode_t open_log(struct kind *k, uint32_t tid)
{
	struct e2fc_journal *j = k->j;
	uint8_t *buf = calloc(1, j->blocksize);
	errcode_t err;

	if (!buf)
		return EXT2_ET_NO_MEMORY;
	err = e2fc_journal_write(j, j->sb.first, 1, buf);
	if (!err)
		err = e2fc_journal_read(j, 0, 1, buf);
	if (!err) {
		e2fc_jsb_set_start(buf, j->sb.first, tid);
		err = e2fc_journal_write(j, 0, 1, buf);
	}
	free(buf);
	ext2fs_set_feature_journal_needs_recovery(k->fs->super);
	ext2fs_mark_super_dirty(k->fs);
	return err;
}

static int flood(struct kind *k, const char *kind, size_t bytes,
		 unsigned per_commit)
{
	struct e2fc_jsb *sb = &k->j->sb;
	struct area a;
	errcode_t err;

	memset(&a, 0, sizeof(a));
	k->half = bytes / 2;
	a.bs = sb->blocksize;
	a.nblocks = sb->fc_blocks;
	a.tid = sb->sequence + 1;
	if (bytes + 2 * a.bs > (size_t)a.nblocks * a.bs) {
		fprintf(stderr, "%s: the FC area holds only %u blocks\n", prog,
			a.nblocks);
		return 1;
	}
	a.buf = calloc(a.nblocks, a.bs);
	if (!a.buf || fill(&a, k, kind, bytes, per_commit)) {
		fprintf(stderr, "%s: cannot fill the area\n", prog);
		return 1;
	}
	err = open_log(k, a.tid);
	if (!err)
		err = e2fc_journal_write(k->j, sb->fc_first, a.blk + 1, a.buf);
	free(a.buf);
	if (err) {
		com_err(prog, err, "while writing the journal");
		return 1;
	}
	printf("%s: %u blocks of %s commits, tid %u\n", prog, a.blk + 1,
	       kind, a.tid);
	return 0;
}

/* mke2fs leaves FAST_COMMIT out of the journal superblock (the kernel
 * sets it at mount): set it, then read the journal again */
static errcode_t enable_fc(struct kind *k)
{
	struct e2fc_journal *j = k->j;
	uint8_t *buf;
	errcode_t err;

	if (j->sb.num_fc_blks)
		return 0;
	buf = calloc(1, j->blocksize);
	if (!buf)
		return EXT2_ET_NO_MEMORY;
	err = e2fc_journal_read(j, 0, 1, buf);
	if (!err) {
		e2fc_put_be32(buf + JSB_FEATURE_INCOMPAT,
			      j->sb.feature_incompat |
			      JBD2_FEATURE_INCOMPAT_FAST_COMMIT);
		e2fc_jsb_set_start(buf, j->sb.start, j->sb.sequence);
		err = e2fc_journal_write(j, 0, 1, buf);
	}
	free(buf);
	e2fc_journal_close(j);
	k->j = NULL;
	return err ? err : e2fc_journal_open(k->fs, NULL, 0, &k->j);
}

int main(int argc, char **argv)
{
	struct kind k;
	errcode_t err;
	int ret;

	if (argc < 4 || (strcmp(argv[2], "inode-gen") &&
			 strcmp(argv[2], "creat") &&
			 strcmp(argv[2], "add-range") &&
			 strcmp(argv[2], "unlink-link"))) {
		fprintf(stderr, "usage: %s IMAGE inode-gen|creat|add-range|"
			"unlink-link BYTES [TAGS_PER_COMMIT]\n", prog);
		return 1;
	}
	initialize_ext2_error_table();
	initialize_e2fc_error_table();
	memset(&k, 0, sizeof(k));
	err = ext2fs_open2(argv[1], NULL, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0,
			   0, unix_io_manager, &k.fs);
	if (!err)
		err = e2fc_journal_open(k.fs, NULL, 0, &k.j);
	if (!err)
		err = enable_fc(&k);
	if (!err)
		err = setup(&k, argv[2]);
	if (err) {
		com_err(prog, err, "while opening %s", argv[1]);
		return 1;
	}
	ret = flood(&k, argv[2], strtoul(argv[3], NULL, 0),
		    argc > 4 ? strtoul(argv[4], NULL, 0) : 64);
	e2fc_journal_close(k.j);
	err = ext2fs_close_free(&k.fs);
	if (err && !ret) {
		com_err(prog, err, "while closing %s", argv[1]);
		ret = 1;
	}
	return ret;
}
