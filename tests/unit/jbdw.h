/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jbdw.h -- a small jbd2 log writer for unit tests: builds a journal (its
 * superblock, descriptor, data, revoke and commit blocks, with csum v2/v3
 * checksums) in memory, and opens it as an e2fc_journal.
 */
#ifndef JBDW_H
#define JBDW_H

#include "e2fc.h"

struct jbdw {
	unsigned	bs, maxlen, first, nfc;
	uint32_t	compat, incompat;
	uint8_t		uuid[16];
	uint32_t	seed;
	uint8_t		*buf;		/* maxlen * bs */
	uint32_t	pos;		/* next log block to write */
	uint32_t	crc32_sum;	/* COMPAT_CHECKSUM: crc32_be of the
					 * descriptors and data since the last
					 * commit */
	char		path[64];	/* temp file of e2fc_journal */
};

/* flags of jbdw_trans */
#define JW_NO_COMMIT	0x1	/* leave the transaction open */
#define JW_BAD_COMMIT	0x2	/* wrong commit checksum */
#define JW_BAD_DESC	0x4	/* wrong descriptor tail checksum */
#define JW_BAD_DATA	0x8	/* wrong checksum of the first data block */
#define JW_NEW_UUID	0x10	/* no SAME_UUID: a uuid follows every tag */
#define JW_OLD_TIME	0x20	/* commit time older than the previous one */

/* set w->compat (e.g. JBD2_FEATURE_COMPAT_CHECKSUM) before jbdw_trans */

void jbdw_init(struct jbdw *w, unsigned bs, unsigned maxlen,
	       uint32_t incompat, unsigned nfc);
void jbdw_free(struct jbdw *w);
uint8_t *jbdw_block(struct jbdw *w, uint32_t blk);
/* write the superblock (with its checksum for csum v2/v3) */
void jbdw_sb(struct jbdw *w, uint32_t sequence, uint32_t start);
/* a transaction at w->pos: descriptor, one data block per target (its
 * first byte = fill; a data block starting with the jbd2 magic is written
 * escaped), optional revoke records, commit */
void jbdw_trans(struct jbdw *w, uint32_t tid, const uint64_t *targets,
		unsigned n, uint8_t fill, const uint64_t *revokes,
		unsigned nrev, int flags);
/* open the in-memory journal as an e2fc_journal (external-style map) */
errcode_t jbdw_open(struct jbdw *w, struct e2fc_journal **jp);
void jbdw_close(struct jbdw *w, struct e2fc_journal *j);

#endif
