// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * journal.c -- find the jbd2 journal of a file system (its inode, or an
 * external journal device), decode its superblock, and map logical
 * journal blocks to physical blocks.
 *
 * Logical block 0 is always the journal superblock.  In an inode journal,
 * logical block n is the inode's block n.  On an external journal device
 * the log uses absolute device block numbers (s_first is the block after
 * the journal superblock, s_maxlen the device size in blocks), and the
 * journal superblock sits in the block after the one holding the ext2
 * superblock (byte 1024): device block 2 with 1k blocks, 1 otherwise.  So
 * logical block n is device block n there, except logical block 0, which
 * is that superblock.
 * Checked with mke2fs 1.47.0 and Linux 6.18: a 4 MiB "mke2fs -O journal_dev
 * -b 1024" device has the jbd2 superblock at device block 2, s_first 3,
 * s_maxlen 4096 (= device blocks); with -b 4096 it is at block 1, s_first
 * 2, s_maxlen 1024; the kernel's first transaction after mounting with
 * journal_path= starts at device block s_first (tests/unit/data/ext1k*).
 *
 * The map is a sorted array of runs of physically contiguous blocks (a
 * journal inode is one to a few extents), not one entry per block: 640
 * KiB of fresh pages for the default 81,920-block journal.
 */
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"
#include "fc_array.h"

static uint32_t jsb_csum(const uint8_t *buf)
{
	uint8_t tmp[JSB_SIZE];

	memcpy(tmp, buf, JSB_SIZE);
	memset(tmp + JSB_CHECKSUM, 0, 4);
	return e2fc_crc32c(~0U, tmp, JSB_SIZE);
}

static errcode_t jsb_geometry(struct e2fc_jsb *sb)
{
	uint32_t bs = sb->blocksize;

	if (bs < 1024 || bs > 65536 || (bs & (bs - 1)))
		return E2FC_ERR_JSB_GEOMETRY;
	if (sb->first < 1 || sb->first >= sb->maxlen)
		return E2FC_ERR_JSB_GEOMETRY;
	sb->num_fc_blks = 0;
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_FAST_COMMIT))
		sb->num_fc_blks = sb->num_fc_blks_raw ?
			sb->num_fc_blks_raw : JBD2_DEFAULT_FC_BLOCKS;
	/* the normal log must keep JBD2_MIN_JOURNAL_BLOCKS blocks: the
	 * kernel (jbd2_journal_initialize_fast_commit) and e2fsck refuse a
	 * journal whose FC area leaves fewer */
	if (sb->num_fc_blks &&
	    sb->maxlen < (uint64_t)sb->num_fc_blks + JBD2_MIN_JOURNAL_BLOCKS)
		return E2FC_ERR_JSB_FC_SIZE;
	if (sb->num_fc_blks >= sb->maxlen - sb->first)
		return E2FC_ERR_JSB_GEOMETRY;
	sb->log_end = sb->maxlen - sb->num_fc_blks;
	if (sb->num_fc_blks) {
		sb->fc_first = sb->log_end + 1;
		sb->fc_blocks = sb->maxlen - sb->fc_first;
	} else {
		sb->fc_first = sb->maxlen;
		sb->fc_blocks = 0;
	}
	if (sb->start && (sb->start < sb->first || sb->start >= sb->log_end))
		return E2FC_ERR_JSB_GEOMETRY;
	return 0;
}

errcode_t e2fc_jsb_decode(const void *buf, struct e2fc_jsb *sb)
{
	const uint8_t *b = buf;

	memset(sb, 0, sizeof(*sb));
	if (e2fc_get_be32(b) != JBD2_MAGIC)
		return E2FC_ERR_JSB_MAGIC;
	sb->blocktype = e2fc_get_be32(b + JBD2_HDR_BLOCKTYPE);
	if (sb->blocktype != JBD2_BT_SB_V1 && sb->blocktype != JBD2_BT_SB_V2)
		return E2FC_ERR_JSB_VERSION;
	sb->blocksize = e2fc_get_be32(b + JSB_BLOCKSIZE);
	sb->maxlen = e2fc_get_be32(b + JSB_MAXLEN);
	sb->first = e2fc_get_be32(b + JSB_FIRST);
	sb->sequence = e2fc_get_be32(b + JSB_SEQUENCE);
	sb->start = e2fc_get_be32(b + JSB_START);
	sb->errno_val = (int32_t)e2fc_get_be32(b + JSB_ERRNO);
	if (sb->blocktype == JBD2_BT_SB_V2) {
		sb->feature_compat = e2fc_get_be32(b + JSB_FEATURE_COMPAT);
		sb->feature_incompat = e2fc_get_be32(b + JSB_FEATURE_INCOMPAT);
		sb->feature_ro_compat =
			e2fc_get_be32(b + JSB_FEATURE_RO_COMPAT);
		memcpy(sb->uuid, b + JSB_UUID, 16);
		sb->nr_users = e2fc_get_be32(b + JSB_NR_USERS);
		sb->checksum_type = b[JSB_CHECKSUM_TYPE];
		sb->num_fc_blks_raw = e2fc_get_be32(b + JSB_NUM_FC_BLKS);
		sb->checksum = e2fc_get_be32(b + JSB_CHECKSUM);
	}
	if (e2fc_jsb_csum_v23(sb)) {
		sb->csum_present = 1;
		sb->checksum_computed = jsb_csum(b);
		sb->csum_ok = sb->checksum_computed == sb->checksum;
		sb->csum_seed = e2fc_crc32c(~0U, sb->uuid, 16);
	}
	if (sb->feature_incompat & ~JBD2_KNOWN_INCOMPAT)
		return E2FC_ERR_UNSUPP_JOURNAL_FEATURE;
	return jsb_geometry(sb);
}

/* the runs of a journal being mapped, in logical order */
struct run_build {
	struct e2fc_journal *j;
	unsigned	cap;	/* of j->runs */
	blk64_t		next;	/* the end of the last piece added */
	int		hole;	/* a gap before s_maxlen */
	errcode_t	err;	/* why the block iteration stopped */
};

/*
 * map logical blocks lblk .. lblk+len-1 to pblk ..: merged into the last
 * run when physically contiguous with it.  A piece starting before the
 * end of the last one is an overlap or the wrong order (a hostile extent
 * tree); after it, a hole (noted: the walk goes on, so that a later piece
 * out of order is told from a hole).  Blocks from s_maxlen on are no part
 * of the log: only their order is checked.
 */
static errcode_t add_run(struct run_build *b, blk64_t lblk, blk64_t len,
			 blk64_t pblk)
{
	struct e2fc_journal *j = b->j;
	struct e2fc_jrun *r = j->nruns ? &j->runs[j->nruns - 1] : NULL;
	blk64_t maxlen = j->sb.maxlen;
	errcode_t err;

	if (lblk < b->next)
		return E2FC_ERR_JOURNAL_OVERLAP;
	if (lblk > b->next && b->next < maxlen)
		b->hole = 1;
	b->next = lblk + len;
	if (lblk >= maxlen || !len)
		return 0;
	if (len > maxlen - lblk)
		len = maxlen - lblk;
	if (r && r->pblk + r->len == pblk) {
		r->len += len;
		return 0;
	}
	err = e2fc_array_grow(&j->runs, &b->cap, j->nruns + 1,
			      sizeof(*j->runs));
	if (err)
		return err;
	r = &j->runs[j->nruns++];
	r->lblk = lblk;
	r->len = len;
	r->pblk = pblk;
	return 0;
}

static int map_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt,
		     blk64_t ref_blk, int ref_offset, void *priv)
{
	struct run_build *b = priv;

	(void)fs; (void)ref_blk; (void)ref_offset;
	if (blockcnt < 0)
		return 0;
	if ((blk64_t)blockcnt >= b->j->sb.maxlen)
		return BLOCK_ABORT;
	b->err = add_run(b, blockcnt, 1, *blocknr);
	return b->err ? BLOCK_ABORT : 0;
}

/* walk the leaf extents of an extent-mapped journal inode */
static errcode_t map_extents(struct run_build *b, ext2_ino_t ino,
			     struct ext2_inode *inode)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent ext;
	errcode_t err;
	int op = EXT2_EXTENT_ROOT;

	err = ext2fs_extent_open2(b->j->fs, ino, inode, &h);
	if (err)
		return err;
	while ((err = ext2fs_extent_get(h, op, &ext)) == 0) {
		op = EXT2_EXTENT_NEXT;
		if (!(ext.e_flags & EXT2_EXTENT_FLAGS_LEAF) ||
		    (ext.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT))
			continue;
		err = add_run(b, ext.e_lblk, ext.e_len, ext.e_pblk);
		if (err)
			break;
	}
	ext2fs_extent_free(h);
	return err == EXT2_ET_EXTENT_NO_NEXT ? 0 : err;
}

/* the blocks of an indirect-mapped journal inode, in logical order */
static errcode_t map_indirect(struct run_build *b, ext2_ino_t ino)
{
	errcode_t err;

	err = ext2fs_block_iterate3(b->j->fs, ino, BLOCK_FLAG_READ_ONLY |
				    BLOCK_FLAG_DATA_ONLY, NULL, map_block, b);
	return err ? err : b->err;
}

/*
 * map the journal inode's blocks (extent tree walk, or one block-map
 * iteration for an indirect-mapped journal) into runs covering the whole
 * log; every block must be inside the fs (block 0 is no block: bmap's
 * answer for a hole, which the kernel refuses)
 */
static errcode_t map_inode_journal(struct e2fc_journal *j, ext2_ino_t ino,
				   struct ext2_inode *inode)
{
	struct ext2_super_block *s = j->fs->super;
	struct run_build b = { .j = j };
	errcode_t err;
	unsigned i;

	if (inode->i_flags & EXT4_EXTENTS_FL)
		err = map_extents(&b, ino, inode);
	else
		err = map_indirect(&b, ino);
	if (err)
		return err;
	if (b.hole || b.next < j->sb.maxlen)
		return E2FC_ERR_JOURNAL_HOLE;
	for (i = 0; i < j->nruns; i++)
		if (!j->runs[i].pblk ||
		    j->runs[i].pblk < s->s_first_data_block ||
		    j->runs[i].pblk + j->runs[i].len > ext2fs_blocks_count(s))
			return E2FC_ERR_JOURNAL_HOLE;
	return 0;
}

/* the device block of an external journal's superblock: the one after
 * the ext2 superblock */
static blk64_t ext_jsb_block(const struct e2fc_journal *j)
{
	return j->blocksize == 1024 ? 2 : 1;
}

/* an external journal: device block n is logical block n, except that
 * logical block 0 is the journal superblock */
static errcode_t map_external(struct e2fc_journal *j)
{
	struct run_build b = { .j = j };
	errcode_t err;

	err = add_run(&b, 0, 1, ext_jsb_block(j));
	if (!err)
		err = add_run(&b, 1, j->sb.maxlen - 1, 1);
	return err;
}

static errcode_t open_external(struct e2fc_journal *j, const char *name,
			       int flags)
{
	ext2_filsys fs = j->fs;
	uint8_t esb[SB_SIZE];
	errcode_t err;
	unsigned bs = fs->blocksize;
	int ioflags = (flags & E2FC_JOPEN_RW) ? IO_FLAG_RW : 0;
	io_manager mgr = (flags & E2FC_JOPEN_OVERLAY) ?
			 e2fc_overlay_io_manager : unix_io_manager;

	err = mgr->open(name, ioflags, &j->ext_io);
	if (err)
		return err;
	j->ext_name = strdup(name);
	if (!j->ext_name)
		return EXT2_ET_NO_MEMORY;
	err = io_channel_set_blksize(j->ext_io, SB_SIZE);
	if (!err)
		err = io_channel_read_blk64(j->ext_io, 1, 1, esb);
	if (err)
		return err;
	if (e2fc_get_le16(esb + SB_MAGIC) != EXT2_SUPER_MAGIC ||
	    !(e2fc_get_le32(esb + SB_FEATURE_INCOMPAT) &
	      EXT3_FEATURE_INCOMPAT_JOURNAL_DEV))
		return E2FC_ERR_EXT_JOURNAL_BAD;
	if (memcmp(esb + SB_UUID, fs->super->s_journal_uuid, 16))
		return E2FC_ERR_EXT_JOURNAL_UUID;
	if (e2fc_get_le32(esb + SB_LOG_BLOCK_SIZE) > 16 ||
	    (1024U << e2fc_get_le32(esb + SB_LOG_BLOCK_SIZE)) != bs)
		return E2FC_ERR_JSB_BLOCKSIZE;
	return io_channel_set_blksize(j->ext_io, bs);
}

static errcode_t read_jsb(struct e2fc_journal *j, blk64_t pblk)
{
	io_channel io = j->external ? j->ext_io : j->fs->io;
	uint8_t *buf;
	errcode_t err;

	err = ext2fs_get_mem(j->blocksize, &buf);
	if (err)
		return err;
	err = io_channel_read_blk64(io, pblk, 1, buf);
	if (!err)
		err = e2fc_jsb_decode(buf, &j->sb);
	ext2fs_free_mem(&buf);
	if (!err && j->sb.blocksize != j->blocksize)
		err = E2FC_ERR_JSB_BLOCKSIZE;
	return err;
}

static errcode_t journal_setup(struct e2fc_journal *j, const char *ext_name,
			       int flags)
{
	ext2_filsys fs = j->fs;
	struct ext2_super_block *s = fs->super;
	struct ext2_inode inode;
	blk64_t pblk = 0, devblocks;
	errcode_t err;

	if (!ext2fs_has_feature_journal(s))
		return E2FC_ERR_NO_JOURNAL;
	if (ext_name || !s->s_journal_inum) {
		if (!ext_name)
			return E2FC_ERR_EXT_JOURNAL_NEEDED;
		j->external = 1;
		err = open_external(j, ext_name, flags);
		if (err)
			return err;
		err = read_jsb(j, ext_jsb_block(j));
		if (err)
			return err;
		err = ext2fs_get_device_size2(ext_name, j->blocksize,
					      &devblocks);
		if (!err && devblocks < j->sb.maxlen)
			return E2FC_ERR_JOURNAL_SHORT;
		return map_external(j);
	}
	err = ext2fs_read_inode(fs, s->s_journal_inum, &inode);
	if (err)
		return err;
	err = ext2fs_bmap2(fs, s->s_journal_inum, &inode, NULL, 0, 0, NULL,
			   &pblk);
	if (err)
		return err;
	if (!pblk)
		return E2FC_ERR_JOURNAL_HOLE;
	err = read_jsb(j, pblk);
	if (err)
		return err;
	if ((uint64_t)j->sb.maxlen * j->blocksize > EXT2_I_SIZE(&inode))
		return E2FC_ERR_JOURNAL_SHORT;
	return map_inode_journal(j, s->s_journal_inum, &inode);
}

errcode_t e2fc_journal_open(ext2_filsys fs, const char *ext_journal,
			    int flags, struct e2fc_journal **jp)
{
	struct e2fc_journal *j;
	errcode_t err;

	*jp = NULL;
	err = ext2fs_get_memzero(sizeof(*j), &j);
	if (err)
		return err;
	j->fs = fs;
	j->blocksize = fs->blocksize;
	err = journal_setup(j, ext_journal, flags);
	if (err) {
		e2fc_journal_close(j);
		return err;
	}
	*jp = j;
	return 0;
}

void e2fc_journal_close(struct e2fc_journal *j)
{
	if (!j)
		return;
	if (j->ext_io)
		io_channel_close(j->ext_io);
	free(j->ext_name);
	ext2fs_free_mem(&j->runs);
	ext2fs_free_mem(&j);
}

/* the run holding logical block lblk; NULL outside the journal */
static const struct e2fc_jrun *find_run(const struct e2fc_journal *j,
					blk64_t lblk)
{
	unsigned lo = 0, hi = j->nruns, mid;

	while (lo < hi) {		/* the first run starting after lblk */
		mid = lo + (hi - lo) / 2;
		if (j->runs[mid].lblk <= lblk)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || lblk - j->runs[lo - 1].lblk >= j->runs[lo - 1].len)
		return NULL;
	return &j->runs[lo - 1];
}

blk64_t e2fc_journal_bmap(const struct e2fc_journal *j, blk64_t lblk,
			  blk64_t *pblk)
{
	const struct e2fc_jrun *r = find_run(j, lblk);

	*pblk = 0;
	if (!r)
		return 0;
	*pblk = r->pblk + (lblk - r->lblk);
	return r->len - (lblk - r->lblk);
}

blk64_t e2fc_journal_pblk(const struct e2fc_journal *j, blk64_t lblk)
{
	blk64_t pblk;

	e2fc_journal_bmap(j, lblk, &pblk);
	return pblk;
}

/* read or write lblk .. lblk+count-1 through io, one call per physically
 * contiguous run (of at most 65536 blocks) */
static errcode_t journal_io(struct e2fc_journal *j, io_channel io,
			    blk64_t lblk, unsigned count, uint8_t *buf,
			    int write)
{
	errcode_t err;
	blk64_t run, pblk;

	if (lblk >= j->sb.maxlen || count > j->sb.maxlen - lblk)
		return E2FC_ERR_JOURNAL_SHORT;
	while (count) {
		run = e2fc_journal_bmap(j, lblk, &pblk);
		if (!run)
			return E2FC_ERR_JOURNAL_SHORT;
		if (run > count)
			run = count;
		if (run > 65536)
			run = 65536;
		if (write)
			err = io_channel_write_blk64(io, pblk, run, buf);
		else
			err = io_channel_read_blk64(io, pblk, run, buf);
		if (err)
			return err;
		buf += (size_t)run * j->blocksize;
		lblk += run;
		count -= run;
	}
	return 0;
}

static io_channel journal_chan(struct e2fc_journal *j)
{
	return j->external ? j->ext_io : j->fs->io;
}

errcode_t e2fc_journal_read(struct e2fc_journal *j, blk64_t lblk,
			    unsigned count, void *buf)
{
	return journal_io(j, journal_chan(j), lblk, count, buf, 0);
}

errcode_t e2fc_journal_write(struct e2fc_journal *j, blk64_t lblk,
			     unsigned count, const void *buf)
{
	return journal_io(j, journal_chan(j), lblk, count, (uint8_t *)buf, 1);
}

errcode_t e2fc_journal_io(struct e2fc_journal *j, io_channel io, blk64_t lblk,
			  unsigned count, void *buf, int write)
{
	return journal_io(j, io, lblk, count, buf, write);
}

void e2fc_jsb_set_start(uint8_t *buf, uint32_t start, uint32_t sequence)
{
	e2fc_put_be32(buf + JSB_START, start);
	e2fc_put_be32(buf + JSB_SEQUENCE, sequence);
	if (e2fc_get_be32(buf + JBD2_HDR_BLOCKTYPE) == JBD2_BT_SB_V2 &&
	    (e2fc_get_be32(buf + JSB_FEATURE_INCOMPAT) &
	     (JBD2_FEATURE_INCOMPAT_CSUM_V2 | JBD2_FEATURE_INCOMPAT_CSUM_V3)))
		e2fc_put_be32(buf + JSB_CHECKSUM, jsb_csum(buf));
}

errcode_t e2fc_journal_reset(struct e2fc_journal *j, uint32_t next_tid)
{
	uint8_t *buf;
	errcode_t err;

	err = ext2fs_get_mem(j->blocksize, &buf);
	if (err)
		return err;
	err = e2fc_journal_read(j, 0, 1, buf);
	if (err)
		goto out;
	e2fc_jsb_set_start(buf, 0, next_tid);
	err = e2fc_journal_write(j, 0, 1, buf);
	if (!err)
		err = e2fc_jsb_decode(buf, &j->sb);
out:
	ext2fs_free_mem(&buf);
	return err;
}

errcode_t e2fc_journal_check_write(const struct e2fc_journal *j)
{
	if (j->sb.csum_present && !j->sb.csum_ok)
		return E2FC_ERR_JSB_CSUM;
	if (j->sb.blocktype == JBD2_BT_SB_V2 && j->sb.feature_ro_compat)
		return E2FC_ERR_JSB_RO_COMPAT;
	return 0;
}
