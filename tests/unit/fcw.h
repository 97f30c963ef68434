/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fcw.h -- a small fast-commit area WRITER for the unit tests.
 *
 * It lays TLVs out in memory the way Linux 6.18 does: packed, a TLV never
 * spans a block, a PAD to the block end when the next TLV (plus room for a
 * PAD header) does not fit, a TAIL whose value runs to the end of its block
 * (tid, crc, zeros), crc32c (seed 0) over every TLV of the commit and the
 * TAIL's header and tid, the next commit on a fresh block.  fcw_full_commit()
 * starts over at block 0 like the kernel does after a full commit; what was
 * written further on stays (leftovers).  old_style = 1 writes like a 2020
 * kernel: PAD and TAIL stop one byte short of the block end.
 *
 * Knobs to break things: fcw_tlv() writes any tag/len with a matching value,
 * fcw_tlv_raw() writes a header that claims one length and a value of
 * another (bad length, truncated TLV), fcw_tail_crc() a TAIL with a wrong
 * crc, fcw_poke() raw bytes anywhere (crc not updated).
 */
#ifndef FCW_H
#define FCW_H

#include <stdint.h>

struct fcw {
	uint8_t		*buf;
	uint32_t	bs, nblocks;
	uint32_t	blk, off;	/* next write position */
	uint32_t	crc;		/* running crc of the open commit (a
					 * test that breaks a commit resets
					 * it to start the next one) */
	int		old_style;	/* 2020 kernel layout */
	int		overflow;	/* a write did not fit in the area */
	unsigned	ntags;		/* TLVs written, PAD and TAIL too */
	unsigned	ncommits;	/* TAILs written */
	uint64_t	crc_bytes;	/* bytes the commit CRCs cover */
};

struct fcw *fcw_new(uint32_t bs, uint32_t nblocks);
void fcw_free(struct fcw *w);
/* hand the area over (malloc'd, nblocks * bs bytes) and free the writer */
uint8_t *fcw_take(struct fcw *w);

/* a full commit happened: the next fast commit starts at block 0 */
void fcw_full_commit(struct fcw *w);
/* leave the rest of the current block untouched, continue at the next */
void fcw_next_block(struct fcw *w);

/* start a fast commit: a HEAD (features 0, tid) when it is the first one
 * since the last full commit (nothing written yet), like the kernel */
int fcw_begin(struct fcw *w, uint32_t tid);
/* one TLV with a value of len bytes (NULL: zeros); 0, or -1 if no room */
int fcw_tlv(struct fcw *w, uint16_t tag, uint16_t len, const void *val);
int fcw_head(struct fcw *w, uint32_t features, uint32_t tid);
int fcw_add_range(struct fcw *w, uint32_t ino, uint32_t lblk, uint16_t len,
		  uint64_t pblk, int unwritten);
int fcw_del_range(struct fcw *w, uint32_t ino, uint32_t lblk, uint32_t len);
int fcw_dentry(struct fcw *w, uint16_t tag, uint32_t parent, uint32_t ino,
	       const void *name, unsigned name_len);
int fcw_inode(struct fcw *w, uint32_t ino, const uint8_t *raw,
	      unsigned raw_len);
/* end the commit: a TAIL with the right crc, or crc ^ crc_xor */
int fcw_tail(struct fcw *w, uint32_t tid);
int fcw_tail_crc(struct fcw *w, uint32_t tid, uint32_t crc_xor);

/* a header claiming len, followed by vlen value bytes (NULL: zeros), at
 * the current position without PAD or room checks beyond the block;
 * counted in the crc */
void fcw_tlv_raw(struct fcw *w, uint16_t tag, uint16_t len, const void *val,
		 unsigned vlen);
/* raw bytes at block blk, offset off; crc untouched */
void fcw_poke(struct fcw *w, uint32_t blk, uint32_t off, const void *bytes,
	      unsigned n);

/* a raw on-disk inode (size bytes, >= 128) with recognisable fields */
void fcw_make_inode(uint8_t *raw, unsigned size, uint16_t extra_isize);

#endif
