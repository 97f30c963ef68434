// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * jbd2_log.c -- scan the full jbd2 log the way recovery's scan pass does:
 * from s_start with s_sequence, transaction by transaction, until a block
 * is not the next expected one.  Records every tagged block, every revoke
 * record and why the scan stopped; the expected tid of the fast-commit
 * area is the first tid without a complete commit block.
 *
 * The log is read in chunks (wrap-around aware), not block by block: the
 * first chunk is FIRST_CHUNK blocks and each next one twice the last, up to
 * CHUNK, so that a short log (the usual case with fast commits) costs a
 * short read.  Every loop is bounded: at most s_maxlen blocks are
 * visited, so a corrupt or cyclic log cannot hang the scan.
 *
 * Checksums, compared with the kernel's scan pass:
 * - csum v2/v3 commit block, or COMPAT_CHECKSUM (v1: crc32_be over each
 *   descriptor and its data blocks, reset after every commit; a commit
 *   with checksum type, size and value all zero is accepted): a mismatch
 *   ends the valid log at that transaction (stop "checksum").  The kernel
 *   does the same for a synchronous commit; with ASYNC_COMMIT it keeps
 *   walking but still ends recovery at the failed transaction, and an
 *   older commit time marks stale blocks: the expected tid is the same.
 * - a bad descriptor or revoke tail checksum: we stop there; the kernel
 *   skips to the commit block and then either fails recovery (commit
 *   time not older) or treats the transaction as stale.  Either way the
 *   transaction is not replayed and the expected tid is its tid.
 * - a bad data block checksum does not end the scan: the block is
 *   recorded with csum_ok = 0.  The kernel's replay pass skips that block,
 *   writes the others and replays the FC area, then fails the recovery
 *   (-EFSBADCRC: the mount fails); e2fsck does the same, resets the
 *   journal, marks the file system not clean and checks it in full.
 *   e2fc_log_bad_data() counts them; e2fc_recover() clears the valid flag.
 */
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"
#include "fc_array.h"

#define FIRST_CHUNK	16
#define CHUNK		256

struct log_reader {
	struct e2fc_journal	*j;
	uint8_t			*buf;		/* room for CHUNK blocks */
	uint32_t		first;		/* first log block in buf */
	uint32_t		count;		/* blocks in buf */
	uint32_t		window;		/* blocks of the next read */
};

uint32_t e2fc_log_next(const struct e2fc_jsb *sb, uint32_t blk)
{
	return blk + 1 >= sb->log_end ? sb->first : blk + 1;
}

/* pointer to log block blk, reading a chunk when it is not cached */
static errcode_t log_block(struct log_reader *r, uint32_t blk,
			   const uint8_t **out)
{
	const struct e2fc_jsb *sb = &r->j->sb;
	errcode_t err;
	uint32_t n;

	if (blk < sb->first || blk >= sb->log_end)
		return E2FC_ERR_LOG_CORRUPT;
	if (!(r->count && blk >= r->first && blk < r->first + r->count)) {
		if (r->window < FIRST_CHUNK)
			r->window = FIRST_CHUNK;
		n = sb->log_end - blk;
		if (n > r->window)
			n = r->window;
		if (r->window < CHUNK)
			r->window *= 2;
		err = e2fc_journal_read(r->j, blk, n, r->buf);
		if (err)
			return err;
		r->first = blk;
		r->count = n;
	}
	*out = r->buf + (size_t)(blk - r->first) * r->j->blocksize;
	return 0;
}

unsigned e2fc_jbd2_tag_bytes(const struct e2fc_jsb *sb)
{
	unsigned sz;

	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V3))
		return JBD2_TAG3_SIZE;
	sz = JBD2_TAG_SIZE;
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V2))
		sz += 2;
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_64BIT))
		sz += 4;
	return sz;
}

void e2fc_jbd2_tag_get(const struct e2fc_jsb *sb, const uint8_t *p,
		       struct e2fc_jbd2_tag *t)
{
	t->target = e2fc_get_be32(p + JBD2_TAG_BLOCKNR);
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V3)) {
		t->flags = e2fc_get_be32(p + JBD2_TAG3_FLAGS);
		t->target |= (uint64_t)e2fc_get_be32(p + JBD2_TAG3_BLOCKNR_HIGH)
			     << 32;
		t->csum = e2fc_get_be32(p + JBD2_TAG3_CSUM);
		return;
	}
	t->flags = e2fc_get_be16(p + JBD2_TAG_FLAGS);
	t->csum = e2fc_get_be16(p + JBD2_TAG_CSUM);
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_64BIT))
		t->target |= (uint64_t)e2fc_get_be32(p + JBD2_TAG_BLOCKNR_HIGH)
			     << 32;
}

void e2fc_jbd2_tag_put(const struct e2fc_jsb *sb, uint8_t *p,
		       const struct e2fc_jbd2_tag *t)
{
	e2fc_put_be32(p + JBD2_TAG_BLOCKNR, (uint32_t)t->target);
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V3)) {
		e2fc_put_be32(p + JBD2_TAG3_FLAGS, t->flags);
		e2fc_put_be32(p + JBD2_TAG3_BLOCKNR_HIGH,
			      (uint32_t)(t->target >> 32));
		e2fc_put_be32(p + JBD2_TAG3_CSUM, t->csum);
		return;
	}
	e2fc_put_be16(p + JBD2_TAG_CSUM, (uint16_t)t->csum);
	e2fc_put_be16(p + JBD2_TAG_FLAGS, (uint16_t)t->flags);
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_64BIT))
		e2fc_put_be32(p + JBD2_TAG_BLOCKNR_HIGH,
			      (uint32_t)(t->target >> 32));
}

/* crc32c of b[0..bs) with the 4 bytes at off taken as zero */
static uint32_t csum_skipping(uint32_t seed, const uint8_t *b, unsigned bs,
			      unsigned off)
{
	uint8_t zero[4] = { 0 };
	uint32_t c;

	c = e2fc_crc32c(seed, b, off);
	c = e2fc_crc32c(c, zero, 4);
	return e2fc_crc32c(c, b + off + 4, bs - off - 4);
}

uint32_t e2fc_jbd2_tail_csum(const struct e2fc_jsb *sb, const uint8_t *b,
			     unsigned bs)
{
	return csum_skipping(sb->csum_seed, b, bs, bs - 4);
}

uint32_t e2fc_jbd2_commit_csum(const struct e2fc_jsb *sb, const uint8_t *b,
			       unsigned bs)
{
	return csum_skipping(sb->csum_seed, b, bs, JBD2_COMMIT_CHKSUM);
}

uint32_t e2fc_jbd2_data_csum(const struct e2fc_jsb *sb, const uint8_t *data,
			     unsigned bs, uint32_t seq)
{
	uint8_t seqb[4];
	uint32_t c;

	e2fc_put_be32(seqb, seq);
	c = e2fc_crc32c(sb->csum_seed, seqb, 4);
	c = e2fc_crc32c(c, data, bs);
	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V3))
		return c;
	return c & 0xffff;
}

/* checksum of a descriptor or revoke block: crc over the block with the
 * tail zeroed */
static int block_tail_ok(const struct e2fc_jsb *sb, const uint8_t *b,
			 unsigned bs)
{
	return e2fc_jbd2_tail_csum(sb, b, bs) == e2fc_get_be32(b + bs - 4);
}

static int commit_csum_ok(const struct e2fc_jsb *sb, const uint8_t *b,
			  unsigned bs)
{
	return e2fc_jbd2_commit_csum(sb, b, bs) ==
	       e2fc_get_be32(b + JBD2_COMMIT_CHKSUM);
}

static int data_csum_ok(const struct e2fc_jsb *sb, const uint8_t *data,
			unsigned bs, uint32_t seq, uint32_t stored)
{
	uint32_t c = e2fc_jbd2_data_csum(sb, data, bs, seq);

	if (e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V3))
		return c == stored;
	return c == (stored & 0xffff);
}

/* room for one more element in arr, which holds n of cap */
#define GROW(arr, n, cap) e2fc_array_grow(&(arr), &(cap), (n) + 1,	\
					  sizeof(*(arr)))

struct scan_state {
	struct e2fc_log		*log;
	struct log_reader	r;
	const struct e2fc_jsb	*sb;
	unsigned		bs;
	unsigned		cap_trans, cap_blocks, cap_revokes;
	uint32_t		blk;		/* next log block */
	uint32_t		visited;
	uint8_t			*tagbuf;	/* one block */
	uint32_t		crc32_sum;	/* COMPAT_CHECKSUM running sum */
};

static int compat_csum(const struct e2fc_jsb *sb)
{
	return sb->blocktype == JBD2_BT_SB_V2 &&
	       (sb->feature_compat & JBD2_FEATURE_COMPAT_CHECKSUM);
}

static errcode_t new_trans(struct scan_state *s, uint32_t tid)
{
	struct e2fc_log *log = s->log;
	struct e2fc_log_trans *t;
	errcode_t err;

	err = GROW(log->trans, log->ntrans, s->cap_trans);
	if (err)
		return err;
	t = &log->trans[log->ntrans++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->first_block = s->blk;
	t->commit_block = ~0U;
	t->first_lb = log->nblocks;
	return 0;
}

/* walk the tags of a descriptor block; data blocks follow it */
static errcode_t scan_descriptor(struct scan_state *s, const uint8_t *b,
				 struct e2fc_log_trans *t, int *stop)
{
	const struct e2fc_jsb *sb = s->sb;
	unsigned tb = e2fc_jbd2_tag_bytes(sb), off = JBD2_HDR_SIZE, end = s->bs;
	int v23 = e2fc_jsb_csum_v23(sb);
	uint8_t *tags = s->tagbuf;	/* copy: data blocks may evict b */
	unsigned ntag_bytes;
	errcode_t err;

	if (v23) {
		if (!block_tail_ok(sb, b, s->bs)) {
			*stop = E2FC_LOG_CSUM;
			return 0;
		}
		end -= JBD2_BLOCK_TAIL_SIZE;
	}
	if (compat_csum(sb))
		s->crc32_sum = ext2fs_crc32_be(s->crc32_sum, b, s->bs);
	ntag_bytes = end - off;
	memcpy(tags, b + off, ntag_bytes);
	t->ndesc++;
	s->blk = e2fc_log_next(sb, s->blk);
	s->visited++;
	for (off = 0; off + tb <= ntag_bytes; ) {
		struct e2fc_jbd2_tag tg;
		struct e2fc_log_block *lb;
		const uint8_t *data;

		e2fc_jbd2_tag_get(sb, tags + off, &tg);
		if (s->visited >= sb->maxlen) {
			*stop = E2FC_LOG_WRAPPED;
			return 0;
		}
		err = GROW(s->log->blocks, s->log->nblocks, s->cap_blocks);
		if (err)
			return err;
		lb = &s->log->blocks[s->log->nblocks];
		memset(lb, 0, sizeof(*lb));
		lb->target = tg.target;
		lb->log_block = s->blk;
		lb->tid = t->tid;
		lb->escaped = !!(tg.flags & JBD2_FLAG_ESCAPE);
		lb->csum_ok = 1;
		if (v23 || compat_csum(sb)) {
			err = log_block(&s->r, s->blk, &data);
			if (err)
				return err;
		}
		if (compat_csum(sb))
			s->crc32_sum = ext2fs_crc32_be(s->crc32_sum, data,
						       s->bs);
		if (v23) {
			lb->csum_stored = tg.csum;
			lb->csum_ok = data_csum_ok(sb, data, s->bs, t->tid,
						   lb->csum_stored);
			if (!lb->csum_ok)
				s->log->bad_csums++;
		}
		s->log->nblocks++;
		t->ndata++;
		s->blk = e2fc_log_next(sb, s->blk);
		s->visited++;
		off += tb;
		if (!(tg.flags & JBD2_FLAG_SAME_UUID))
			off += JBD2_TAG_UUID_SIZE;
		if (tg.flags & JBD2_FLAG_LAST_TAG)
			break;
	}
	return 0;
}

static errcode_t scan_revoke(struct scan_state *s, const uint8_t *b,
			     struct e2fc_log_trans *t, int *stop)
{
	const struct e2fc_jsb *sb = s->sb;
	unsigned rsz = e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_64BIT) ?
		       8 : 4;
	uint32_t count = e2fc_get_be32(b + JBD2_REVOKE_COUNT);
	unsigned max = s->bs, off;
	errcode_t err;

	if (e2fc_jsb_csum_v23(sb)) {
		if (!block_tail_ok(sb, b, s->bs)) {
			*stop = E2FC_LOG_CSUM;
			return 0;
		}
		max -= JBD2_BLOCK_TAIL_SIZE;
	}
	if (count > max || count < JBD2_REVOKE_HDR_SIZE) {
		*stop = E2FC_LOG_BAD_TYPE;
		return 0;
	}
	t->nrevoke_blocks++;
	for (off = JBD2_REVOKE_HDR_SIZE; off + rsz <= count; off += rsz) {
		struct e2fc_log_revoke *rv;

		err = GROW(s->log->revokes, s->log->nrevokes, s->cap_revokes);
		if (err)
			return err;
		rv = &s->log->revokes[s->log->nrevokes++];
		rv->block = rsz == 8 ? e2fc_get_be64(b + off) :
				       e2fc_get_be32(b + off);
		rv->tid = t->tid;
		t->nrevoked++;
	}
	s->blk = e2fc_log_next(sb, s->blk);
	s->visited++;
	return 0;
}

static int v1_commit_csum_ok(const uint8_t *b, uint32_t sum)
{
	uint8_t type = b[JBD2_COMMIT_CHKSUM_TYPE];
	uint8_t size = b[JBD2_COMMIT_CHKSUM_SIZE];
	uint32_t found = e2fc_get_be32(b + JBD2_COMMIT_CHKSUM);

	if (type == JBD2_CRC32_CHKSUM && size == 4 && found == sum)
		return 1;
	return type == 0 && size == 0 && found == 0;
}

static void scan_commit(struct scan_state *s, const uint8_t *b,
			struct e2fc_log_trans *t, int *stop)
{
	const struct e2fc_jsb *sb = s->sb;

	t->commit_block = s->blk;
	t->commit_sec = e2fc_get_be64(b + JBD2_COMMIT_SEC);
	t->commit_nsec = e2fc_get_be32(b + JBD2_COMMIT_NSEC);
	if (compat_csum(sb)) {
		/* v1: crc32 of the descriptors and data blocks, or an
		 * explicitly unused checksum (type, size and value zero) */
		t->commit_csum_present = 1;
		t->commit_csum_ok = v1_commit_csum_ok(b, s->crc32_sum);
		s->crc32_sum = ~0U;
		if (!t->commit_csum_ok) {
			*stop = E2FC_LOG_CSUM;
			return;
		}
	}
	if (e2fc_jsb_csum_v23(sb)) {
		t->commit_csum_present = 1;
		t->commit_csum_ok = commit_csum_ok(sb, b, s->bs);
		/* recovery treats a bad commit checksum as the end of the log
		 * (unless async commit, where the transaction is dropped the
		 * same way): the transaction does not count */
		if (!t->commit_csum_ok) {
			*stop = E2FC_LOG_CSUM;
			return;
		}
	}
	t->complete = 1;
	s->blk = e2fc_log_next(sb, s->blk);
	s->visited++;
}

static errcode_t scan_loop(struct scan_state *s)
{
	struct e2fc_log *log = s->log;
	struct e2fc_log_trans *t = NULL;
	uint32_t tid = log->start_tid;
	int stop = -1;
	errcode_t err;

	while (stop < 0) {
		const uint8_t *b;
		uint32_t type;

		if (s->visited >= s->sb->maxlen) {
			stop = E2FC_LOG_WRAPPED;
			break;
		}
		err = log_block(&s->r, s->blk, &b);
		if (err)
			return err;
		if (e2fc_get_be32(b) != JBD2_MAGIC) {
			stop = E2FC_LOG_NO_MAGIC;
			break;
		}
		if (e2fc_get_be32(b + JBD2_HDR_SEQUENCE) != tid) {
			stop = E2FC_LOG_SEQUENCE;
			break;
		}
		type = e2fc_get_be32(b + JBD2_HDR_BLOCKTYPE);
		if (type != JBD2_BT_DESCRIPTOR && type != JBD2_BT_COMMIT &&
		    type != JBD2_BT_REVOKE) {
			stop = E2FC_LOG_BAD_TYPE;
			break;
		}
		if (!t) {
			err = new_trans(s, tid);
			if (err)
				return err;
			t = &log->trans[log->ntrans - 1];
		}
		if (type == JBD2_BT_DESCRIPTOR) {
			err = scan_descriptor(s, b, t, &stop);
		} else if (type == JBD2_BT_REVOKE) {
			err = scan_revoke(s, b, t, &stop);
		} else {
			scan_commit(s, b, t, &stop);
			err = 0;
			if (t->complete) {
				tid++;
				t = NULL;
			}
		}
		if (err)
			return err;
	}
	log->stop = stop;
	log->end_block = s->blk;
	log->expected_tid = tid;
	return 0;
}

/* drop what an incomplete last transaction recorded: it never replays */
static void trim_incomplete(struct e2fc_log *log)
{
	struct e2fc_log_trans *t;
	unsigned i;

	if (!log->ntrans || log->trans[log->ntrans - 1].complete)
		return;
	t = &log->trans[log->ntrans - 1];
	if (log->stop == E2FC_LOG_NO_MAGIC || log->stop == E2FC_LOG_SEQUENCE)
		log->stop = E2FC_LOG_TRUNCATED;
	/* keep the blocks for printing; revokes of an uncommitted
	 * transaction must not count */
	for (i = log->nrevokes; i > 0 && log->revokes[i - 1].tid == t->tid;)
		i--;
	log->nrevokes = i;
}

/* open-addressing hash of revoked blocks: block -> highest revoking tid */
struct e2fc_revoke_hash {
	unsigned	size;		/* power of two */
	uint64_t	*blocks;
	uint32_t	*tids;
	uint8_t		*used;
};

static unsigned hash_slot(uint64_t blk, unsigned size)
{
	return (unsigned)((blk * 0x9E3779B97F4A7C15ULL) >> 32) & (size - 1);
}

static errcode_t build_revoke_hash(struct e2fc_log *log,
				   struct e2fc_revoke_hash **hp)
{
	struct e2fc_revoke_hash *h;
	errcode_t err;
	unsigned i, size = 16;

	*hp = NULL;
	if (!log->nrevokes)
		return 0;
	while (size < log->nrevokes * 2)
		size <<= 1;
	err = ext2fs_get_memzero(sizeof(*h), &h);
	if (err)
		return err;
	h->size = size;
	if ((err = ext2fs_get_arrayzero(size, sizeof(uint64_t), &h->blocks)) ||
	    (err = ext2fs_get_arrayzero(size, sizeof(uint32_t), &h->tids)) ||
	    (err = ext2fs_get_arrayzero(size, 1, &h->used))) {
		ext2fs_free_mem(&h->blocks);
		ext2fs_free_mem(&h->tids);
		ext2fs_free_mem(&h);
		return err;
	}
	for (i = 0; i < log->nrevokes; i++) {
		const struct e2fc_log_revoke *rv = &log->revokes[i];
		unsigned k = hash_slot(rv->block, size);

		while (h->used[k] && h->blocks[k] != rv->block)
			k = (k + 1) & (size - 1);
		/* tids increase along the log, so the later one wins */
		h->used[k] = 1;
		h->blocks[k] = rv->block;
		h->tids[k] = rv->tid;
	}
	*hp = h;
	return 0;
}

int e2fc_log_is_revoked(const struct e2fc_log *log, uint64_t block,
			uint32_t blk_tid)
{
	const struct e2fc_revoke_hash *h = log->rh;
	unsigned k;

	if (!h)
		return 0;
	k = hash_slot(block, h->size);
	while (h->used[k]) {
		if (h->blocks[k] == block)
			/* revoked by the same or a later transaction */
			return (int32_t)(h->tids[k] - blk_tid) >= 0;
		k = (k + 1) & (h->size - 1);
	}
	return 0;
}

unsigned e2fc_log_replayed_trans(const struct e2fc_log *log)
{
	unsigned t;

	for (t = 0; log && t < log->ntrans && log->trans[t].complete; t++)
		;
	return t;
}

enum e2fc_lb_fate e2fc_log_block_fate(const struct e2fc_log *log,
				      const struct e2fc_log_block *b,
				      blk64_t fs_blocks)
{
	if (e2fc_log_is_revoked(log, b->target, b->tid))
		return E2FC_LB_REVOKED;
	if (!b->csum_ok)
		return E2FC_LB_BAD_CSUM;
	if (b->target >= fs_blocks)
		return E2FC_LB_OUTSIDE;
	return E2FC_LB_WRITE;
}

const struct e2fc_log_block *e2fc_log_last_write(const struct e2fc_log *log,
						blk64_t target,
						blk64_t fs_blocks)
{
	const struct e2fc_log_block *b, *last = NULL;
	unsigned t, i, ntrans = e2fc_log_replayed_trans(log);

	for (t = 0; t < ntrans; t++) {
		const struct e2fc_log_trans *tr = &log->trans[t];

		for (i = tr->first_lb; i < tr->first_lb + tr->ndata; i++) {
			b = &log->blocks[i];
			if (b->target == target &&
			    e2fc_log_block_fate(log, b, fs_blocks) ==
			    E2FC_LB_WRITE)
				last = b;
		}
	}
	return last;
}

unsigned e2fc_log_bad_data(const struct e2fc_log *log)
{
	unsigned t, i, n = 0, ntrans = e2fc_log_replayed_trans(log);

	for (t = 0; log && log->bad_csums && t < ntrans; t++) {
		const struct e2fc_log_trans *tr = &log->trans[t];

		for (i = tr->first_lb; i < tr->first_lb + tr->ndata; i++)
			n += e2fc_log_block_fate(log, &log->blocks[i], ~0ULL) ==
			     E2FC_LB_BAD_CSUM;
	}
	return n;
}

errcode_t e2fc_log_scan(struct e2fc_journal *j, struct e2fc_log **logp)
{
	struct scan_state s;
	errcode_t err;

	*logp = NULL;
	memset(&s, 0, sizeof(s));
	err = ext2fs_get_memzero(sizeof(*s.log), &s.log);
	if (err)
		return err;
	s.sb = &j->sb;
	s.bs = j->blocksize;
	s.r.j = j;
	s.crc32_sum = ~0U;
	s.log->start_tid = j->sb.sequence;
	s.log->start_block = j->sb.start;
	s.log->expected_tid = j->sb.sequence;
	if (!j->sb.start) {
		s.log->stop = E2FC_LOG_CLEAN;
		*logp = s.log;
		return 0;
	}
	err = ext2fs_get_array(CHUNK, j->blocksize, &s.r.buf);
	if (!err)
		err = ext2fs_get_mem(j->blocksize, &s.tagbuf);
	if (!err) {
		s.blk = j->sb.start;
		err = scan_loop(&s);
	}
	ext2fs_free_mem(&s.r.buf);
	ext2fs_free_mem(&s.tagbuf);
	if (err)
		goto fail;
	trim_incomplete(s.log);
	err = build_revoke_hash(s.log, &s.log->rh);
	if (err)
		goto fail;
	*logp = s.log;
	return 0;
fail:
	e2fc_log_free(s.log);
	return err;
}

void e2fc_log_free(struct e2fc_log *log)
{
	if (!log)
		return;
	if (log->rh) {
		ext2fs_free_mem(&log->rh->blocks);
		ext2fs_free_mem(&log->rh->tids);
		ext2fs_free_mem(&log->rh->used);
		ext2fs_free_mem(&log->rh);
	}
	ext2fs_free_mem(&log->trans);
	ext2fs_free_mem(&log->blocks);
	ext2fs_free_mem(&log->revokes);
	ext2fs_free_mem(&log);
}

const char *e2fc_log_stop_name(enum e2fc_log_stop s)
{
	static const char *const names[] = {
		[E2FC_LOG_CLEAN] = "clean",
		[E2FC_LOG_NO_MAGIC] = "no-magic",
		[E2FC_LOG_SEQUENCE] = "sequence",
		[E2FC_LOG_BAD_TYPE] = "bad-type",
		[E2FC_LOG_CSUM] = "checksum",
		[E2FC_LOG_TRUNCATED] = "truncated",
		[E2FC_LOG_WRAPPED] = "wrapped",
	};

	if ((unsigned)s < sizeof(names) / sizeof(names[0]) && names[s])
		return names[s];
	return "unknown";
}

static int ref_cmp(const void *a, const void *b)
{
	const struct e2fc_lb_ref *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

errcode_t e2fc_log_writes(const struct e2fc_log *log, blk64_t nblocks,
			  struct e2fc_lb_ref **refs, unsigned *nref,
			  unsigned *counts)
{
	unsigned t, i, n = 0, k, ntrans = e2fc_log_replayed_trans(log);
	enum e2fc_lb_fate fate;
	struct e2fc_lb_ref *r;
	errcode_t err;

	err = ext2fs_get_array(log->nblocks ? log->nblocks : 1, sizeof(*r),
			       &r);
	if (err)
		return err;
	for (t = 0; t < ntrans; t++) {
		const struct e2fc_log_trans *tr = &log->trans[t];

		for (i = tr->first_lb; i < tr->first_lb + tr->ndata; i++) {
			fate = e2fc_log_block_fate(log, &log->blocks[i],
						   nblocks);
			if (counts)
				counts[fate]++;
			if (fate != E2FC_LB_WRITE)
				continue;
			r[n].target = log->blocks[i].target;
			r[n++].idx = i;
		}
	}
	qsort(r, n, sizeof(*r), ref_cmp);
	for (i = k = 0; i < n; i++)
		if (i + 1 == n || r[i + 1].target != r[i].target)
			r[k++] = r[i];
	*refs = r;
	*nref = k;
	return 0;
}
