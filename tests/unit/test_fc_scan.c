// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_fc_scan.c -- the fast-commit area decoder (lib/ext2fs/fc_scan.c),
 * on areas built by the fcw writer (fcw.h).
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "e2fc.h"
#include "fcw.h"
#include "jbdw.h"

#define BS	1024
#define FIRST	1000	/* logical journal block of the first FC block */
#define TID	7

static struct e2fc_fc *scan_w(struct fcw *w, uint32_t expected, int clean)
{
	uint32_t n = w->nblocks, bs = w->bs;
	struct e2fc_fc *fc = NULL;
	uint8_t *a;
	errcode_t err;

	CU_ASSERT_FALSE(w->overflow);
	a = fcw_take(w);
	err = e2fc_fc_scan_buf(a, n, bs, FIRST, expected, clean, &fc);
	CU_ASSERT_EQUAL(err, 0);
	if (err)
		free(a);
	return fc;
}

static struct e2fc_fc *scan(struct fcw *w)
{
	return scan_w(w, TID, 0);
}

/* a valid commit with one ADD_RANGE */
static void small_commit(struct fcw *w, uint32_t ino, uint32_t tid)
{
	CU_ASSERT_EQUAL(fcw_add_range(w, ino, 0, 1, 5000 + ino, 0), 0);
	CU_ASSERT_EQUAL(fcw_tail(w, tid), 0);
}

/* HEAD + one valid commit */
static struct fcw *one_good(uint32_t nblocks)
{
	struct fcw *w = fcw_new(BS, nblocks);

	fcw_head(w, 0, TID);
	small_commit(w, 12, TID);
	return w;
}

static const struct e2fc_tag *tag_of(const struct e2fc_fc *fc,
				     unsigned commit, unsigned i)
{
	return &fc->tags[fc->commits[commit].first_tag + i];
}

/* invariants every decoded area must satisfy */
static void check_invariants(const struct e2fc_fc *fc)
{
	unsigned i, sum = 0, valid = 0, vtags = 0;

	for (i = 0; i < fc->ntags; i++) {
		const struct e2fc_tag *t = &fc->tags[i];
		size_t off = (size_t)(t->block - fc->fc_first) * fc->blocksize
			     + t->offset;

		CU_ASSERT(t->block >= fc->fc_first &&
			  t->block < fc->fc_first + fc->nblocks);
		CU_ASSERT(t->offset + EXT4_FC_TL_SIZE + t->len <=
			  fc->blocksize);
		CU_ASSERT(t->value == fc->area + off + EXT4_FC_TL_SIZE);
	}
	for (i = 0; i < fc->ncommits; i++) {
		const struct e2fc_commit *c = &fc->commits[i];

		CU_ASSERT_EQUAL(c->index, i);
		CU_ASSERT_EQUAL(c->first_tag, sum);
		sum += c->ntags;
		CU_ASSERT(c->first_block <= c->last_block);
		CU_ASSERT_EQUAL(!!c->valid, c->reason == 0);
		if (c->valid) {
			CU_ASSERT_EQUAL(valid, i);	/* a prefix */
			valid++;
			vtags += c->ntags;
			CU_ASSERT(c->has_tail);
			CU_ASSERT_EQUAL(c->crc_stored, c->crc_computed);
			CU_ASSERT_EQUAL(c->tid, fc->expected_tid);
		}
	}
	CU_ASSERT_EQUAL(sum, fc->ntags);
	CU_ASSERT_EQUAL(valid, fc->replay_commits);
	CU_ASSERT_EQUAL(vtags, fc->replay_tags);
	if (fc->state == E2FC_FC_EMPTY || fc->state == E2FC_FC_STALE)
		CU_ASSERT_EQUAL(fc->replay_commits, 0);
	if (fc->state == E2FC_FC_REPLAYABLE)
		CU_ASSERT(fc->replay_commits > 0);
}

/* ---- every tag, field by field --------------------------------------- */

static void test_decode_tags(void)
{
	struct fcw *w = fcw_new(BS, 4);
	uint8_t raw[256];
	const struct e2fc_tag *t;
	struct e2fc_inode in;
	struct e2fc_fc *fc;
	unsigned i;

	fcw_make_inode(raw, sizeof(raw), 32);
	CU_ASSERT_EQUAL(fcw_head(w, 0, TID), 0);
	fcw_add_range(w, 12, 5, 3, 0x123456789AULL, 0);
	fcw_add_range(w, 12, 8, 10, 0x42, 1);
	fcw_add_range(w, 12, 20, 32768, 0x43, 0);
	fcw_del_range(w, 13, 100, 0x10000);
	fcw_dentry(w, EXT4_FC_TAG_CREAT, 2, 14, "hello", 5);
	fcw_dentry(w, EXT4_FC_TAG_LINK, 2, 14, "world!", 6);
	fcw_dentry(w, EXT4_FC_TAG_UNLINK, 11, 15, "x", 1);
	fcw_inode(w, 14, raw, sizeof(raw));
	fcw_tail(w, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->ncommits, 1);
	CU_ASSERT_EQUAL(fc->ntags, 10);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->replay_tags, 10);
	CU_ASSERT_EQUAL(fc->stop_reason, 0);
	CU_ASSERT_EQUAL(fc->fc_first, FIRST);
	CU_ASSERT_EQUAL(fc->blocksize, BS);

	t = tag_of(fc, 0, 0);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_HEAD);
	CU_ASSERT_EQUAL(t->len, 8);
	CU_ASSERT_EQUAL(t->block, FIRST);
	CU_ASSERT_EQUAL(t->offset, 0);
	CU_ASSERT_PTR_EQUAL(t->value, fc->area + 4);
	CU_ASSERT_EQUAL(t->u.head.features, 0);
	CU_ASSERT_EQUAL(t->u.head.tid, TID);

	t = tag_of(fc, 0, 1);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_ADD_RANGE);
	CU_ASSERT_EQUAL(t->len, 16);
	CU_ASSERT_EQUAL(t->offset, 12);
	CU_ASSERT_EQUAL(t->u.add.ino, 12);
	CU_ASSERT_EQUAL(t->u.add.lblk, 5);
	CU_ASSERT_EQUAL(t->u.add.len, 3);
	CU_ASSERT_EQUAL(t->u.add.pblk, 0x123456789AULL);
	CU_ASSERT_EQUAL(t->u.add.unwritten, 0);

	t = tag_of(fc, 0, 2);
	CU_ASSERT_EQUAL(t->offset, 32);
	CU_ASSERT_EQUAL(t->u.add.lblk, 8);
	CU_ASSERT_EQUAL(t->u.add.len, 10);
	CU_ASSERT_EQUAL(t->u.add.pblk, 0x42);
	CU_ASSERT_EQUAL(t->u.add.unwritten, 1);

	t = tag_of(fc, 0, 3);		/* 32768 exactly: initialized */
	CU_ASSERT_EQUAL(t->u.add.len, 32768);
	CU_ASSERT_EQUAL(t->u.add.unwritten, 0);

	t = tag_of(fc, 0, 4);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_DEL_RANGE);
	CU_ASSERT_EQUAL(t->len, 12);
	CU_ASSERT_EQUAL(t->u.del.ino, 13);
	CU_ASSERT_EQUAL(t->u.del.lblk, 100);
	CU_ASSERT_EQUAL(t->u.del.len, 0x10000);

	t = tag_of(fc, 0, 5);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_CREAT);
	CU_ASSERT_EQUAL(t->len, 13);
	CU_ASSERT_EQUAL(t->u.dentry.parent, 2);
	CU_ASSERT_EQUAL(t->u.dentry.ino, 14);
	CU_ASSERT_EQUAL(t->u.dentry.name_len, 5);
	CU_ASSERT_NSTRING_EQUAL(t->u.dentry.name, "hello", 5);
	CU_ASSERT_PTR_EQUAL(t->u.dentry.name, t->value + 8);

	t = tag_of(fc, 0, 6);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_LINK);
	CU_ASSERT_EQUAL(t->u.dentry.name_len, 6);
	CU_ASSERT_NSTRING_EQUAL(t->u.dentry.name, "world!", 6);

	t = tag_of(fc, 0, 7);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_UNLINK);
	CU_ASSERT_EQUAL(t->u.dentry.parent, 11);
	CU_ASSERT_EQUAL(t->u.dentry.ino, 15);
	CU_ASSERT_EQUAL(t->u.dentry.name_len, 1);

	t = tag_of(fc, 0, 8);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_INODE);
	CU_ASSERT_EQUAL(t->len, 260);
	CU_ASSERT_EQUAL(t->u.inode.ino, 14);
	CU_ASSERT_EQUAL(t->u.inode.raw_len, 256);
	CU_ASSERT_PTR_EQUAL(t->u.inode.raw, t->value + 4);
	CU_ASSERT_EQUAL(memcmp(t->u.inode.raw, raw, 256), 0);
	e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &in);
	CU_ASSERT_EQUAL(in.extra_isize, 32);
	CU_ASSERT_EQUAL(in.mode, e2fc_get_le16(raw));

	t = tag_of(fc, 0, 9);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_TAIL);
	CU_ASSERT_EQUAL(t->u.tail.tid, TID);
	CU_ASSERT_EQUAL(t->u.tail.crc, fc->commits[0].crc_computed);
	/* the TAIL runs to the end of its block */
	CU_ASSERT_EQUAL(t->offset + 4 + t->len, BS);
	for (i = 8; i < t->len; i++)
		CU_ASSERT_EQUAL(t->value[i], 0);

	CU_ASSERT_EQUAL(fc->commits[0].tid, TID);
	CU_ASSERT_EQUAL(fc->commits[0].first_block, FIRST);
	CU_ASSERT_EQUAL(fc->commits[0].last_block, FIRST);
	CU_ASSERT(fc->commits[0].has_tail);
	CU_ASSERT(fc->commits[0].valid);
	e2fc_fc_free(fc);
}

/* the CRC is the raw crc32c of everything from the HEAD to the tail tid */
static void test_crc_definition(void)
{
	struct fcw *w = one_good(2);
	struct e2fc_fc *fc = scan(w);
	const struct e2fc_tag *tail;
	uint32_t crc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	tail = tag_of(fc, 0, 2);
	crc = ext2fs_crc32c_le(0, fc->area, tail->offset + 8);
	CU_ASSERT_EQUAL(fc->commits[0].crc_computed, crc);
	CU_ASSERT_EQUAL(fc->commits[0].crc_stored, crc);
	e2fc_fc_free(fc);
}

/* ---- the inode decoder ------------------------------------------------ */

static void put_inode_fields(uint8_t *r, uint16_t extra)
{
	memset(r, 0, 256);
	e2fc_put_le16(r + 0x00, 0100644);
	e2fc_put_le16(r + 0x02, 0x1234);		/* uid lo */
	e2fc_put_le32(r + 0x04, 0x89ABCDEF);		/* size lo */
	e2fc_put_le32(r + 0x08, 1000);			/* atime */
	e2fc_put_le32(r + 0x0C, 0xFFFFFFFF);		/* ctime = -1 */
	e2fc_put_le32(r + 0x10, 3000);			/* mtime */
	e2fc_put_le32(r + 0x14, 4000);			/* dtime */
	e2fc_put_le16(r + 0x18, 0x5678);		/* gid lo */
	e2fc_put_le16(r + 0x1A, 3);			/* links */
	e2fc_put_le32(r + 0x1C, 0x10);			/* blocks lo */
	e2fc_put_le32(r + 0x20, EXT4_EXTENTS_FL);
	e2fc_put_le32(r + 0x64, 0xCAFEBABE);		/* generation */
	e2fc_put_le32(r + 0x68, 0x1111);		/* file_acl lo */
	e2fc_put_le32(r + 0x6C, 0x2);			/* size hi */
	e2fc_put_le16(r + 0x74, 0x7);			/* blocks hi */
	e2fc_put_le16(r + 0x76, 0x9);			/* file_acl hi */
	e2fc_put_le16(r + 0x78, 0xAAAA);		/* uid hi */
	e2fc_put_le16(r + 0x7A, 0xBBBB);		/* gid hi */
	e2fc_put_le16(r + 0x7C, 0xC0DE);		/* csum lo */
	e2fc_put_le16(r + 0x80, extra);
	e2fc_put_le16(r + 0x82, 0xBEEF);		/* csum hi */
	e2fc_put_le32(r + 0x84, (500U << 2) | 1);	/* ctime extra */
	e2fc_put_le32(r + 0x88, (600U << 2) | 2);	/* mtime extra */
	e2fc_put_le32(r + 0x8C, (700U << 2) | 3);	/* atime extra */
	e2fc_put_le32(r + 0x90, 5000);			/* crtime */
	e2fc_put_le32(r + 0x94, (800U << 2));		/* crtime extra */
	/* extent root: leaf, 2 entries */
	e2fc_put_le16(r + 0x28, EXT4_EXT_MAGIC);
	e2fc_put_le16(r + 0x2A, 2);
	e2fc_put_le16(r + 0x2C, 4);
	e2fc_put_le16(r + 0x2E, 0);
	e2fc_put_le32(r + 0x34, 0);			/* ee_block */
	e2fc_put_le16(r + 0x38, 8);			/* ee_len */
	e2fc_put_le16(r + 0x3A, 0x1);			/* start hi */
	e2fc_put_le32(r + 0x3C, 0x2000);		/* start lo */
	e2fc_put_le32(r + 0x40, 100);
	e2fc_put_le16(r + 0x44, 32768 + 5);		/* unwritten 5 */
	e2fc_put_le16(r + 0x46, 0);
	e2fc_put_le32(r + 0x48, 0x3000);
}

static void test_inode_full(void)
{
	uint8_t *buf = malloc(257), *r = buf + 1;	/* unaligned */
	struct e2fc_inode ino;

	put_inode_fields(r, 32);
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT_EQUAL(ino.mode, 0100644);
	CU_ASSERT_EQUAL(ino.uid, 0xAAAA1234U);
	CU_ASSERT_EQUAL(ino.gid, 0xBBBB5678U);
	CU_ASSERT_EQUAL(ino.size, 0x289ABCDEFULL);
	CU_ASSERT_EQUAL(ino.links, 3);
	CU_ASSERT_EQUAL(ino.flags, EXT4_EXTENTS_FL);
	CU_ASSERT_EQUAL(ino.blocks, 0x700000010ULL);
	CU_ASSERT_EQUAL(ino.generation, 0xCAFEBABE);
	CU_ASSERT_EQUAL(ino.dtime, 4000);
	CU_ASSERT_EQUAL(ino.file_acl, 0x900001111ULL);
	CU_ASSERT_EQUAL(ino.extra_isize, 32);
	CU_ASSERT_EQUAL(ino.checksum, 0xBEEFC0DE);
	CU_ASSERT_EQUAL(ino.ctime, -1 + (1LL << 32));
	CU_ASSERT_EQUAL(ino.ctime_ns, 500);
	CU_ASSERT_EQUAL(ino.mtime, 3000 + (2LL << 32));
	CU_ASSERT_EQUAL(ino.mtime_ns, 600);
	CU_ASSERT_EQUAL(ino.atime, 1000 + (3LL << 32));
	CU_ASSERT_EQUAL(ino.atime_ns, 700);
	CU_ASSERT(ino.has_crtime);
	CU_ASSERT_EQUAL(ino.crtime, 5000);
	CU_ASSERT_EQUAL(ino.crtime_ns, 800);
	CU_ASSERT(ino.has_extents);
	CU_ASSERT_FALSE(ino.inline_data);
	CU_ASSERT(ino.eh_valid);
	CU_ASSERT_EQUAL(ino.eh_entries, 2);
	CU_ASSERT_EQUAL(ino.eh_max, 4);
	CU_ASSERT_EQUAL(ino.eh_depth, 0);
	CU_ASSERT_EQUAL(ino.eh_ent[0].lblk, 0);
	CU_ASSERT_EQUAL(ino.eh_ent[0].len, 8);
	CU_ASSERT_EQUAL(ino.eh_ent[0].pblk, 0x100002000ULL);
	CU_ASSERT_EQUAL(ino.eh_ent[1].lblk, 100);
	CU_ASSERT_EQUAL(ino.eh_ent[1].len, 32768 + 5);
	CU_ASSERT_EQUAL(ino.eh_ent[1].pblk, 0x3000);
	CU_ASSERT_EQUAL(ino.eh_ent[2].pblk, 0);
	CU_ASSERT_EQUAL(memcmp(ino.i_block, r + 0x28, 60), 0);
	free(buf);
}

/* extra fields exist only when i_extra_isize covers them */
static void test_inode_extra_isize(void)
{
	uint8_t r[256];
	struct e2fc_inode ino;

	put_inode_fields(r, 0);
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT_EQUAL(ino.checksum, 0xC0DE);
	CU_ASSERT_EQUAL(ino.ctime, -1);
	CU_ASSERT_EQUAL(ino.ctime_ns, 0);
	CU_ASSERT_EQUAL(ino.atime, 1000);
	CU_ASSERT_FALSE(ino.has_crtime);
	CU_ASSERT_EQUAL(ino.crtime, 0);

	put_inode_fields(r, 8);		/* csum hi, ctime extra */
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT_EQUAL(ino.checksum, 0xBEEFC0DE);
	CU_ASSERT_EQUAL(ino.ctime_ns, 500);
	CU_ASSERT_EQUAL(ino.mtime_ns, 0);
	CU_ASSERT_EQUAL(ino.mtime, 3000);
	CU_ASSERT_FALSE(ino.has_crtime);

	put_inode_fields(r, 20);	/* up to crtime, without its extra */
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT_EQUAL(ino.atime_ns, 700);
	CU_ASSERT(ino.has_crtime);
	CU_ASSERT_EQUAL(ino.crtime, 5000);
	CU_ASSERT_EQUAL(ino.crtime_ns, 0);

	/* a 128-byte inode: extra_isize is not even there */
	put_inode_fields(r, 32);
	e2fc_inode_decode(r, 128, &ino);
	CU_ASSERT_EQUAL(ino.extra_isize, 0);
	CU_ASSERT_EQUAL(ino.checksum, 0xC0DE);
	CU_ASSERT_FALSE(ino.has_crtime);
	CU_ASSERT_EQUAL(ino.uid, 0xAAAA1234U);

	/* extra_isize claims more than the record holds */
	put_inode_fields(r, 200);
	e2fc_inode_decode(r, 140, &ino);
	CU_ASSERT_EQUAL(ino.extra_isize, 200);
	CU_ASSERT_EQUAL(ino.ctime_ns, 500);
	CU_ASSERT_EQUAL(ino.mtime_ns, 600);
	CU_ASSERT_EQUAL(ino.atime_ns, 0);	/* 0x8C..0x90 not in 140 */
	CU_ASSERT_FALSE(ino.has_crtime);

	/* too short: all zero */
	e2fc_inode_decode(r, 100, &ino);
	CU_ASSERT_EQUAL(ino.mode, 0);
}

static void test_inode_extent_root(void)
{
	uint8_t r[256];
	struct e2fc_inode ino;
	unsigned i;

	/* index node, depth 1 */
	put_inode_fields(r, 32);
	e2fc_put_le16(r + 0x2A, 1);
	e2fc_put_le16(r + 0x2E, 1);
	e2fc_put_le32(r + 0x34, 7);			/* ei_block */
	e2fc_put_le32(r + 0x38, 0x1108);		/* leaf lo */
	e2fc_put_le16(r + 0x3C, 0x2);			/* leaf hi */
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT(ino.eh_valid);
	CU_ASSERT_EQUAL(ino.eh_depth, 1);
	CU_ASSERT_EQUAL(ino.eh_entries, 1);
	CU_ASSERT_EQUAL(ino.eh_ent[0].lblk, 7);
	CU_ASSERT_EQUAL(ino.eh_ent[0].pblk, 0x200001108ULL);
	CU_ASSERT_EQUAL(ino.eh_ent[0].len, 0);
	CU_ASSERT_EQUAL(ino.eh_ent[1].lblk, 0);

	/* more entries than fit: only 4 decoded */
	put_inode_fields(r, 32);
	e2fc_put_le16(r + 0x2A, 9);
	for (i = 0; i < 4; i++)
		e2fc_put_le32(r + 0x34 + 12 * i, 10 * i + 1);
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT_EQUAL(ino.eh_entries, 9);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(ino.eh_ent[i].lblk, 10 * i + 1);

	/* bad magic */
	put_inode_fields(r, 32);
	e2fc_put_le16(r + 0x28, 0x1234);
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT_FALSE(ino.eh_valid);
	CU_ASSERT_EQUAL(ino.eh_entries, 0);

	/* inline data */
	put_inode_fields(r, 32);
	e2fc_put_le32(r + 0x20, EXT4_INLINE_DATA_FL);
	memcpy(r + 0x28, "inline bytes", 12);
	e2fc_inode_decode(r, 256, &ino);
	CU_ASSERT(ino.inline_data);
	CU_ASSERT_FALSE(ino.has_extents);
	CU_ASSERT_FALSE(ino.eh_valid);
	CU_ASSERT_EQUAL(memcmp(ino.i_block, "inline bytes", 12), 0);
}

/* ---- layout: PAD, blocks, exact ends ------------------------------- */

static void test_multi_block_commit(void)
{
	struct fcw *w = fcw_new(BS, 8);
	uint8_t raw[256];
	const struct e2fc_tag *t;
	struct e2fc_fc *fc;
	unsigned i, npad = 0;

	fcw_make_inode(raw, sizeof(raw), 32);
	fcw_head(w, 0, TID);
	for (i = 0; i < 12; i++)
		fcw_inode(w, 20 + i, raw, sizeof(raw));
	fcw_tail(w, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->ncommits, 1);
	CU_ASSERT(fc->commits[0].last_block > fc->commits[0].first_block);
	for (i = 0; i < fc->ntags; i++) {
		t = &fc->tags[i];
		if (t->tag == EXT4_FC_TAG_PAD) {
			npad++;
			CU_ASSERT_EQUAL(t->offset + 4 + t->len, BS);
			CU_ASSERT_EQUAL(t->u.pad.len, t->len);
		}
	}
	CU_ASSERT(npad >= 3);
	CU_ASSERT_EQUAL(fc->ntags, 12 + 2 + npad);
	e2fc_fc_free(fc);
}

/* a PAD of length 0 exactly at the block end */
static void test_pad_len_zero(void)
{
	struct fcw *w = fcw_new(BS, 3);
	const struct e2fc_tag *t;
	struct e2fc_fc *fc;
	unsigned i;

	fcw_head(w, 0, TID);
	/* HEAD is 12 bytes; a PAD-tag TLV of 1004 leaves exactly 4 bytes */
	fcw_tlv(w, EXT4_FC_TAG_PAD, BS - 12 - 4 - 4, NULL);
	CU_ASSERT_EQUAL(w->off, BS - 4);
	fcw_add_range(w, 12, 0, 1, 99, 0);	/* forces a PAD len 0 */
	fcw_tail(w, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->ntags, 5);
	t = tag_of(fc, 0, 2);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_PAD);
	CU_ASSERT_EQUAL(t->offset, BS - 4);
	CU_ASSERT_EQUAL(t->len, 0);
	t = tag_of(fc, 0, 3);
	CU_ASSERT_EQUAL(t->block, FIRST + 1);
	CU_ASSERT_EQUAL(t->offset, 0);
	for (i = 0; i < fc->ntags; i++)
		CU_ASSERT(fc->tags[i].offset + 4 + fc->tags[i].len <= BS);
	e2fc_fc_free(fc);
}

/* a TLV ending exactly at the block end, no PAD at all: still valid */
static void test_tlv_ends_at_block_end(void)
{
	struct fcw *w = fcw_new(BS, 3);
	uint8_t v[16] = { 12 };
	struct e2fc_fc *fc;

	fcw_head(w, 0, TID);
	fcw_tlv_raw(w, EXT4_FC_TAG_PAD, BS - 36, NULL, BS - 36);
	fcw_tlv_raw(w, EXT4_FC_TAG_ADD_RANGE, 16, v, 16);
	CU_ASSERT_EQUAL(w->off, BS);
	fcw_next_block(w);
	fcw_add_range(w, 13, 0, 1, 99, 0);
	fcw_tail(w, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->ncommits, 1);
	CU_ASSERT_EQUAL(fc->ntags, 5);
	CU_ASSERT_EQUAL(tag_of(fc, 0, 2)->offset + 4 + 16, BS);
	CU_ASSERT_EQUAL(tag_of(fc, 0, 3)->block, FIRST + 1);
	e2fc_fc_free(fc);
}

/* a TAIL of length 8 (not to the block end) in block 0 */
static void short_tail(struct fcw *w, uint32_t tid)
{
	uint8_t tv[8];
	uint32_t crc;

	e2fc_put_le32(tv, tid);
	crc = w->crc;
	fcw_tlv_raw(w, EXT4_FC_TAG_TAIL, 8, NULL, 0);
	crc = e2fc_crc32c(crc, w->buf + w->off - 4, 4);
	crc = e2fc_crc32c(crc, tv, 4);
	e2fc_put_le32(tv + 4, crc);
	fcw_poke(w, 0, w->off, tv, 8);
	w->off += 8;
	w->crc = 0;
}

/* TLVs after a TAIL that does not run to the block end: next commit */
static void test_tail_mid_block(void)
{
	struct fcw *w = fcw_new(BS, 2);
	struct e2fc_fc *fc;

	fcw_head(w, 0, TID);
	fcw_add_range(w, 12, 0, 1, 99, 0);
	short_tail(w, TID);
	small_commit(w, 13, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->ncommits, 2);
	CU_ASSERT_EQUAL(fc->replay_commits, 2);
	CU_ASSERT_EQUAL(fc->commits[1].first_block, FIRST);
	CU_ASSERT_EQUAL(tag_of(fc, 1, 0)->offset, 12 + 20 + 12);
	e2fc_fc_free(fc);
}

/* 2020 kernels: PAD and TAIL stop one byte short of the block end */
static void test_old_kernel_layout(void)
{
	struct fcw *w = fcw_new(BS, 6);
	uint8_t raw[128];
	struct e2fc_fc *fc;
	unsigned i, npad = 0;

	w->old_style = 1;
	fcw_make_inode(raw, sizeof(raw), 0);
	fcw_head(w, 0, TID);
	for (i = 0; i < 15; i++)
		fcw_inode(w, 20 + i, raw, sizeof(raw));
	fcw_tail(w, TID);
	small_commit(w, 40, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->ncommits, 2);
	CU_ASSERT_EQUAL(fc->replay_commits, 2);
	for (i = 0; i < fc->ntags; i++) {
		const struct e2fc_tag *t = &fc->tags[i];

		if (t->tag == EXT4_FC_TAG_PAD || t->tag == EXT4_FC_TAG_TAIL) {
			CU_ASSERT_EQUAL(t->offset + 4 + t->len, BS - 1);
			npad += t->tag == EXT4_FC_TAG_PAD;
		}
	}
	CU_ASSERT(npad >= 1);
	e2fc_fc_free(fc);
}

/* TLVs at odd offsets everywhere: decoded through byte accessors */
static void test_unaligned_tlvs(void)
{
	struct fcw *w = fcw_new(BS, 2);
	struct e2fc_fc *fc;
	const struct e2fc_tag *t;

	fcw_head(w, 0, TID);
	fcw_dentry(w, EXT4_FC_TAG_CREAT, 2, 14, "abc", 3);	/* odd */
	fcw_add_range(w, 0x01020304, 0x05060708, 0x090A, 0x0B0C0D0E0F10ULL, 0);
	fcw_del_range(w, 0x11121314, 0x15161718, 0x191A1B1C);
	fcw_tail(w, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	t = tag_of(fc, 0, 2);
	CU_ASSERT_EQUAL(t->offset % 2, 1);
	CU_ASSERT_EQUAL(t->u.add.ino, 0x01020304);
	CU_ASSERT_EQUAL(t->u.add.lblk, 0x05060708);
	CU_ASSERT_EQUAL(t->u.add.len, 0x090A);
	CU_ASSERT_EQUAL(t->u.add.pblk, 0x0B0C0D0E0F10ULL);
	t = tag_of(fc, 0, 3);
	CU_ASSERT_EQUAL(t->u.del.ino, 0x11121314);
	CU_ASSERT_EQUAL(t->u.del.lblk, 0x15161718);
	CU_ASSERT_EQUAL(t->u.del.len, 0x191A1B1C);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	e2fc_fc_free(fc);
}

/* ---- CRC -------------------------------------------------------------- */

static void test_crc_covers_pad_and_head(void)
{
	struct fcw *w;
	struct e2fc_fc *fc;
	uint8_t x = 0x55;

	/* a byte inside a PAD value is covered */
	w = fcw_new(BS, 3);
	fcw_head(w, 0, TID);
	fcw_tlv(w, EXT4_FC_TAG_PAD, 100, NULL);
	small_commit(w, 12, TID);
	fcw_poke(w, 0, 12 + 4 + 50, &x, 1);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_CRC);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	e2fc_fc_free(fc);

	/* a changed HEAD is caught by its tid (or features) first */
	w = one_good(2);
	x = 0x80;
	fcw_poke(w, 0, 4 + 4 + 3, &x, 1);	/* tid high byte: stale */
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_CRC);
	e2fc_fc_free(fc);

	/* the TAIL's padding is not covered */
	w = one_good(2);
	x = 0xEE;
	fcw_poke(w, 0, BS - 1, &x, 1);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT(fc->commits[0].valid);
	e2fc_fc_free(fc);
}

static void test_crc_bad(void)
{
	struct fcw *w;
	struct e2fc_fc *fc;

	/* the only commit */
	w = fcw_new(BS, 2);
	fcw_head(w, 0, TID);
	fcw_add_range(w, 12, 0, 1, 99, 0);
	fcw_tail_crc(w, TID, 1);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->replay_commits, 0);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_CRC);
	CU_ASSERT_EQUAL(fc->commits[0].crc_stored ^ 1,
			fc->commits[0].crc_computed);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_CRC);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST);
	CU_ASSERT_EQUAL(fc->stop_offset, 12 + 20);
	e2fc_fc_free(fc);

	/* a torn last commit after a good one */
	w = one_good(4);
	fcw_add_range(w, 13, 0, 1, 99, 0);
	fcw_tail_crc(w, TID, 0x100);
	small_commit(w, 14, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->replay_tags, 3);
	CU_ASSERT_EQUAL(fc->ncommits, 3);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_CRC);
	CU_ASSERT_EQUAL(fc->commits[2].reason, E2FC_ERR_FC_AFTER_STOP);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 1);
	e2fc_fc_free(fc);
}

/* ---- tid ---------------------------------------------------------------- */

static void test_wrong_tid(void)
{
	struct fcw *w;
	struct e2fc_fc *fc;

	/* first commit's TAIL has another tid than its HEAD */
	w = fcw_new(BS, 2);
	fcw_head(w, 0, TID);
	small_commit(w, 12, TID + 1);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_TID);
	CU_ASSERT_EQUAL(fc->commits[0].tid, TID + 1);
	e2fc_fc_free(fc);

	/* second commit of an older tid: a leftover */
	w = one_good(3);
	small_commit(w, 13, TID - 1);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_TID);
	CU_ASSERT_EQUAL(fc->commits[1].tid, TID - 1);
	CU_ASSERT_EQUAL(fc->commits[1].crc_stored,
			fc->commits[1].crc_computed);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_TID);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->stop_offset, 20);
	e2fc_fc_free(fc);
}

/* ---- broken TLVs ------------------------------------------------------ */

/* one good commit, then a block starting with the given raw TLV, then a
 * commit that is fine on its own */
static struct e2fc_fc *good_then_raw(uint16_t tag, uint16_t len,
				     const void *val, unsigned vlen)
{
	struct fcw *w = one_good(4);

	fcw_tlv_raw(w, tag, len, val, vlen);
	fcw_next_block(w);
	w->crc = 0;		/* a new commit after the break */
	small_commit(w, 13, TID);
	return scan(w);
}

static void expect_break(uint16_t tag, uint16_t len, const void *val,
			 unsigned vlen, errcode_t want)
{
	struct e2fc_fc *fc = good_then_raw(tag, len, val, vlen);

	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->ncommits, 3);
	CU_ASSERT_EQUAL(fc->commits[1].reason, want);
	CU_ASSERT_EQUAL(fc->commits[1].ntags, 0);
	CU_ASSERT_FALSE(fc->commits[1].has_tail);
	CU_ASSERT_EQUAL(fc->commits[1].first_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->commits[2].reason, E2FC_ERR_FC_AFTER_STOP);
	CU_ASSERT_EQUAL(fc->commits[2].first_block, FIRST + 2);
	CU_ASSERT(fc->commits[2].has_tail);
	CU_ASSERT_EQUAL(fc->stop_reason, want);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->stop_offset, 0);
	e2fc_fc_free(fc);
}

static void test_bad_len(void)
{
	uint8_t v[400];

	memset(v, 'a', sizeof(v));
	expect_break(EXT4_FC_TAG_ADD_RANGE, 15, v, 15, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_ADD_RANGE, 17, v, 17, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_DEL_RANGE, 13, v, 13, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_DEL_RANGE, 0, v, 0, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_CREAT, 8, v, 8, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_LINK, 3, v, 3, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_UNLINK, 8 + 256, v, 8 + 256,
		     E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_INODE, 4 + 127, v, 4 + 127,
		     E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_TAIL, 7, v, 7, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_HEAD, 9, v, 9, E2FC_ERR_FC_BAD_LEN);
	expect_break(EXT4_FC_TAG_HEAD, 0, v, 0, E2FC_ERR_FC_BAD_LEN);
}

static void test_unknown_tag(void)
{
	uint8_t v[8] = { 0 };

	expect_break(0, 8, v, 8, E2FC_ERR_FC_UNKNOWN_TAG);
	expect_break(10, 0, v, 0, E2FC_ERR_FC_UNKNOWN_TAG);
	expect_break(0xFFFF, 4, v, 4, E2FC_ERR_FC_UNKNOWN_TAG);
}

static void test_truncated(void)
{
	/* value runs past the block end, len overflow */
	expect_break(EXT4_FC_TAG_PAD, BS - 3, NULL, 0, E2FC_ERR_FC_TRUNCATED);
	expect_break(EXT4_FC_TAG_INODE, 0xFFFF, NULL, 0, E2FC_ERR_FC_TRUNCATED);
	expect_break(EXT4_FC_TAG_TAIL, BS, NULL, 0, E2FC_ERR_FC_TRUNCATED);
	expect_break(77, 0xFFFF, NULL, 0, E2FC_ERR_FC_TRUNCATED);
}

static void test_truncated_mid_commit(void)
{
	struct fcw *w = one_good(4);
	struct e2fc_fc *fc;

	fcw_add_range(w, 13, 0, 1, 99, 0);		/* block 1 @0 */
	fcw_tlv_raw(w, EXT4_FC_TAG_DEL_RANGE, BS, NULL, 0);	/* @20 */
	fcw_next_block(w);
	w->crc = 0;
	small_commit(w, 14, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_TRUNCATED);
	CU_ASSERT_EQUAL(fc->commits[1].ntags, 1);	/* the ADD_RANGE */
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->stop_offset, 20);
	CU_ASSERT_EQUAL(fc->commits[2].reason, E2FC_ERR_FC_AFTER_STOP);
	e2fc_fc_free(fc);
}

static void test_names(void)
{
	struct fcw *w;
	struct e2fc_fc *fc;
	uint8_t v[8 + 256];
	char name[256];

	memset(v, 0, 8);
	memcpy(v + 8, "a\0b", 3);
	expect_break(EXT4_FC_TAG_CREAT, 11, v, 11, E2FC_ERR_BAD_NAME);
	memcpy(v + 8, "a/b", 3);
	expect_break(EXT4_FC_TAG_LINK, 11, v, 11, E2FC_ERR_BAD_NAME);
	memcpy(v + 8, "/", 1);
	expect_break(EXT4_FC_TAG_UNLINK, 9, v, 9, E2FC_ERR_BAD_NAME);

	/* 255 bytes is the longest name */
	memset(name, 'n', sizeof(name));
	w = fcw_new(BS, 2);
	fcw_head(w, 0, TID);
	fcw_dentry(w, EXT4_FC_TAG_CREAT, 2, 12, name, 255);
	fcw_dentry(w, EXT4_FC_TAG_CREAT, 2, 13, ".", 1);
	fcw_tail(w, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(tag_of(fc, 0, 1)->u.dentry.name_len, 255);
	CU_ASSERT_EQUAL(tag_of(fc, 0, 2)->u.dentry.name_len, 1);
	e2fc_fc_free(fc);
}

/* ---- HEAD rules -------------------------------------------------------- */

static void test_head_feature(void)
{
	struct fcw *w = fcw_new(BS, 3);
	struct e2fc_fc *fc;

	fcw_head(w, 0x1, TID);
	small_commit(w, 12, TID);
	small_commit(w, 13, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->replay_commits, 0);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_HEAD_FEATURE);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_AFTER_STOP);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_HEAD_FEATURE);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST);
	CU_ASSERT_EQUAL(tag_of(fc, 0, 0)->u.head.features, 1);
	e2fc_fc_free(fc);

	/* unknown features win over a wrong tid, like in the kernel */
	w = fcw_new(BS, 2);
	fcw_head(w, 0x80000000, TID - 3);
	small_commit(w, 12, TID - 3);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_HEAD_FEATURE);
	e2fc_fc_free(fc);
}

static void test_misplaced_head(void)
{
	struct fcw *w = one_good(3);
	struct e2fc_fc *fc;

	fcw_add_range(w, 13, 0, 1, 99, 0);
	fcw_head(w, 0, TID);			/* block 1, offset 20 */
	fcw_tail(w, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_MISPLACED_HEAD);
	CU_ASSERT_EQUAL(fc->commits[1].crc_stored,
			fc->commits[1].crc_computed);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_MISPLACED_HEAD);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->stop_offset, 20);
	e2fc_fc_free(fc);
}

/* ---- stale / empty ----------------------------------------------------- */

static void test_stale(void)
{
	struct fcw *w;
	struct e2fc_fc *fc;

	/* HEAD of an older transaction, with its commits */
	w = fcw_new(BS, 3);
	fcw_head(w, 0, TID - 2);
	small_commit(w, 12, TID - 2);
	small_commit(w, 13, TID - 2);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	CU_ASSERT_EQUAL(fc->ncommits, 2);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_STALE);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_STALE);
	CU_ASSERT_EQUAL(fc->commits[0].tid, TID - 2);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_STALE);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST);
	CU_ASSERT_EQUAL(fc->stop_offset, 0);
	e2fc_fc_free(fc);

	/* an area holding only a stale HEAD */
	w = fcw_new(BS, 2);
	fcw_head(w, 0, TID - 1);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	CU_ASSERT_EQUAL(fc->ncommits, 1);
	CU_ASSERT_EQUAL(fc->commits[0].ntags, 1);
	CU_ASSERT_EQUAL(fc->commits[0].tid, TID - 1);
	CU_ASSERT_FALSE(fc->commits[0].has_tail);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_NO_TAIL);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_STALE);
	e2fc_fc_free(fc);

	/* first TLV is not a HEAD */
	w = fcw_new(BS, 2);
	small_commit(w, 12, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_STALE);
	e2fc_fc_free(fc);

	/* first block unwritten, a good-looking commit after it */
	w = fcw_new(BS, 3);
	fcw_next_block(w);
	fcw_head(w, 0, TID);
	small_commit(w, 12, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	CU_ASSERT_EQUAL(fc->replay_commits, 0);
	CU_ASSERT_EQUAL(fc->commits[0].first_block, FIRST + 1);
	e2fc_fc_free(fc);

	/* journal clean: a perfect area is still stale */
	fc = scan_w(one_good(2), TID, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	CU_ASSERT_EQUAL(fc->commits[0].reason, E2FC_ERR_FC_STALE);
	CU_ASSERT_EQUAL(fc->replay_commits, 0);
	e2fc_fc_free(fc);
}

static void test_empty(void)
{
	struct e2fc_fc *fc;

	fc = scan(fcw_new(BS, 16));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_EMPTY);
	CU_ASSERT_EQUAL(fc->ncommits, 0);
	CU_ASSERT_EQUAL(fc->ntags, 0);
	CU_ASSERT_EQUAL(fc->stop_reason, 0);
	CU_ASSERT_EQUAL(fc->nblocks, 16);
	e2fc_fc_free(fc);

	fc = scan_w(fcw_new(BS, 4), TID, 1);		/* clean and empty */
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_EMPTY);
	e2fc_fc_free(fc);

	CU_ASSERT_EQUAL(e2fc_fc_scan_buf(NULL, 0, BS, FIRST, TID, 0, &fc), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_EMPTY);
	CU_ASSERT_EQUAL(fc->nblocks, 0);
	e2fc_fc_free(fc);
	e2fc_fc_free(NULL);
}

/* ---- tails, zero blocks, leftovers ------------------------------------- */

static void test_no_tail(void)
{
	struct fcw *w;
	struct e2fc_fc *fc;

	/* the last commit runs to the end of the area without a TAIL */
	w = one_good(2);
	fcw_add_range(w, 13, 0, 1, 99, 0);
	fcw_tlv_raw(w, EXT4_FC_TAG_PAD, BS - 24, NULL, BS - 24);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_NO_TAIL);
	CU_ASSERT_EQUAL(fc->commits[1].ntags, 2);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_NO_TAIL);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 2);
	CU_ASSERT_EQUAL(fc->stop_offset, 0);
	e2fc_fc_free(fc);

	/* ... or up to unwritten bytes; what follows is reported */
	w = one_good(5);
	fcw_add_range(w, 13, 0, 1, 99, 0);
	fcw_next_block(w);
	fcw_next_block(w);
	w->crc = 0;
	small_commit(w, 14, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->ncommits, 3);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_NO_TAIL);
	CU_ASSERT_EQUAL(fc->commits[1].last_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->stop_offset, 20);
	CU_ASSERT_EQUAL(fc->commits[2].reason, E2FC_ERR_FC_AFTER_STOP);
	CU_ASSERT_EQUAL(fc->commits[2].first_block, FIRST + 3);
	e2fc_fc_free(fc);

	/* the first commit has no TAIL */
	w = fcw_new(BS, 2);
	fcw_head(w, 0, TID);
	fcw_add_range(w, 13, 0, 1, 99, 0);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	CU_ASSERT_EQUAL(fc->replay_commits, 0);
	e2fc_fc_free(fc);
}

/* zero blocks between commits of the run are skipped silently */
static void test_zero_blocks_skipped(void)
{
	struct fcw *w = one_good(6);
	struct e2fc_fc *fc;

	fcw_next_block(w);
	fcw_next_block(w);
	small_commit(w, 13, TID - 1);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->ncommits, 2);
	CU_ASSERT_EQUAL(fc->commits[1].first_block, FIRST + 3);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_TID);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	e2fc_fc_free(fc);

	/* a good commit after a hole is not replayed: the kernel stops at
	 * the first unwritten block */
	w = one_good(4);
	fcw_next_block(w);
	small_commit(w, 13, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->ncommits, 2);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->commits[1].reason, E2FC_ERR_FC_AFTER_STOP);
	CU_ASSERT_EQUAL(fc->commits[1].crc_stored,
			fc->commits[1].crc_computed);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_AFTER_STOP);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 1);
	CU_ASSERT_EQUAL(fc->stop_offset, 0);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_CORRUPT);
	e2fc_fc_free(fc);

	/* zeros after a short TAIL inside a block are a hole too */
	w = fcw_new(BS, 3);
	fcw_head(w, 0, TID);
	fcw_add_range(w, 12, 0, 1, 99, 0);
	short_tail(w, TID);
	w->off += 100;				/* unwritten bytes */
	fcw_next_block(w);
	small_commit(w, 13, TID);
	fc = scan(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->replay_commits, 1);
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_AFTER_STOP);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST);
	CU_ASSERT_EQUAL(fc->stop_offset, 12 + 20 + 12);
	e2fc_fc_free(fc);

	/* trailing zero blocks after the last commit: nothing to say */
	fc = scan(one_good(5));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->stop_reason, 0);
	e2fc_fc_free(fc);
}

/* the kernel reuses the area from block 0 after a full commit */
static void test_leftovers(void)
{
	struct fcw *w = fcw_new(BS, 24);
	struct e2fc_fc *fc;
	uint8_t raw[256];
	unsigned i, k;

	fcw_make_inode(raw, sizeof(raw), 32);
	/* run 1, tid 10: a 3-block commit, then 5 one-block commits */
	fcw_begin(w, 10);
	for (i = 0; i < 8; i++)
		fcw_inode(w, 20 + i, raw, sizeof(raw));
	fcw_tail(w, 10);
	for (i = 0; i < 5; i++) {
		fcw_begin(w, 10);		/* no HEAD: not the first */
		small_commit(w, 30 + i, 10);
	}
	CU_ASSERT_EQUAL(w->blk, 8);
	/* full commit, run 2, tid 11: two commits in blocks 0 and 1 */
	fcw_full_commit(w);
	fcw_begin(w, 11);
	small_commit(w, 40, 11);
	fcw_begin(w, 11);
	small_commit(w, 41, 11);
	fc = scan_w(w, 11, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->replay_commits, 2);
	CU_ASSERT_EQUAL(fc->ncommits, 2 + 1 + 5);
	/* the fragment of run 1's big commit: wrong tid and crc */
	CU_ASSERT_EQUAL(fc->commits[2].reason, E2FC_ERR_FC_TID);
	CU_ASSERT_EQUAL(fc->commits[2].tid, 10);
	CU_ASSERT_EQUAL(fc->commits[2].first_block, FIRST + 2);
	CU_ASSERT(fc->commits[2].crc_stored != fc->commits[2].crc_computed);
	for (k = 3; k < fc->ncommits; k++) {
		CU_ASSERT_EQUAL(fc->commits[k].reason, E2FC_ERR_FC_TID);
		CU_ASSERT_EQUAL(fc->commits[k].crc_stored,
				fc->commits[k].crc_computed);
	}
	CU_ASSERT_EQUAL(fc->stop_reason, E2FC_ERR_FC_TID);
	CU_ASSERT_EQUAL(fc->stop_block, FIRST + 2);
	/* one HEAD in the area: run 2's, at block 0 offset 0 */
	for (k = 0, i = 0; k < fc->ntags; k++)
		i += fc->tags[k].tag == EXT4_FC_TAG_HEAD;
	CU_ASSERT_EQUAL(i, 1);
	CU_ASSERT_EQUAL(fc->tags[0].tag, EXT4_FC_TAG_HEAD);
	CU_ASSERT_EQUAL(fc->tags[0].u.head.tid, 11);
	e2fc_fc_free(fc);

	/* the same area read with run 1's tid: stale */
	w = fcw_new(BS, 4);
	fcw_begin(w, 10);
	small_commit(w, 30, 10);
	fcw_full_commit(w);
	fcw_begin(w, 11);
	small_commit(w, 40, 11);
	fc = scan_w(w, 10, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	e2fc_fc_free(fc);
}

/* ---- names and arguments ----------------------------------------------- */

static void test_names_of_things(void)
{
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_ADD_RANGE),
			       "ADD_RANGE");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_DEL_RANGE),
			       "DEL_RANGE");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_CREAT), "CREAT");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_LINK), "LINK");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_UNLINK), "UNLINK");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_INODE), "INODE");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_PAD), "PAD");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_TAIL), "TAIL");
	CU_ASSERT_STRING_EQUAL(e2fc_tag_name(EXT4_FC_TAG_HEAD), "HEAD");
	CU_ASSERT_PTR_NULL(e2fc_tag_name(0));
	CU_ASSERT_PTR_NULL(e2fc_tag_name(10));
	CU_ASSERT_PTR_NULL(e2fc_tag_name(0xFFFF));
	CU_ASSERT_STRING_EQUAL(e2fc_fc_state_name(E2FC_FC_EMPTY), "empty");
	CU_ASSERT_STRING_EQUAL(e2fc_fc_state_name(E2FC_FC_STALE), "stale");
	CU_ASSERT_STRING_EQUAL(e2fc_fc_state_name(E2FC_FC_REPLAYABLE),
			       "replayable");
	CU_ASSERT_STRING_EQUAL(e2fc_fc_state_name(E2FC_FC_CORRUPT),
			       "corrupt");
	CU_ASSERT_PTR_NOT_NULL(e2fc_fc_state_name((enum e2fc_fc_state)99));
}

static void test_bad_args(void)
{
	uint8_t *a = calloc(4, BS);
	struct e2fc_fc *fc = NULL;

	CU_ASSERT_EQUAL(e2fc_fc_scan_buf(a, 4, 0, FIRST, TID, 0, &fc),
			EXT2_ET_INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(e2fc_fc_scan_buf(a, 4, 13, FIRST, TID, 0, &fc),
			EXT2_ET_INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(e2fc_fc_scan_buf(a, 4, BS, FIRST, TID, 0, NULL),
			EXT2_ET_INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(e2fc_fc_scan_buf(NULL, 4, BS, FIRST, TID, 0, &fc),
			EXT2_ET_INVALID_ARGUMENT);
	CU_ASSERT_PTR_NULL(fc);
	free(a);	/* still ours after a failure */
}

/* a journal without an FC area: EMPTY, nothing read */
static void test_scan_journal_no_fc(void)
{
	struct e2fc_journal j;
	struct e2fc_fc *fc = NULL;

	memset(&j, 0, sizeof(j));
	j.blocksize = 4096;
	j.sb.blocksize = 4096;
	j.sb.maxlen = 1024;
	j.sb.start = 1;
	j.sb.sequence = 5;
	CU_ASSERT_EQUAL(e2fc_fc_scan(&j, NULL, &fc), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_EMPTY);
	CU_ASSERT_EQUAL(fc->nblocks, 0);
	CU_ASSERT_EQUAL(fc->expected_tid, 5);
	CU_ASSERT_PTR_NULL(fc->area);
	e2fc_fc_free(fc);
	CU_ASSERT_EQUAL(e2fc_fc_scan(NULL, NULL, &fc),
			EXT2_ET_INVALID_ARGUMENT);
	CU_ASSERT_EQUAL(e2fc_fc_scan(&j, NULL, NULL),
			EXT2_ET_INVALID_ARGUMENT);
}

/* ---- a block written by Linux 6.18 -------------------------------------- */

/*
 * The first FC block of a 1k-block crash image made on this project's test
 * machine (Linux 6.18, mke2fs -O fast_commit -b 1024, 256-byte inodes):
 * HEAD tid 20, INODE 32, ADD_RANGE, CREAT "r2_0" in dir 2049, INODE 32,
 * TAIL.  Bytes 396..1023 of the block are zero.
 */
static const uint8_t k618_block[] = {
	0x09, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
	0x06, 0x00, 0xa4, 0x00, 0x20, 0x00, 0x00, 0x00, 0xa4, 0x81, 0x00, 0x00,
	0xe8, 0x03, 0x00, 0x00, 0x01, 0x8d, 0x06, 0x6b, 0x01, 0x8d, 0x06, 0x6b,
	0x01, 0x8d, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x0a, 0xf3, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x19, 0x22, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x39, 0x89, 0x57, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x77, 0x25, 0x00, 0x00, 0x20, 0x00, 0x1b, 0x93, 0xe8, 0x44, 0x5d, 0x70,
	0xe8, 0x44, 0x5d, 0x70, 0xb4, 0x79, 0xd8, 0x6f, 0x01, 0x8d, 0x06, 0x6b,
	0xb4, 0x79, 0xd8, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x10, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x19, 0x22, 0x00, 0x00, 0x03, 0x00, 0x0c, 0x00,
	0x01, 0x08, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x72, 0x32, 0x5f, 0x30,
	0x06, 0x00, 0xa4, 0x00, 0x20, 0x00, 0x00, 0x00, 0xa4, 0x81, 0x00, 0x00,
	0xe8, 0x03, 0x00, 0x00, 0x01, 0x8d, 0x06, 0x6b, 0x01, 0x8d, 0x06, 0x6b,
	0x01, 0x8d, 0x06, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x0a, 0xf3, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x19, 0x22, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x39, 0x89, 0x57, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x77, 0x25, 0x00, 0x00, 0x20, 0x00, 0x1b, 0x93, 0xe8, 0x44, 0x5d, 0x70,
	0xe8, 0x44, 0x5d, 0x70, 0xb4, 0x79, 0xd8, 0x6f, 0x01, 0x8d, 0x06, 0x6b,
	0xb4, 0x79, 0xd8, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x7c, 0x02, 0x14, 0x00, 0x00, 0x00, 0x48, 0xf1, 0xa5, 0xde,
};

static void test_kernel_618_block(void)
{
	uint8_t *a = calloc(2, BS);
	const struct e2fc_tag *t;
	struct e2fc_inode in;
	struct e2fc_fc *fc = NULL;
	struct fcw *w;
	unsigned i;

	memcpy(a, k618_block, sizeof(k618_block));
	CU_ASSERT_EQUAL_FATAL(e2fc_fc_scan_buf(a, 2, BS, 4097, 20, 0, &fc), 0);
	check_invariants(fc);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_REPLAYABLE);
	CU_ASSERT_EQUAL(fc->ncommits, 1);
	CU_ASSERT_EQUAL(fc->ntags, 6);
	CU_ASSERT(fc->commits[0].valid);
	CU_ASSERT_EQUAL(fc->commits[0].crc_stored, 0xdea5f148);
	t = tag_of(fc, 0, 1);
	CU_ASSERT_EQUAL(t->tag, EXT4_FC_TAG_INODE);
	CU_ASSERT_EQUAL(t->u.inode.ino, 32);
	CU_ASSERT_EQUAL(t->u.inode.raw_len, 160);
	e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &in);
	CU_ASSERT_EQUAL(in.mode, 0100644);
	CU_ASSERT_EQUAL(in.size, 1000);
	CU_ASSERT_EQUAL(in.links, 1);
	CU_ASSERT_EQUAL(in.blocks, 2);
	CU_ASSERT_EQUAL(in.extra_isize, 32);
	CU_ASSERT(in.has_crtime);
	CU_ASSERT(in.eh_valid);
	CU_ASSERT_EQUAL(in.eh_ent[0].pblk, 8729);
	t = tag_of(fc, 0, 2);
	CU_ASSERT_EQUAL(t->u.add.ino, 32);
	CU_ASSERT_EQUAL(t->u.add.len, 1);
	CU_ASSERT_EQUAL(t->u.add.pblk, 8729);
	t = tag_of(fc, 0, 3);
	CU_ASSERT_EQUAL(t->u.dentry.parent, 2049);
	CU_ASSERT_NSTRING_EQUAL(t->u.dentry.name, "r2_0", 4);
	CU_ASSERT_EQUAL(tag_of(fc, 0, 5)->offset, 384);

	/* fcw writes the same bytes from the same tags */
	w = fcw_new(BS, 2);
	for (i = 0; i < 5; i++) {
		t = tag_of(fc, 0, i);
		fcw_tlv(w, t->tag, t->len, t->value);
	}
	fcw_tail(w, 20);
	CU_ASSERT_EQUAL(memcmp(w->buf, fc->area, 2 * BS), 0);
	fcw_free(w);
	e2fc_fc_free(fc);
}

/* ---- fuzz ------------------------------------------------------------- */

static uint32_t rnd_state = 0x2545F491;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* a plausible area: random tags and lengths, sometimes right */
static void fuzz_structured(uint8_t *a, uint32_t n, uint32_t bs)
{
	uint32_t b, off;

	for (b = 0; b < n; b++) {
		off = 0;
		while (off + 4 <= bs && rnd() % 16) {
			uint16_t tag = rnd() % 11;
			static const uint16_t lens[] = {
				8, 16, 12, 9, 132, 260
			};
			uint16_t len = rnd() % 3 ? lens[rnd() % 6] :
						   rnd() % 300;

			if (!(rnd() % 40))
				len = rnd();
			e2fc_put_le16(a + b * bs + off, tag);
			e2fc_put_le16(a + b * bs + off + 2, len);
			if (tag == EXT4_FC_TAG_TAIL && off + 12 <= bs)
				e2fc_put_le32(a + b * bs + off + 4,
					      rnd() % 2 ? TID : rnd());
			if (tag == EXT4_FC_TAG_HEAD && off + 12 <= bs)
				e2fc_put_le32(a + b * bs + off + 8,
					      rnd() % 2 ? TID : rnd());
			off += 4 + len;
		}
	}
}

/* a real area with a few bytes changed */
static uint8_t *fuzz_mutated(uint32_t n, uint32_t bs)
{
	struct fcw *w = fcw_new(bs, n);
	uint8_t raw[256];
	unsigned i, k;

	fcw_make_inode(raw, sizeof(raw), 32);
	fcw_head(w, 0, TID);
	for (i = 0; i < 3 * n; i++) {
		switch (rnd() % 6) {
		case 0:
			fcw_inode(w, i, raw, 128 + rnd() % 129);
			break;
		case 1:
			fcw_dentry(w, 3 + rnd() % 3, 2, i, "name",
				   1 + rnd() % 4);
			break;
		case 2:
			fcw_del_range(w, i, rnd(), rnd());
			break;
		case 3:
			fcw_tail(w, TID);
			break;
		default:
			fcw_add_range(w, i, rnd(), rnd(), rnd(), rnd() % 2);
		}
	}
	fcw_tail(w, TID);
	for (k = rnd() % 6; k > 0; k--)
		w->buf[rnd() % (n * bs)] ^= 1 << (rnd() % 8);
	return fcw_take(w);
}

static void test_fuzz(void)
{
	static const uint32_t sizes[] = { 64, 100, 256, 1024, 4096 };
	unsigned it, failures = 0;

	for (it = 0; it < 10000; it++) {
		uint32_t bs = sizes[rnd() % 5];
		uint32_t n = 1 + rnd() % (bs >= 1024 ? 6 : 16);
		struct e2fc_fc *fc = NULL;
		uint8_t *a;
		uint32_t i;

		switch (it % 3) {
		case 0:
			a = malloc((size_t)n * bs);
			for (i = 0; i < n * bs; i++)
				a[i] = rnd() % 4 ? 0 : rnd();
			break;
		case 1:
			a = calloc(n, bs);
			fuzz_structured(a, n, bs);
			break;
		default:
			a = fuzz_mutated(n, bs);
		}
		if (e2fc_fc_scan_buf(a, n, bs, FIRST, TID, rnd() % 8 == 0,
				     &fc)) {
			failures++;
			free(a);
			continue;
		}
		check_invariants(fc);
		CU_ASSERT(fc->state <= E2FC_FC_CORRUPT);
		e2fc_fc_free(fc);
	}
	CU_ASSERT_EQUAL(failures, 0);
}

/* ---- e2fc_fc_scan: the area read from a journal, a chunk at a time -------- */

/* the same verdict on the whole area? */
static int same_verdict(const struct e2fc_fc *a, const struct e2fc_fc *b)
{
	return a->state == b->state && a->ncommits == b->ncommits &&
	       a->replay_commits == b->replay_commits &&
	       a->replay_tags == b->replay_tags &&
	       a->stop_reason == b->stop_reason &&
	       a->stop_block == b->stop_block &&
	       a->stop_offset == b->stop_offset;
}

/* do the n tags at s (e2fc_fc_scan: tags' bytes copied, zero padding
 * left out) and at t (e2fc_fc_scan_buf on the same bytes) match? */
static int same_tags(const struct e2fc_tag *ts, const struct e2fc_tag *tt,
		     unsigned n)
{
	unsigned i, k;
	int same = 1;

	for (i = 0; same && i < n; i++) {
		const struct e2fc_tag *s = &ts[i], *t = &tt[i];

		same = s->tag == t->tag && s->len == t->len &&
		       s->block == t->block && s->offset == t->offset &&
		       t->held == t->len && s->held <= s->len &&
		       !memcmp(s->value - EXT4_FC_TL_SIZE,
			       t->value - EXT4_FC_TL_SIZE,
			       EXT4_FC_TL_SIZE + s->held);
		for (k = s->held; same && k < s->len; k++)
			same = t->value[k] == 0;
		/* the decoded fields, pointers apart */
		if (same && s->tag == EXT4_FC_TAG_ADD_RANGE)
			same = !memcmp(&s->u.add, &t->u.add, sizeof(s->u.add));
		if (same && s->tag == EXT4_FC_TAG_INODE)
			same = s->u.inode.ino == t->u.inode.ino &&
			       s->u.inode.raw == s->value + 4 &&
			       s->u.inode.raw_len == t->u.inode.raw_len;
		if (same && (s->tag == EXT4_FC_TAG_CREAT ||
			     s->tag == EXT4_FC_TAG_LINK ||
			     s->tag == EXT4_FC_TAG_UNLINK))
			same = s->u.dentry.name == s->value + 8 &&
			       s->u.dentry.ino == t->u.dentry.ino &&
			       s->u.dentry.parent == t->u.dentry.parent;
		if (same && s->tag == EXT4_FC_TAG_TAIL)
			same = s->u.tail.tid == t->u.tail.tid &&
			       s->u.tail.crc == t->u.tail.crc;
	}
	return same;
}

/* do a (e2fc_fc_scan) and b (e2fc_fc_scan_buf) decode the same? */
static int same_decode(const struct e2fc_fc *a, const struct e2fc_fc *b)
{
	unsigned i;
	int same = same_verdict(a, b) && a->ntags == b->ntags;

	for (i = 0; same && i < a->ncommits; i++)
		same = !memcmp(&a->commits[i], &b->commits[i],
			       sizeof(a->commits[i]));
	return same && same_tags(a->tags, b->tags, a->ntags);
}

/* e2fc_fc_scan_each: every commit as ref has it, in order */
struct each_check {
	const struct e2fc_fc	*ref;
	unsigned		seen;
	int			same;
};

static errcode_t check_commit(const struct e2fc_fc *fc,
			      const struct e2fc_commit *c, void *arg)
{
	struct each_check *k = arg;
	struct e2fc_commit r;

	if (c->index != k->seen++ || c->index >= k->ref->ncommits) {
		k->same = 0;
		return 0;
	}
	r = k->ref->commits[c->index];
	if (!same_tags(fc->tags + c->first_tag,
		       k->ref->tags + r.first_tag, r.ntags))
		k->same = 0;
	r.first_tag = c->first_tag;
	if (memcmp(&r, c, sizeof(r)))
		k->same = 0;
	return 0;
}

/* e2fc_fc_scan_each gives ref's commits and verdict, keeps no tags */
static int same_each(struct e2fc_journal *j, const struct e2fc_fc *ref)
{
	struct each_check k = { ref, 0, 1 };
	struct e2fc_fc *fc = NULL, *bare = NULL;
	int same;

	same = !e2fc_fc_scan_each(j, NULL, 0, check_commit, &k, &fc) &&
	       !e2fc_fc_scan_each(j, NULL, 0, NULL, NULL, &bare) &&
	       k.same && k.seen == ref->ncommits &&
	       same_verdict(fc, ref) && same_verdict(bare, ref) &&
	       !fc->ntags && !fc->tags && !fc->commits && !bare->commits;
	e2fc_fc_free(fc);
	e2fc_fc_free(bare);
	return same;
}

/* e2fc_dump_text prints what e2fc_print_text prints, e2fc_dump_json what
 * e2fc_print_json_ev prints (without E2FC_PRINT_RAW they leave the
 * padding unread) */
static int same_dump(struct e2fc_journal *j, const struct e2fc_fc *ref,
		     int flags, int json)
{
	struct e2fc_evidence ev = { .tool = "test", .tool_version = "1",
				     .input = "jbdw" };
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);
	struct e2fc_fc *fc = NULL;
	int same = fa && fb;

	if (same && json) {
		e2fc_print_json_ev(fa, j, NULL, ref, flags, &ev);
		same = !e2fc_dump_json(fb, j, NULL, flags, &ev, &fc);
	} else if (same) {
		e2fc_print_text(fa, j, NULL, ref, flags);
		same = !e2fc_dump_text(fb, j, NULL, flags, &fc);
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	same = same && na == nb && !memcmp(a, b, na) && fc &&
	       fc->state == ref->state;
	free(a);
	free(b);
	e2fc_fc_free(fc);
	return same;
}

/*
 * Put the n-block area a into the FC area of a journal file, decode it
 * with e2fc_fc_scan and with e2fc_fc_scan_buf, compare.  Returns how many
 * tags e2fc_fc_scan left padding out of, or -1 on a difference.
 */
static int scan_both(const uint8_t *a, uint32_t n, uint32_t bs)
{
	struct e2fc_fc *fc = NULL, *ref = NULL;
	struct e2fc_journal *j = NULL;
	struct jbdw jw;
	uint8_t *copy = malloc((size_t)n * bs);
	int ret = -1;
	unsigned i;

	jbdw_init(&jw, bs, n + 1 + JBD2_MIN_JOURNAL_BLOCKS, 0, n + 1);
	jbdw_sb(&jw, TID, 1);
	memcpy(jbdw_block(&jw, jw.maxlen - n), a, (size_t)n * bs);
	memcpy(copy, a, (size_t)n * bs);
	if (jbdw_open(&jw, &j) || j->sb.fc_blocks != n ||
	    e2fc_fc_scan(j, NULL, &fc) ||
	    e2fc_fc_scan_buf(copy, n, bs, j->sb.fc_first, TID, 0, &ref)) {
		free(copy);
		goto out;
	}
	CU_ASSERT_PTR_NULL(fc->area);
	/* the printers name an external journal */
	if (j->external && !j->ext_name)
		j->ext_name = strdup("jbdw");
	if (same_decode(fc, ref) && same_each(j, ref) &&
	    same_dump(j, fc, 0, 0) && same_dump(j, fc, E2FC_PRINT_RAW, 0) &&
	    same_dump(j, fc, 0, 1) && same_dump(j, fc, E2FC_PRINT_RAW, 1)) {
		ret = 0;
		for (i = 0; i < fc->ntags; i++)
			ret += fc->tags[i].held < fc->tags[i].len;
	}
out:
	e2fc_fc_free(fc);
	e2fc_fc_free(ref);
	jbdw_close(&jw, j);
	jbdw_free(&jw);
	return ret;
}

static void test_scan_journal_chunks(void)
{
	/* 1 KiB blocks: 600 blocks are several read chunks */
	struct fcw *w = fcw_new(BS, 600);
	uint8_t raw[256], one = 0x5a;
	unsigned i, tails = 0;
	int left_out;

	fcw_make_inode(raw, sizeof(raw), 32);
	for (i = 0; i < 500; i++) {
		CU_ASSERT_EQUAL_FATAL(fcw_begin(w, TID), 0);
		CU_ASSERT_EQUAL(fcw_inode(w, 20 + i, raw, sizeof(raw)), 0);
		if (i % 3 == 0)
			CU_ASSERT_EQUAL(fcw_dentry(w, EXT4_FC_TAG_CREAT, 2,
						   20 + i, "some name", 9), 0);
		if (i % 7 == 0) {	/* a commit over 2 blocks, a PAD */
			CU_ASSERT_EQUAL(fcw_inode(w, 20 + i, raw, 256), 0);
			CU_ASSERT_EQUAL(fcw_inode(w, 20 + i, raw, 256), 0);
			CU_ASSERT_EQUAL(fcw_inode(w, 20 + i, raw, 256), 0);
		}
		CU_ASSERT_EQUAL(fcw_add_range(w, 20 + i, i, 1, 9000 + i, 0),
				0);
		CU_ASSERT_EQUAL(fcw_tail(w, TID), 0);
		tails++;
		if (i == 400) {
			/* padding that is not zero is kept: a byte in the
			 * padding of the TAIL just written (not in its crc) */
			fcw_poke(w, w->blk - 1, BS - 3, &one, 1);
		}
	}
	CU_ASSERT_FALSE(w->overflow);
	left_out = scan_both(w->buf, 600, BS);
	/* every TAIL but the poked one (all run to the block end) */
	CU_ASSERT(left_out >= (int)tails - 1);
	/* a full commit: newer commits over older ones, leftovers after */
	fcw_full_commit(w);
	for (i = 0; i < 50; i++) {
		CU_ASSERT_EQUAL(fcw_begin(w, TID + 1), 0);
		CU_ASSERT_EQUAL(fcw_add_range(w, 5, i, 1, 100 + i, 1), 0);
		CU_ASSERT_EQUAL(fcw_tail(w, TID + 1), 0);
	}
	CU_ASSERT(scan_both(w->buf, 600, BS) > 0);
	fcw_free(w);
}

/* the printed lines that hold mark (at most max), each from mark on */
static unsigned marked_lines(char *text, const char *mark, char **line,
			     unsigned max)
{
	unsigned n = 0;
	char *p, *save = NULL;

	for (p = strtok_r(text, "\n", &save); p && n < max;
	     p = strtok_r(NULL, "\n", &save))
		if (strstr(p, mark))
			line[n++] = strstr(p, mark);
	return n;
}

/*
 * The printers keep the last inode printed and copy it when the next
 * INODE tag logs the same bytes: a repeated inode prints as the first
 * one, and an inode that differs in one byte (the size, or the last byte
 * of i_block, which only JSON shows) or is printed in the other form
 * does not come out of the kept copy.
 */
static void test_print_inode_repeats(void)
{
	struct fcw *w = fcw_new(BS, 4);
	struct e2fc_fc *fc = NULL;
	struct e2fc_journal *j = NULL;
	struct jbdw jw;
	uint8_t raw[256];
	char *text = NULL, *json = NULL, *line[8];
	size_t ntext = 0, njson = 0;
	FILE *f;

	fcw_make_inode(raw, sizeof(raw), 32);
	CU_ASSERT_EQUAL_FATAL(fcw_begin(w, TID), 0);
	CU_ASSERT_EQUAL(fcw_inode(w, 20, raw, sizeof(raw)), 0);
	CU_ASSERT_EQUAL(fcw_inode(w, 20, raw, sizeof(raw)), 0);
	raw[4]++;				/* i_size */
	CU_ASSERT_EQUAL(fcw_inode(w, 20, raw, sizeof(raw)), 0);
	raw[0x28 + 59]++;			/* the end of i_block */
	CU_ASSERT_EQUAL(fcw_inode(w, 20, raw, sizeof(raw)), 0);
	CU_ASSERT_EQUAL(fcw_tail(w, TID), 0);
	jbdw_init(&jw, BS, 4 + 1 + JBD2_MIN_JOURNAL_BLOCKS, 0, 4 + 1);
	jbdw_sb(&jw, TID, 1);
	memcpy(jbdw_block(&jw, jw.maxlen - 4), w->buf, 4 * BS);
	CU_ASSERT_EQUAL_FATAL(jbdw_open(&jw, &j), 0);
	CU_ASSERT_EQUAL_FATAL(e2fc_fc_scan(j, NULL, &fc), 0);
	if (j->external && !j->ext_name)	/* the printers name it */
		j->ext_name = strdup("jbdw");
	f = open_memstream(&text, &ntext);
	e2fc_print_text(f, j, NULL, fc, 0);
	fclose(f);
	f = open_memstream(&json, &njson);
	e2fc_print_json(f, j, NULL, fc, 0);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(marked_lines(text, "INODE ino", line, 8), 4);
	CU_ASSERT_STRING_EQUAL(line[0], line[1]);
	CU_ASSERT_STRING_NOT_EQUAL(line[1], line[2]);
	CU_ASSERT_STRING_EQUAL(line[2], line[3]);	/* i_block: not shown */
	CU_ASSERT_EQUAL_FATAL(marked_lines(json, "\"tag\": \"INODE\"", line,
					   8), 4);
	CU_ASSERT_STRING_EQUAL(strstr(line[0], "\"inode\""),
			       strstr(line[1], "\"inode\""));
	CU_ASSERT_STRING_NOT_EQUAL(line[1], line[2]);
	CU_ASSERT_STRING_NOT_EQUAL(line[2], line[3]);
	CU_ASSERT_PTR_NULL(strstr(json, " mode 0"));	/* no text in JSON */
	free(text);
	free(json);
	e2fc_fc_free(fc);
	jbdw_close(&jw, j);
	jbdw_free(&jw);
	fcw_free(w);
}

static void test_scan_journal_fuzz(void)
{
	static const uint32_t sizes[] = { 1024, 2048, 4096 };
	unsigned it, bad = 0;

	for (it = 0; it < 60; it++) {
		uint32_t bs = sizes[rnd() % 3];
		uint32_t n = 1 + rnd() % 300;
		uint8_t *a;

		if (it % 2) {
			a = calloc(n, bs);
			fuzz_structured(a, n, bs);
		} else {
			a = fuzz_mutated(n, bs);
		}
		bad += scan_both(a, n, bs) < 0;
		free(a);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static CU_TestInfo fc_scan_tests[] = {
	{ "every tag decoded field by field", test_decode_tags },
	{ "crc is crc32c from HEAD to the tail tid", test_crc_definition },
	{ "inode: every field, unaligned", test_inode_full },
	{ "inode: extra fields follow i_extra_isize", test_inode_extra_isize },
	{ "inode: extent root, index, inline data", test_inode_extent_root },
	{ "multi-block commit with PADs", test_multi_block_commit },
	{ "PAD of length 0 at the block end", test_pad_len_zero },
	{ "TLV ending exactly at the block end", test_tlv_ends_at_block_end },
	{ "TLVs after a short TAIL start a commit", test_tail_mid_block },
	{ "2020 kernel layout (one spare byte)", test_old_kernel_layout },
	{ "TLVs at odd offsets", test_unaligned_tlvs },
	{ "crc covers HEAD and PAD, not TAIL padding",
	  test_crc_covers_pad_and_head },
	{ "bad crc: first commit, torn last commit", test_crc_bad },
	{ "wrong tid", test_wrong_tid },
	{ "bad length per tag", test_bad_len },
	{ "unknown tag", test_unknown_tag },
	{ "truncated TLV and len overflow", test_truncated },
	{ "truncated TLV inside a commit", test_truncated_mid_commit },
	{ "names with NUL or '/', name lengths", test_names },
	{ "HEAD with unknown features", test_head_feature },
	{ "misplaced HEAD", test_misplaced_head },
	{ "stale areas", test_stale },
	{ "empty areas", test_empty },
	{ "commit without a TAIL", test_no_tail },
	{ "zero blocks: skipped, but end the prefix",
	  test_zero_blocks_skipped },
	{ "leftovers of an older run after the valid prefix", test_leftovers },
	{ "tag and state names", test_names_of_things },
	{ "bad arguments", test_bad_args },
	{ "journal without an FC area", test_scan_journal_no_fc },
	{ "a block written by Linux 6.18", test_kernel_618_block },
	{ "fuzz: 10000 random areas", test_fuzz },
	{ "e2fc_fc_scan in chunks == e2fc_fc_scan_buf == each, and dumped",
	  test_scan_journal_chunks },
	{ "a repeated inode prints as the first, a changed one anew",
	  test_print_inode_repeats },
	{ "e2fc_fc_scan == e2fc_fc_scan_buf == e2fc_fc_scan_each, "
	  "e2fc_dump_text == e2fc_print_text, on 60 random areas",
	  test_scan_journal_fuzz },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("fc_scan", fc_scan_tests);
