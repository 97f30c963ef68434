// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_log.c -- jbd2 superblock decoding and the full log scan, on logs
 * built by jbdw: every tag format, checksums, revokes, escapes,
 * wrap-around and every stop reason.
 */
#include <string.h>
#include "unit.h"
#include "jbdw.h"

#define V3_64	(JBD2_FEATURE_INCOMPAT_CSUM_V3 | JBD2_FEATURE_INCOMPAT_64BIT | \
		 JBD2_FEATURE_INCOMPAT_REVOKE)
#define V2_32	(JBD2_FEATURE_INCOMPAT_CSUM_V2 | JBD2_FEATURE_INCOMPAT_REVOKE)

struct scanned {
	struct jbdw		w;
	struct e2fc_journal	*j;
	struct e2fc_log		*log;
};

static int scan(struct scanned *s)
{
	errcode_t err = jbdw_open(&s->w, &s->j);

	CU_ASSERT_EQUAL_FATAL(err, 0);
	err = e2fc_log_scan(s->j, &s->log);
	CU_ASSERT_EQUAL(err, 0);
	return err == 0;
}

static void done(struct scanned *s)
{
	e2fc_log_free(s->log);
	jbdw_close(&s->w, s->j);
	jbdw_free(&s->w);
}

static void two_transactions(uint32_t incompat, int flags)
{
	struct scanned s;
	uint64_t t1[] = { 100, 0x100000002ULL & (incompat &
			  JBD2_FEATURE_INCOMPAT_64BIT ? ~0ULL : 0xffffffffULL),
			  300 };
	uint64_t t2[] = { 400 };

	jbdw_init(&s.w, 1024, 1040, incompat, 16);
	jbdw_trans(&s.w, 7, t1, 3, 0x20, NULL, 0, flags);
	jbdw_trans(&s.w, 8, t2, 1, 0x40, NULL, 0, flags);
	jbdw_sb(&s.w, 7, 1);
	if (!scan(&s))
		goto out;
	CU_ASSERT_EQUAL(s.log->ntrans, 2);
	CU_ASSERT_EQUAL(s.log->expected_tid, 9);
	CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_NO_MAGIC);
	CU_ASSERT_EQUAL(s.log->nblocks, 4);
	CU_ASSERT_EQUAL(s.log->blocks[0].target, 100);
	CU_ASSERT_EQUAL(s.log->blocks[1].target, t1[1]);
	CU_ASSERT_EQUAL(s.log->blocks[2].target, 300);
	CU_ASSERT_EQUAL(s.log->blocks[3].target, 400);
	CU_ASSERT_EQUAL(s.log->blocks[0].log_block, 2);
	CU_ASSERT_EQUAL(s.log->blocks[3].log_block, 7);
	CU_ASSERT_EQUAL(s.log->blocks[3].tid, 8);
	CU_ASSERT_EQUAL(s.log->bad_csums, 0);
	CU_ASSERT(s.log->trans[0].complete && s.log->trans[1].complete);
	CU_ASSERT_EQUAL(s.log->trans[0].commit_block, 5);
	CU_ASSERT_EQUAL(s.log->trans[1].first_block, 6);
	CU_ASSERT_EQUAL(s.log->end_block, 9);
out:
	done(&s);
}

static void test_v3_64(void)
{
	two_transactions(V3_64, 0);
}

static void test_v3_newuuid(void)
{
	two_transactions(V3_64, JW_NEW_UUID);
}

static void test_v2_32(void)
{
	two_transactions(V2_32, 0);
}

static void test_v2_64_newuuid(void)
{
	two_transactions(V2_32 | JBD2_FEATURE_INCOMPAT_64BIT, JW_NEW_UUID);
}

static void test_nocsum_32(void)
{
	two_transactions(JBD2_FEATURE_INCOMPAT_REVOKE, 0);
}

static void test_nocsum_64(void)
{
	two_transactions(JBD2_FEATURE_INCOMPAT_64BIT, JW_NEW_UUID);
}

static void test_clean(void)
{
	struct scanned s;
	uint64_t t[] = { 10 };

	jbdw_init(&s.w, 1024, 128, V3_64, 0);
	jbdw_trans(&s.w, 3, t, 1, 1, NULL, 0, 0);
	jbdw_sb(&s.w, 5, 0);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_CLEAN);
		CU_ASSERT_EQUAL(s.log->expected_tid, 5);
		CU_ASSERT_EQUAL(s.log->ntrans, 0);
	}
	done(&s);
}

static void test_revoke(void)
{
	struct scanned s;
	uint64_t t1[] = { 100, 101 }, t3[] = { 102 };
	uint64_t r2[] = { 100, 0x123456789ULL };

	jbdw_init(&s.w, 4096, 256, V3_64, 0);
	jbdw_trans(&s.w, 1, t1, 2, 1, NULL, 0, 0);
	jbdw_trans(&s.w, 2, NULL, 0, 0, r2, 2, 0);
	jbdw_trans(&s.w, 3, t3, 1, 1, NULL, 0, 0);
	jbdw_sb(&s.w, 1, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->ntrans, 3);
		CU_ASSERT_EQUAL(s.log->nrevokes, 2);
		CU_ASSERT_EQUAL(s.log->revokes[1].block, 0x123456789ULL);
		CU_ASSERT_EQUAL(s.log->trans[1].nrevoked, 2);
		/* revoked by tid 2: blocks of tid <= 2 are skipped */
		CU_ASSERT(e2fc_log_is_revoked(s.log, 100, 1));
		CU_ASSERT(e2fc_log_is_revoked(s.log, 100, 2));
		CU_ASSERT(!e2fc_log_is_revoked(s.log, 100, 3));
		CU_ASSERT(!e2fc_log_is_revoked(s.log, 101, 1));
		CU_ASSERT(e2fc_log_is_revoked(s.log, 0x123456789ULL, 1));
		CU_ASSERT_EQUAL(s.log->expected_tid, 4);
	}
	done(&s);
}

static void test_revoke_32(void)
{
	struct scanned s;
	uint64_t r[] = { 7, 8, 9 };

	jbdw_init(&s.w, 1024, 64, V2_32, 0);
	jbdw_trans(&s.w, 10, NULL, 0, 0, r, 3, 0);
	jbdw_sb(&s.w, 10, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->nrevokes, 3);
		CU_ASSERT(e2fc_log_is_revoked(s.log, 9, 10));
		CU_ASSERT(!e2fc_log_is_revoked(s.log, 10, 10));
	}
	done(&s);
}

static void test_uncommitted_revoke_ignored(void)
{
	struct scanned s;
	uint64_t t[] = { 5 }, r[] = { 5 };

	jbdw_init(&s.w, 1024, 64, V3_64, 0);
	jbdw_trans(&s.w, 1, t, 1, 1, NULL, 0, 0);
	jbdw_trans(&s.w, 2, NULL, 0, 0, r, 1, JW_NO_COMMIT);
	jbdw_sb(&s.w, 1, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_TRUNCATED);
		CU_ASSERT_EQUAL(s.log->expected_tid, 2);
		CU_ASSERT_EQUAL(s.log->nrevokes, 0);
		CU_ASSERT(!e2fc_log_is_revoked(s.log, 5, 1));
	}
	done(&s);
}

static void test_escape(void)
{
	struct scanned s;
	uint64_t t[] = { 50, 51 };

	jbdw_init(&s.w, 1024, 64, V3_64, 0);
	jbdw_trans(&s.w, 4, t, 2, 0xc0, NULL, 0, 0);
	jbdw_sb(&s.w, 4, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->nblocks, 2);
		CU_ASSERT(s.log->blocks[0].escaped);
		CU_ASSERT(!s.log->blocks[1].escaped);
		/* the tag checksum covers the block as logged (escaped) */
		CU_ASSERT(s.log->blocks[0].csum_ok);
		CU_ASSERT_EQUAL(s.log->bad_csums, 0);
		CU_ASSERT_EQUAL(s.log->expected_tid, 5);
	}
	done(&s);
}

static void test_wrap(void)
{
	struct scanned s;
	uint64_t t[] = { 1, 2, 3, 4 };

	/* log blocks 1..1023 (1024..1039 are the FC area, the smallest
	 * journal the kernel accepts with 16 FC blocks); start near the end */
	jbdw_init(&s.w, 1024, 1040, V3_64, 16);
	s.w.pos = 1021;
	jbdw_trans(&s.w, 20, t, 4, 9, NULL, 0, 0);
	jbdw_sb(&s.w, 20, 1021);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->ntrans, 1);
		CU_ASSERT_EQUAL(s.log->expected_tid, 21);
		CU_ASSERT_EQUAL(s.log->blocks[0].log_block, 1022);
		CU_ASSERT_EQUAL(s.log->blocks[1].log_block, 1023);
		CU_ASSERT_EQUAL(s.log->blocks[2].log_block, 1);
		CU_ASSERT_EQUAL(s.log->trans[0].commit_block, 3);
		CU_ASSERT_EQUAL(s.j->sb.log_end, 1024);
		CU_ASSERT_EQUAL(s.j->sb.fc_first, 1025);
		CU_ASSERT_EQUAL(s.j->sb.fc_blocks, 15);
	}
	done(&s);
}

static void test_bad_commit(void)
{
	struct scanned s;
	uint64_t t[] = { 9 };

	jbdw_init(&s.w, 1024, 64, V3_64, 0);
	jbdw_trans(&s.w, 1, t, 1, 1, NULL, 0, 0);
	jbdw_trans(&s.w, 2, t, 1, 1, NULL, 0, JW_BAD_COMMIT);
	jbdw_sb(&s.w, 1, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_CSUM);
		CU_ASSERT_EQUAL(s.log->expected_tid, 2);
		CU_ASSERT(s.log->trans[0].complete);
		CU_ASSERT(!s.log->trans[1].complete);
		CU_ASSERT(s.log->trans[1].commit_csum_present);
		CU_ASSERT(!s.log->trans[1].commit_csum_ok);
	}
	done(&s);
}

static void test_bad_descriptor(void)
{
	struct scanned s;
	uint64_t t[] = { 9 };

	jbdw_init(&s.w, 1024, 64, V2_32, 0);
	jbdw_trans(&s.w, 1, t, 1, 1, NULL, 0, JW_BAD_DESC);
	jbdw_sb(&s.w, 1, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_CSUM);
		CU_ASSERT_EQUAL(s.log->expected_tid, 1);
	}
	done(&s);
}

static void test_bad_data(void)
{
	struct scanned s;
	uint64_t t[] = { 9, 10 };

	jbdw_init(&s.w, 1024, 64, V3_64, 0);
	jbdw_trans(&s.w, 1, t, 2, 1, NULL, 0, JW_BAD_DATA);
	jbdw_sb(&s.w, 1, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->bad_csums, 1);
		CU_ASSERT(!s.log->blocks[0].csum_ok);
		CU_ASSERT(s.log->blocks[1].csum_ok);
		CU_ASSERT_EQUAL(s.log->expected_tid, 2);
	}
	done(&s);
}

static void test_sequence_stop(void)
{
	struct scanned s;
	uint64_t t[] = { 9 };

	jbdw_init(&s.w, 1024, 64, V3_64, 0);
	jbdw_trans(&s.w, 1, t, 1, 1, NULL, 0, 0);
	jbdw_trans(&s.w, 5, t, 1, 1, NULL, 0, 0);	/* old leftover */
	jbdw_sb(&s.w, 1, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_SEQUENCE);
		CU_ASSERT_EQUAL(s.log->ntrans, 1);
		CU_ASSERT_EQUAL(s.log->expected_tid, 2);
		CU_ASSERT_EQUAL(s.log->end_block, 4);
	}
	done(&s);
}

static void test_bad_type(void)
{
	struct scanned s;
	uint8_t *b;

	jbdw_init(&s.w, 1024, 64, V3_64, 0);
	b = jbdw_block(&s.w, 1);
	e2fc_put_be32(b, JBD2_MAGIC);
	e2fc_put_be32(b + 4, 77);
	e2fc_put_be32(b + 8, 1);
	jbdw_sb(&s.w, 1, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_BAD_TYPE);
		CU_ASSERT_EQUAL(s.log->expected_tid, 1);
	}
	done(&s);
}

static void test_full_cycle_bounded(void)
{
	struct scanned s;
	unsigned i;

	/* every log block a valid commit of the next tid: the scan must
	 * stop after one trip round the log */
	jbdw_init(&s.w, 1024, 32, JBD2_FEATURE_INCOMPAT_REVOKE, 0);
	for (i = 0; i < 31; i++)
		jbdw_trans(&s.w, 100 + i, NULL, 0, 0, NULL, 0, 0);
	jbdw_sb(&s.w, 100, 1);
	/* block 1 again would be tid 131: make it match by rewriting */
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->ntrans, 31);
		CU_ASSERT_EQUAL(s.log->expected_tid, 131);
		CU_ASSERT(s.log->stop == E2FC_LOG_SEQUENCE ||
			  s.log->stop == E2FC_LOG_WRAPPED);
	}
	done(&s);
}

/* ---- superblock decoding ---- */

static void test_sb_fields(void)
{
	struct jbdw w;
	struct e2fc_jsb sb;

	jbdw_init(&w, 4096, 1024, V3_64, 0);
	jbdw_sb(&w, 42, 7);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), 0);
	CU_ASSERT_EQUAL(sb.blocksize, 4096);
	CU_ASSERT_EQUAL(sb.maxlen, 1024);
	CU_ASSERT_EQUAL(sb.sequence, 42);
	CU_ASSERT_EQUAL(sb.start, 7);
	CU_ASSERT(sb.csum_present && sb.csum_ok);
	CU_ASSERT_EQUAL(sb.num_fc_blks, 0);
	CU_ASSERT_EQUAL(sb.fc_blocks, 0);
	CU_ASSERT_EQUAL(sb.log_end, 1024);
	CU_ASSERT_EQUAL(memcmp(sb.uuid, w.uuid, 16), 0);
	jbdw_free(&w);
}

static void test_sb_fc_default(void)
{
	struct jbdw w;
	struct e2fc_jsb sb;

	/* s_num_fc_blks 0 with FAST_COMMIT means 256 */
	jbdw_init(&w, 1024, 4096, V3_64 | JBD2_FEATURE_INCOMPAT_FAST_COMMIT,
		  0);
	jbdw_sb(&w, 1, 0);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), 0);
	CU_ASSERT_EQUAL(sb.num_fc_blks, 256);
	CU_ASSERT_EQUAL(sb.log_end, 4096 - 256);
	CU_ASSERT_EQUAL(sb.fc_first, 4096 - 255);
	CU_ASSERT_EQUAL(sb.fc_blocks, 255);
	jbdw_free(&w);
}

static void test_sb_bad_csum(void)
{
	struct jbdw w;
	struct e2fc_jsb sb;

	jbdw_init(&w, 1024, 128, V3_64, 0);
	jbdw_sb(&w, 1, 0);
	w.buf[JSB_SEQUENCE + 3] ^= 1;
	/* reported, not refused */
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), 0);
	CU_ASSERT(sb.csum_present);
	CU_ASSERT(!sb.csum_ok);
	jbdw_free(&w);
}

static void test_sb_invalid(void)
{
	struct jbdw w;
	struct e2fc_jsb sb;

	jbdw_init(&w, 1024, 128, 0, 0);
	jbdw_sb(&w, 1, 0);
	w.buf[0] ^= 0xff;
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_MAGIC);
	jbdw_sb(&w, 1, 0);
	e2fc_put_be32(w.buf + 4, 9);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_VERSION);
	jbdw_sb(&w, 1, 0);
	e2fc_put_be32(w.buf + JSB_BLOCKSIZE, 3000);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_GEOMETRY);
	jbdw_sb(&w, 1, 0);
	e2fc_put_be32(w.buf + JSB_FIRST, 128);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_GEOMETRY);
	jbdw_sb(&w, 1, 500);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_GEOMETRY);
	w.nfc = 200;
	w.incompat |= JBD2_FEATURE_INCOMPAT_FAST_COMMIT;
	jbdw_sb(&w, 1, 0);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_FC_SIZE);
	/* the kernel's minimum: s_maxlen - FC blocks >= 1024 */
	w.maxlen = 1224;
	jbdw_sb(&w, 1, 0);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), 0);
	w.maxlen = 1223;
	jbdw_sb(&w, 1, 0);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_FC_SIZE);
	w.nfc = 0xffffffffU;	/* no wrap-around in the subtraction */
	w.maxlen = 2000;
	jbdw_sb(&w, 1, 0);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), E2FC_ERR_JSB_FC_SIZE);
	w.maxlen = 128;
	w.nfc = 0;
	w.incompat = 0x80;
	jbdw_sb(&w, 1, 0);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb),
			E2FC_ERR_UNSUPP_JOURNAL_FEATURE);
	jbdw_free(&w);
}

static void test_sb_v1(void)
{
	struct jbdw w;
	struct e2fc_jsb sb;

	jbdw_init(&w, 1024, 128, 0, 0);
	jbdw_sb(&w, 3, 1);
	e2fc_put_be32(w.buf + 4, JBD2_BT_SB_V1);
	/* v1 has no feature fields: whatever is there is ignored */
	e2fc_put_be32(w.buf + JSB_FEATURE_INCOMPAT, 0xffffffff);
	CU_ASSERT_EQUAL(e2fc_jsb_decode(w.buf, &sb), 0);
	CU_ASSERT_EQUAL(sb.blocktype, JBD2_BT_SB_V1);
	CU_ASSERT_EQUAL(sb.feature_incompat, 0);
	CU_ASSERT(!sb.csum_present);
	jbdw_free(&w);
}

static void test_stop_names(void)
{
	CU_ASSERT_STRING_EQUAL(e2fc_log_stop_name(E2FC_LOG_CLEAN), "clean");
	CU_ASSERT_STRING_EQUAL(e2fc_log_stop_name(E2FC_LOG_CSUM), "checksum");
	CU_ASSERT_STRING_EQUAL(e2fc_log_stop_name(99), "unknown");
}

/* COMPAT_CHECKSUM (v1): crc32_be of descriptors and data in the commit */
static void compat_csum(int bad_second, int async)
{
	struct scanned s;
	uint64_t t1[] = { 10, 11 }, t2[] = { 12 }, t3[] = { 13 };

	jbdw_init(&s.w, 1024, 64, async ?
		  JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT : 0, 0);
	s.w.compat = JBD2_FEATURE_COMPAT_CHECKSUM;
	jbdw_trans(&s.w, 5, t1, 2, 0x30, NULL, 0, 0);
	jbdw_trans(&s.w, 6, t2, 1, 0x50, NULL, 0,
		   bad_second ? JW_BAD_COMMIT : 0);
	jbdw_trans(&s.w, 7, t3, 1, 0x60, NULL, 0, 0);
	jbdw_sb(&s.w, 5, 1);
	if (scan(&s)) {
		CU_ASSERT(s.log->trans[0].commit_csum_present);
		CU_ASSERT(s.log->trans[0].commit_csum_ok);
		if (bad_second) {
			CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_CSUM);
			CU_ASSERT_EQUAL(s.log->expected_tid, 6);
			CU_ASSERT_EQUAL(s.log->trans[1].commit_csum_ok, 0);
			CU_ASSERT_EQUAL(s.log->end_block, 7);
		} else {
			CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_NO_MAGIC);
			CU_ASSERT_EQUAL(s.log->expected_tid, 8);
			CU_ASSERT_EQUAL(s.log->ntrans, 3);
			CU_ASSERT_EQUAL(s.log->nblocks, 4);
		}
	}
	done(&s);
}

static void test_compat_csum(void)
{
	compat_csum(0, 0);
}

static void test_compat_csum_bad(void)
{
	compat_csum(1, 0);
	/* async commit: the failed transaction still ends the valid log */
	compat_csum(1, 1);
}

/* a v1 commit block with an explicitly unused checksum is accepted */
static void test_compat_csum_unused(void)
{
	struct scanned s;
	uint64_t t[] = { 10 };
	uint8_t *c;

	jbdw_init(&s.w, 1024, 64, 0, 0);
	s.w.compat = JBD2_FEATURE_COMPAT_CHECKSUM;
	jbdw_trans(&s.w, 5, t, 1, 0x30, NULL, 0, 0);
	c = jbdw_block(&s.w, 3);
	CU_ASSERT_EQUAL(e2fc_get_be32(c + 4), JBD2_BT_COMMIT);
	c[JBD2_COMMIT_CHKSUM_TYPE] = 0;
	c[JBD2_COMMIT_CHKSUM_SIZE] = 0;
	e2fc_put_be32(c + JBD2_COMMIT_CHKSUM, 0);
	jbdw_sb(&s.w, 5, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->expected_tid, 6);
		CU_ASSERT(s.log->trans[0].commit_csum_ok);
	}
	done(&s);
	/* type 0 but a nonzero value: bad */
	jbdw_init(&s.w, 1024, 64, 0, 0);
	s.w.compat = JBD2_FEATURE_COMPAT_CHECKSUM;
	jbdw_trans(&s.w, 5, t, 1, 0x30, NULL, 0, 0);
	c = jbdw_block(&s.w, 3);
	c[JBD2_COMMIT_CHKSUM_TYPE] = 0;
	c[JBD2_COMMIT_CHKSUM_SIZE] = 0;
	jbdw_sb(&s.w, 5, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_CSUM);
		CU_ASSERT_EQUAL(s.log->expected_tid, 5);
	}
	done(&s);
}

/* a log that never commits and loops: descriptors of one tid all the way
 * round; the scan must end after at most maxlen blocks */
static void test_endless_transaction(void)
{
	struct scanned s;
	uint64_t t[] = { 50 };
	unsigned i;

	jbdw_init(&s.w, 1024, 33, JBD2_FEATURE_INCOMPAT_REVOKE, 0);
	for (i = 0; i < 16; i++)
		jbdw_trans(&s.w, 9, t, 1, 0x10, NULL, 0, JW_NO_COMMIT);
	jbdw_sb(&s.w, 9, 1);
	if (scan(&s)) {
		CU_ASSERT_EQUAL(s.log->stop, E2FC_LOG_WRAPPED);
		CU_ASSERT_EQUAL(s.log->expected_tid, 9);
		CU_ASSERT(s.log->nblocks <= 32);
		CU_ASSERT_EQUAL(s.log->nrevokes, 0);
	}
	done(&s);
}

static uint32_t fuzz_rand(uint32_t *st)
{
	*st = *st * 1103515245U + 12345U;
	return *st >> 8;
}

/* random byte damage to a valid log (and sometimes its superblock): the
 * scan must return, with results inside the log */
static void test_fuzz(void)
{
	static const uint32_t feats[] = {
		V3_64, V2_32, JBD2_FEATURE_INCOMPAT_64BIT,
		JBD2_FEATURE_INCOMPAT_REVOKE | JBD2_FEATURE_INCOMPAT_CSUM_V3,
	};
	uint64_t t1[] = { 100, 101, 102 }, t2[] = { 7 }, rv[] = { 100, 7 };
	uint32_t st = 12345;
	unsigned it, k, n, scans = 0;

	for (it = 0; it < 400; it++) {
		struct scanned s;
		errcode_t err;

		/* with an FC area, the smallest journal the kernel takes */
		jbdw_init(&s.w, 1024, it & 1 ? 1032 : 40, feats[it % 4],
			  it & 1 ? 8 : 0);
		s.w.compat = it % 5 == 0 ? JBD2_FEATURE_COMPAT_CHECKSUM : 0;
		for (k = 0; k < 6; k++) {
			jbdw_trans(&s.w, 3 + 2 * k, t1, 3, 0xc0, NULL, 0, 0);
			jbdw_trans(&s.w, 4 + 2 * k, t2, 1, 0x21, rv, 2, 0);
		}
		jbdw_sb(&s.w, 3, 1);
		n = 1 + fuzz_rand(&st) % 8;
		for (k = 0; k < n; k++) {
			uint32_t blk = fuzz_rand(&st) % 40;
			uint32_t off = fuzz_rand(&st) % 1024;

			if (blk == 0 && it % 7)
				blk = 1;
			jbdw_block(&s.w, blk)[off] ^= 1 + fuzz_rand(&st) % 255;
		}
		s.log = NULL;
		s.j = NULL;
		err = jbdw_open(&s.w, &s.j);
		if (!err) {
			err = e2fc_log_scan(s.j, &s.log);
			CU_ASSERT_EQUAL(err, 0);
			scans++;
		}
		if (s.log) {
			CU_ASSERT(s.log->nblocks <= 40);
			CU_ASSERT(s.log->ntrans <= 40);
			CU_ASSERT(s.log->stop == E2FC_LOG_CLEAN ||
				  s.log->end_block < s.j->sb.log_end);
			for (k = 0; k < s.log->nblocks; k++)
				CU_ASSERT(s.log->blocks[k].log_block <
					  s.j->sb.log_end);
		}
		if (s.j)
			done(&s);
		else
			jbdw_free(&s.w);
	}
	CU_ASSERT(scans > 300);
}

static CU_TestInfo log_tests[] = {
	{ "log: csum v3, 64-bit tags", test_v3_64 },
	{ "log: csum v3, uuid after every tag", test_v3_newuuid },
	{ "log: csum v2, 32-bit tags", test_v2_32 },
	{ "log: csum v2, 64-bit, uuids", test_v2_64_newuuid },
	{ "log: no csum, 32-bit tags", test_nocsum_32 },
	{ "log: no csum, 64-bit tags", test_nocsum_64 },
	{ "log: clean journal", test_clean },
	{ "log: revoke records, 64-bit", test_revoke },
	{ "log: revoke records, 32-bit", test_revoke_32 },
	{ "log: uncommitted revokes ignored", test_uncommitted_revoke_ignored },
	{ "log: escaped block", test_escape },
	{ "log: wrap-around", test_wrap },
	{ "log: bad commit checksum", test_bad_commit },
	{ "log: bad descriptor checksum", test_bad_descriptor },
	{ "log: bad data checksum", test_bad_data },
	{ "log: sequence stop", test_sequence_stop },
	{ "log: bad block type", test_bad_type },
	{ "log: full cycle is bounded", test_full_cycle_bounded },
	{ "jsb: fields", test_sb_fields },
	{ "jsb: default fc blocks", test_sb_fc_default },
	{ "jsb: bad checksum reported", test_sb_bad_csum },
	{ "jsb: invalid superblocks", test_sb_invalid },
	{ "jsb: v1 superblock", test_sb_v1 },
	{ "log: stop names", test_stop_names },
	{ "log: compat checksum (v1)", test_compat_csum },
	{ "log: compat checksum bad, async commit", test_compat_csum_bad },
	{ "log: compat checksum unused", test_compat_csum_unused },
	{ "log: endless transaction is bounded", test_endless_transaction },
	{ "log: random damage", test_fuzz },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("jbd2_log", log_tests);
