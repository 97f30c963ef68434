// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * jbd2_write.c -- append one complete transaction to the jbd2 log.
 *
 * fc_writeback.c uses it to make e2fc's own replay crash-safe.  The layout
 * is the one jbd2_log.c (and the kernel's recovery) reads: descriptor
 * blocks, each followed by the data blocks its tags name, then one commit
 * block.  In every descriptor the first tag is followed by the journal
 * UUID and the others carry SAME_UUID; the last one carries LAST_TAG.  A
 * data block that starts with the jbd2 magic is written with those four
 * bytes zeroed and the ESCAPE flag.  Checksums follow the journal's
 * features: csum v3 (32-bit tag checksums), v2 (16-bit), both with a
 * descriptor tail and a commit block checksum; or COMPAT_CHECKSUM (v1:
 * crc32_be of the descriptors and data blocks in the commit block); or
 * none.  Tag and commit checksums cover the blocks as written to the log
 * (escaped).
 */
#include <string.h>
#include "e2fc.h"

static int compat_v1(const struct e2fc_jsb *sb)
{
	return sb->blocktype == JBD2_BT_SB_V2 && !e2fc_jsb_csum_v23(sb) &&
	       (sb->feature_compat & JBD2_FEATURE_COMPAT_CHECKSUM);
}

/* tags one descriptor block holds */
static uint32_t tags_per_desc(const struct e2fc_jsb *sb)
{
	unsigned tb = e2fc_jbd2_tag_bytes(sb);
	unsigned space = sb->blocksize - JBD2_HDR_SIZE;

	if (e2fc_jsb_csum_v23(sb))
		space -= JBD2_BLOCK_TAIL_SIZE;
	return 1 + (space - tb - JBD2_TAG_UUID_SIZE) / tb;
}

uint32_t e2fc_txn_blocks(const struct e2fc_jsb *sb, uint32_t n)
{
	uint32_t per = tags_per_desc(sb);

	return (n + per - 1) / per + n + 1;
}

uint32_t e2fc_log_head(const struct e2fc_journal *j,
		       const struct e2fc_log *log)
{
	unsigned i;

	if (!log->start_block)
		return j->sb.first;
	for (i = log->ntrans; i > 0; i--)
		if (log->trans[i - 1].complete)
			return e2fc_log_next(&j->sb,
					     log->trans[i - 1].commit_block);
	return log->start_block;
}

uint32_t e2fc_log_free_blocks(const struct e2fc_journal *j,
			      const struct e2fc_log *log)
{
	uint32_t first = j->sb.first, end = j->sb.log_end;
	uint32_t head = e2fc_log_head(j, log), start = log->start_block;
	uint32_t size = end - first, used;

	if (end <= first)
		return 0;
	if (!start)
		return size;
	used = head >= start ? head - start : (end - start) + (head - first);
	return used + 1 >= size ? 0 : size - used - 1;
}

struct txn {
	struct e2fc_journal	*j;
	io_channel		io;
	const struct e2fc_jsb	*sb;
	unsigned		bs;
	uint32_t		tid;
	uint32_t		pos;		/* next log block */
	uint32_t		v1sum;		/* COMPAT_CHECKSUM running crc */
};

static errcode_t put_block(struct txn *t, void *buf)
{
	errcode_t err;

	if (compat_v1(t->sb))
		t->v1sum = ext2fs_crc32_be(t->v1sum, buf, t->bs);
	err = e2fc_journal_io(t->j, t->io, t->pos, 1, buf, 1);
	t->pos = e2fc_log_next(t->sb, t->pos);
	return err;
}

static void header(uint8_t *b, uint32_t type, uint32_t tid)
{
	e2fc_put_be32(b + JBD2_HDR_MAGIC, JBD2_MAGIC);
	e2fc_put_be32(b + JBD2_HDR_BLOCKTYPE, type);
	e2fc_put_be32(b + JBD2_HDR_SEQUENCE, tid);
}

/* fill one tag at p for data block d (already escaped) */
static void put_tag(const struct txn *t, uint8_t *p, uint64_t target,
		    uint32_t flags, const uint8_t *d)
{
	struct e2fc_jbd2_tag tg = { .target = target, .flags = flags };

	if (e2fc_jsb_csum_v23(t->sb))
		tg.csum = e2fc_jbd2_data_csum(t->sb, d, t->bs, t->tid);
	e2fc_jbd2_tag_put(t->sb, p, &tg);
}

/* one descriptor and its n data blocks (in data, n * bs bytes) */
static errcode_t put_chunk(struct txn *t, uint8_t *desc, uint8_t *data,
			   const blk64_t *targets, uint32_t n)
{
	unsigned tb = e2fc_jbd2_tag_bytes(t->sb), off = JBD2_HDR_SIZE;
	uint32_t i, flags;
	errcode_t err;

	memset(desc, 0, t->bs);
	header(desc, JBD2_BT_DESCRIPTOR, t->tid);
	for (i = 0; i < n; i++) {
		uint8_t *d = data + (size_t)i * t->bs;

		flags = i ? JBD2_FLAG_SAME_UUID : 0;
		if (i == n - 1)
			flags |= JBD2_FLAG_LAST_TAG;
		if (e2fc_get_be32(d) == JBD2_MAGIC) {
			e2fc_put_be32(d, 0);
			flags |= JBD2_FLAG_ESCAPE;
		}
		put_tag(t, desc + off, targets[i], flags, d);
		off += tb;
		if (!i) {
			memcpy(desc + off, t->sb->uuid, JBD2_TAG_UUID_SIZE);
			off += JBD2_TAG_UUID_SIZE;
		}
	}
	if (e2fc_jsb_csum_v23(t->sb))
		e2fc_put_be32(desc + t->bs - 4,
			      e2fc_jbd2_tail_csum(t->sb, desc, t->bs));
	err = put_block(t, desc);
	for (i = 0; i < n && !err; i++)
		err = put_block(t, data + (size_t)i * t->bs);
	return err;
}

static errcode_t put_commit(struct txn *t, uint8_t *b, uint64_t sec,
			    uint32_t nsec)
{
	memset(b, 0, t->bs);
	header(b, JBD2_BT_COMMIT, t->tid);
	e2fc_put_be64(b + JBD2_COMMIT_SEC, sec);
	e2fc_put_be32(b + JBD2_COMMIT_NSEC, nsec);
	if (e2fc_jsb_csum_v23(t->sb)) {
		e2fc_put_be32(b + JBD2_COMMIT_CHKSUM,
			      e2fc_jbd2_commit_csum(t->sb, b, t->bs));
	} else if (compat_v1(t->sb)) {
		b[JBD2_COMMIT_CHKSUM_TYPE] = JBD2_CRC32_CHKSUM;
		b[JBD2_COMMIT_CHKSUM_SIZE] = 4;
		e2fc_put_be32(b + JBD2_COMMIT_CHKSUM, t->v1sum);
	}
	return e2fc_journal_io(t->j, t->io, t->pos, 1, b, 1);
}

errcode_t e2fc_txn_write(struct e2fc_journal *j, io_channel io, uint32_t at,
			 uint32_t tid, const blk64_t *targets, uint32_t n,
			 errcode_t (*read)(void *arg, blk64_t target,
					   void *buf),
			 void *arg, uint64_t commit_sec, uint32_t commit_nsec)
{
	struct txn t = { .j = j, .io = io, .sb = &j->sb, .bs = j->blocksize,
			 .tid = tid, .pos = at, .v1sum = ~0U };
	uint32_t per = tags_per_desc(&j->sb), done, k, i;
	uint8_t *buf = NULL;
	errcode_t err;

	if (!n || at < j->sb.first || at >= j->sb.log_end)
		return EXT2_ET_INVALID_ARGUMENT;
	if (!e2fc_jsb_has_incompat(&j->sb, JBD2_FEATURE_INCOMPAT_64BIT))
		for (i = 0; i < n; i++)
			if (targets[i] >> 32)
				return EXT2_ET_BAD_BLOCK_NUM;
	err = ext2fs_get_array(per + 1, t.bs, &buf);
	if (err)
		return err;
	for (done = 0; done < n && !err; done += k) {
		k = n - done < per ? n - done : per;
		for (i = 0; i < k && !err; i++)
			err = read(arg, targets[done + i],
				   buf + (size_t)(i + 1) * t.bs);
		if (!err)
			err = put_chunk(&t, buf, buf + t.bs, targets + done, k);
	}
	if (!err)
		err = io_channel_flush(io);
	if (!err)
		err = put_commit(&t, buf, commit_sec, commit_nsec);
	if (!err)
		err = io_channel_flush(io);
	ext2fs_free_mem(&buf);
	return err;
}
