// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fcw.c -- the fast-commit area writer used by the unit tests (see fcw.h).
 */
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"
#include "fcw.h"

struct fcw *fcw_new(uint32_t bs, uint32_t nblocks)
{
	struct fcw *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->buf = calloc(nblocks ? nblocks : 1, bs);
	if (!w->buf) {
		free(w);
		return NULL;
	}
	w->bs = bs;
	w->nblocks = nblocks;
	return w;
}

void fcw_free(struct fcw *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

uint8_t *fcw_take(struct fcw *w)
{
	uint8_t *b = w->buf;

	free(w);
	return b;
}

void fcw_full_commit(struct fcw *w)
{
	w->blk = 0;
	w->off = 0;
	w->crc = 0;
}

void fcw_next_block(struct fcw *w)
{
	w->blk++;
	w->off = 0;
}

static uint8_t *at(struct fcw *w)
{
	return w->buf + (size_t)w->blk * w->bs + w->off;
}

/* bytes a block keeps free at its end: 2020 kernels leave one */
static uint32_t slack(const struct fcw *w)
{
	return w->old_style ? 1 : 0;
}

/* room kept after a TLV: a PAD header (2020 kernels: one byte more, and
 * their test was strict) */
static uint32_t keep(const struct fcw *w)
{
	return EXT4_FC_TL_SIZE + (w->old_style ? 2 : 0);
}

static void put_tl(uint8_t *p, uint16_t tag, uint16_t len)
{
	e2fc_put_le16(p, tag);
	e2fc_put_le16(p + 2, len);
}

/* one more TLV, of which n bytes at p go into the commit's CRC */
static void fold(struct fcw *w, const uint8_t *p, uint32_t n)
{
	w->crc = e2fc_crc32c(w->crc, p, n);
	w->crc_bytes += n;
	w->ntags++;
}

/* end the current block with a PAD reaching its end (minus slack) */
static void pad_block(struct fcw *w)
{
	uint8_t *p = at(w);
	uint32_t plen;

	if (w->off + EXT4_FC_TL_SIZE + slack(w) > w->bs) {
		/* no room even for a PAD header (after fcw_tlv_raw) */
		fcw_next_block(w);
		return;
	}
	plen = w->bs - slack(w) - EXT4_FC_TL_SIZE - w->off;
	put_tl(p, EXT4_FC_TAG_PAD, (uint16_t)plen);
	memset(p + EXT4_FC_TL_SIZE, 0, plen);
	fold(w, p, EXT4_FC_TL_SIZE + plen);
	fcw_next_block(w);
}

/*
 * Room for n bytes (header included) at the current position, keeping
 * room for a PAD header after them; else PAD and move to the next block.
 */
static uint8_t *reserve(struct fcw *w, uint32_t n)
{
	if (n + keep(w) > w->bs)
		return NULL;
	if (w->blk < w->nblocks && n + keep(w) > w->bs - w->off)
		pad_block(w);
	if (w->blk >= w->nblocks) {
		w->overflow = 1;
		return NULL;
	}
	return at(w);
}

/* a tag at p claiming len value bytes, of which vlen are written (val, or
 * zeros when val is NULL); the running CRC and offset move past them */
static void emit_tlv(struct fcw *w, uint8_t *p, uint16_t tag, uint16_t len,
		     const void *val, unsigned vlen)
{
	put_tl(p, tag, len);
	if (val)
		memcpy(p + EXT4_FC_TL_SIZE, val, vlen);
	else
		memset(p + EXT4_FC_TL_SIZE, 0, vlen);
	fold(w, p, EXT4_FC_TL_SIZE + vlen);
	w->off += EXT4_FC_TL_SIZE + vlen;
}

int fcw_tlv(struct fcw *w, uint16_t tag, uint16_t len, const void *val)
{
	uint8_t *p = reserve(w, EXT4_FC_TL_SIZE + len);

	if (!p)
		return -1;
	emit_tlv(w, p, tag, len, val, len);
	return 0;
}

int fcw_head(struct fcw *w, uint32_t features, uint32_t tid)
{
	uint8_t v[8];

	e2fc_put_le32(v, features);
	e2fc_put_le32(v + 4, tid);
	return fcw_tlv(w, EXT4_FC_TAG_HEAD, sizeof(v), v);
}

int fcw_begin(struct fcw *w, uint32_t tid)
{
	if (w->blk == 0 && w->off == 0)
		return fcw_head(w, 0, tid);
	return 0;
}

int fcw_add_range(struct fcw *w, uint32_t ino, uint32_t lblk, uint16_t len,
		  uint64_t pblk, int unwritten)
{
	uint8_t v[16];

	e2fc_put_le32(v, ino);
	e2fc_put_le32(v + 4, lblk);
	e2fc_put_le16(v + 8, unwritten ? len + EXT4_FC_EXT_MAX_INIT_LEN : len);
	e2fc_put_le16(v + 10, (uint16_t)(pblk >> 32));
	e2fc_put_le32(v + 12, (uint32_t)pblk);
	return fcw_tlv(w, EXT4_FC_TAG_ADD_RANGE, sizeof(v), v);
}

int fcw_del_range(struct fcw *w, uint32_t ino, uint32_t lblk, uint32_t len)
{
	uint8_t v[12];

	e2fc_put_le32(v, ino);
	e2fc_put_le32(v + 4, lblk);
	e2fc_put_le32(v + 8, len);
	return fcw_tlv(w, EXT4_FC_TAG_DEL_RANGE, sizeof(v), v);
}

int fcw_dentry(struct fcw *w, uint16_t tag, uint32_t parent, uint32_t ino,
	       const void *name, unsigned name_len)
{
	uint8_t v[8 + 65535];

	if (name_len > sizeof(v) - 8)
		return -1;
	e2fc_put_le32(v, parent);
	e2fc_put_le32(v + 4, ino);
	memcpy(v + 8, name, name_len);
	return fcw_tlv(w, tag, (uint16_t)(8 + name_len), v);
}

int fcw_inode(struct fcw *w, uint32_t ino, const uint8_t *raw,
	      unsigned raw_len)
{
	uint8_t v[4 + 65535];

	if (raw_len > sizeof(v) - 4)
		return -1;
	e2fc_put_le32(v, ino);
	memcpy(v + 4, raw, raw_len);
	return fcw_tlv(w, EXT4_FC_TAG_INODE, (uint16_t)(4 + raw_len), v);
}

int fcw_tail_crc(struct fcw *w, uint32_t tid, uint32_t crc_xor)
{
	uint8_t *p = reserve(w, EXT4_FC_TL_SIZE + EXT4_FC_TAIL_LEN);
	uint32_t vlen;

	if (!p)
		return -1;
	vlen = w->bs - slack(w) - w->off - EXT4_FC_TL_SIZE;
	put_tl(p, EXT4_FC_TAG_TAIL, (uint16_t)vlen);
	e2fc_put_le32(p + 4, tid);
	fold(w, p, EXT4_FC_TL_SIZE + 4);
	w->ncommits++;
	e2fc_put_le32(p + 8, w->crc ^ crc_xor);
	memset(p + 12, 0, vlen - 8);
	w->crc = 0;
	fcw_next_block(w);
	return 0;
}

int fcw_tail(struct fcw *w, uint32_t tid)
{
	return fcw_tail_crc(w, tid, 0);
}

void fcw_tlv_raw(struct fcw *w, uint16_t tag, uint16_t len, const void *val,
		 unsigned vlen)
{
	uint32_t room;
	uint8_t *p;

	if (w->blk >= w->nblocks || w->off + EXT4_FC_TL_SIZE > w->bs) {
		w->overflow = 1;
		return;
	}
	p = at(w);
	room = w->bs - w->off - EXT4_FC_TL_SIZE;
	if (vlen > room)
		vlen = room;
	emit_tlv(w, p, tag, len, val, vlen);
}

void fcw_poke(struct fcw *w, uint32_t blk, uint32_t off, const void *bytes,
	      unsigned n)
{
	size_t pos = (size_t)blk * w->bs + off;

	if (pos + n <= (size_t)w->nblocks * w->bs)
		memcpy(w->buf + pos, bytes, n);
	else
		w->overflow = 1;
}

void fcw_make_inode(uint8_t *raw, unsigned size, uint16_t extra_isize)
{
	unsigned i;

	memset(raw, 0, size);
	for (i = 0; i < size; i++)
		raw[i] = (uint8_t)(i * 7 + 1);
	if (size > 0x81)
		e2fc_put_le16(raw + 0x80, extra_isize);
}
