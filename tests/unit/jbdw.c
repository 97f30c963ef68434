// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jbdw.c -- jbd2 log writer for unit tests (see jbdw.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jbdw.h"

void jbdw_init(struct jbdw *w, unsigned bs, unsigned maxlen,
	       uint32_t incompat, unsigned nfc)
{
	unsigned i;

	memset(w, 0, sizeof(*w));
	w->bs = bs;
	w->maxlen = maxlen;
	w->first = 1;
	w->nfc = nfc;
	w->incompat = incompat | (nfc ? JBD2_FEATURE_INCOMPAT_FAST_COMMIT : 0);
	for (i = 0; i < 16; i++)
		w->uuid[i] = (uint8_t)(0x11 * (i + 1));
	w->seed = e2fc_crc32c(~0U, w->uuid, 16);
	w->buf = calloc(maxlen, bs);
	w->pos = 1;
	w->crc32_sum = ~0U;
}

void jbdw_free(struct jbdw *w)
{
	free(w->buf);
	w->buf = NULL;
}

uint8_t *jbdw_block(struct jbdw *w, uint32_t blk)
{
	return w->buf + (size_t)blk * w->bs;
}

static int csum23(const struct jbdw *w)
{
	return !!(w->incompat & (JBD2_FEATURE_INCOMPAT_CSUM_V2 |
				 JBD2_FEATURE_INCOMPAT_CSUM_V3));
}

void jbdw_sb(struct jbdw *w, uint32_t sequence, uint32_t start)
{
	uint8_t *b = jbdw_block(w, 0);

	memset(b, 0, w->bs);
	e2fc_put_be32(b, JBD2_MAGIC);
	e2fc_put_be32(b + 4, JBD2_BT_SB_V2);
	e2fc_put_be32(b + JSB_BLOCKSIZE, w->bs);
	e2fc_put_be32(b + JSB_MAXLEN, w->maxlen);
	e2fc_put_be32(b + JSB_FIRST, w->first);
	e2fc_put_be32(b + JSB_SEQUENCE, sequence);
	e2fc_put_be32(b + JSB_START, start);
	e2fc_put_be32(b + JSB_FEATURE_COMPAT, w->compat);
	e2fc_put_be32(b + JSB_FEATURE_INCOMPAT, w->incompat);
	memcpy(b + JSB_UUID, w->uuid, 16);
	e2fc_put_be32(b + JSB_NR_USERS, 1);
	e2fc_put_be32(b + JSB_NUM_FC_BLKS, w->nfc);
	if (csum23(w)) {
		b[JSB_CHECKSUM_TYPE] = JBD2_CRC32C_CHKSUM;
		e2fc_put_be32(b + JSB_CHECKSUM,
			      e2fc_crc32c(~0U, b, JSB_SIZE));
	}
}

static uint32_t log_end(const struct jbdw *w)
{
	return w->maxlen - (w->nfc ? w->nfc : 0);
}

static uint8_t *next_block(struct jbdw *w, uint32_t *blk)
{
	*blk = w->pos;
	w->pos = w->pos + 1 >= log_end(w) ? w->first : w->pos + 1;
	memset(jbdw_block(w, *blk), 0, w->bs);
	return jbdw_block(w, *blk);
}

static void header(uint8_t *b, uint32_t type, uint32_t tid)
{
	e2fc_put_be32(b, JBD2_MAGIC);
	e2fc_put_be32(b + 4, type);
	e2fc_put_be32(b + 8, tid);
}

static void tail_csum(const struct jbdw *w, uint8_t *b, int bad)
{
	uint32_t c;

	e2fc_put_be32(b + w->bs - 4, 0);
	c = e2fc_crc32c(w->seed, b, w->bs);
	e2fc_put_be32(b + w->bs - 4, bad ? ~c : c);
}

static unsigned tag_size(const struct jbdw *w)
{
	unsigned sz;

	if (w->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3)
		return 16;
	sz = 8;
	if (w->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2)
		sz += 2;
	if (w->incompat & JBD2_FEATURE_INCOMPAT_64BIT)
		sz += 4;
	return sz;
}

static void put_tag(const struct jbdw *w, uint8_t *t, uint64_t target,
		    uint32_t flags, uint32_t csum)
{
	e2fc_put_be32(t, (uint32_t)target);
	if (w->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3) {
		e2fc_put_be32(t + 4, flags);
		e2fc_put_be32(t + 8, (uint32_t)(target >> 32));
		e2fc_put_be32(t + 12, csum);
		return;
	}
	t[4] = (uint8_t)(csum >> 8);	/* be16 checksum (v2) */
	t[5] = (uint8_t)csum;
	t[6] = (uint8_t)(flags >> 8);	/* be16 flags */
	t[7] = (uint8_t)flags;
	if (w->incompat & JBD2_FEATURE_INCOMPAT_64BIT)
		e2fc_put_be32(t + 8, (uint32_t)(target >> 32));
}

static uint32_t data_csum(const struct jbdw *w, const uint8_t *data,
			  uint32_t tid)
{
	uint8_t seq[4];
	uint32_t c;

	e2fc_put_be32(seq, tid);
	c = e2fc_crc32c(w->seed, seq, 4);
	return e2fc_crc32c(c, data, w->bs);
}

static void write_descriptor(struct jbdw *w, uint32_t tid,
			     const uint64_t *targets, unsigned n,
			     uint8_t fill, int flags)
{
	uint32_t dblk, blk, csum;
	uint8_t *d = next_block(w, &dblk), *data;
	unsigned i, off = JBD2_HDR_SIZE, ts = tag_size(w);
	uint32_t tflags;

	header(d, JBD2_BT_DESCRIPTOR, tid);
	for (i = 0; i < n; i++) {
		data = next_block(w, &blk);
		memset(data, fill + i, w->bs);
		tflags = 0;
		if (fill == 0xc0 && i == 0) {
			/* escaped: the block really starts with the magic,
			 * the log holds zeros there; the tag checksum is
			 * over the block as logged */
			memset(data, 0, 4);
			csum = data_csum(w, data, tid);
			tflags |= JBD2_FLAG_ESCAPE;
		} else {
			csum = data_csum(w, data, tid);
		}
		if ((flags & JW_BAD_DATA) && i == 0)
			csum = ~csum;
		if (i && !(flags & JW_NEW_UUID))
			tflags |= JBD2_FLAG_SAME_UUID;
		if (i == n - 1)
			tflags |= JBD2_FLAG_LAST_TAG;
		put_tag(w, d + off, targets[i], tflags, csum);
		off += ts;
		if (!(tflags & JBD2_FLAG_SAME_UUID)) {
			memcpy(d + off, w->uuid, 16);
			off += 16;
		}
	}
	if (csum23(w))
		tail_csum(w, d, flags & JW_BAD_DESC);
	if (w->compat & JBD2_FEATURE_COMPAT_CHECKSUM) {
		/* v1 commit checksum: descriptor, then its data blocks */
		w->crc32_sum = ext2fs_crc32_be(w->crc32_sum, d, w->bs);
		for (i = 0, blk = dblk; i < n; i++) {
			blk = blk + 1 >= log_end(w) ? w->first : blk + 1;
			w->crc32_sum = ext2fs_crc32_be(w->crc32_sum,
						       jbdw_block(w, blk),
						       w->bs);
		}
	}
}

static void write_revoke(struct jbdw *w, uint32_t tid, const uint64_t *rev,
			 unsigned nrev)
{
	uint32_t blk;
	uint8_t *b = next_block(w, &blk);
	int is64 = !!(w->incompat & JBD2_FEATURE_INCOMPAT_64BIT);
	unsigned i, off = JBD2_REVOKE_HDR_SIZE;

	header(b, JBD2_BT_REVOKE, tid);
	for (i = 0; i < nrev; i++) {
		if (is64) {
			e2fc_put_be64(b + off, rev[i]);
			off += 8;
		} else {
			e2fc_put_be32(b + off, (uint32_t)rev[i]);
			off += 4;
		}
	}
	e2fc_put_be32(b + JBD2_REVOKE_COUNT, off);
	if (csum23(w))
		tail_csum(w, b, 0);
}

void jbdw_trans(struct jbdw *w, uint32_t tid, const uint64_t *targets,
		unsigned n, uint8_t fill, const uint64_t *revokes,
		unsigned nrev, int flags)
{
	uint32_t blk, c;
	uint8_t *b;

	if (n)
		write_descriptor(w, tid, targets, n, fill, flags);
	if (nrev)
		write_revoke(w, tid, revokes, nrev);
	if (flags & JW_NO_COMMIT)
		return;
	b = next_block(w, &blk);
	header(b, JBD2_BT_COMMIT, tid);
	e2fc_put_be64(b + JBD2_COMMIT_SEC, 1700000000ULL + tid -
		      ((flags & JW_OLD_TIME) ? 100 : 0));
	if (w->compat & JBD2_FEATURE_COMPAT_CHECKSUM) {
		b[JBD2_COMMIT_CHKSUM_TYPE] = JBD2_CRC32_CHKSUM;
		b[JBD2_COMMIT_CHKSUM_SIZE] = 4;
		e2fc_put_be32(b + JBD2_COMMIT_CHKSUM, (flags & JW_BAD_COMMIT) ?
			      ~w->crc32_sum : w->crc32_sum);
		w->crc32_sum = ~0U;
	}
	if (csum23(w)) {
		b[JBD2_COMMIT_CHKSUM_TYPE] = JBD2_CRC32C_CHKSUM;
		b[JBD2_COMMIT_CHKSUM_SIZE] = 4;
		c = e2fc_crc32c(w->seed, b, w->bs);
		e2fc_put_be32(b + JBD2_COMMIT_CHKSUM,
			      (flags & JW_BAD_COMMIT) ? ~c : c);
	}
}

errcode_t jbdw_open(struct jbdw *w, struct e2fc_journal **jp)
{
	struct e2fc_journal *j;
	errcode_t err;
	int fd;

	strcpy(w->path, "/tmp/e2fc-jbdw.XXXXXX");
	fd = mkstemp(w->path);
	if (fd < 0)
		return errno;
	if (write(fd, w->buf, (size_t)w->maxlen * w->bs) !=
	    (ssize_t)((size_t)w->maxlen * w->bs)) {
		close(fd);
		return EIO;
	}
	close(fd);
	j = calloc(1, sizeof(*j));
	j->external = 1;
	j->blocksize = w->bs;
	err = unix_io_manager->open(w->path, 0, &j->ext_io);
	if (!err)
		err = io_channel_set_blksize(j->ext_io, w->bs);
	if (!err)
		err = e2fc_jsb_decode(w->buf, &j->sb);
	if (err) {
		jbdw_close(w, j);
		return err;
	}
	/* the identity map: one run */
	j->runs = calloc(1, sizeof(*j->runs));
	j->runs[0].len = w->maxlen;
	j->nruns = 1;
	*jp = j;
	return 0;
}

void jbdw_close(struct jbdw *w, struct e2fc_journal *j)
{
	if (j)
		e2fc_journal_close(j);
	unlink(w->path);
}
