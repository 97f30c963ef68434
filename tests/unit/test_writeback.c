// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_writeback.c -- the jbd2 transaction writer (jbd2_write.c) read back by
 * the log scanner, and e2fc_writeback() with and without that transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "unit.h"

struct img {
	char			path[64];
	ext2_filsys		fs;
	struct e2fc_loaded	ld;
};

/* open m->path (unpacked) through the overlay and load its journal */
static int img_open_path(struct img *m)
{
	const char *what;

	if (ext2fs_open(m->path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			e2fc_overlay_io_manager, &m->fs))
		return 0;
	return e2fc_load(m->fs, NULL, E2FC_JOPEN_OVERLAY, &m->ld, &what) == 0;
}

static int img_open(const char *gz, struct img *m)
{
	memset(m, 0, sizeof(*m));
	if (!e2fc_test_unpack(gz, m->path, sizeof(m->path)))
		return 0;
	return img_open_path(m);
}

static void img_close(struct img *m, int keep)
{
	e2fc_unload(&m->ld);
	if (m->fs)
		ext2fs_close_free(&m->fs);
	if (!keep)
		unlink(m->path);
}

/* block n of the test transaction: a pattern; block 0 starts with the
 * jbd2 magic, so it must be escaped */
static errcode_t pattern(void *arg, blk64_t target, void *buf)
{
	unsigned bs = *(unsigned *)arg;

	memset(buf, (int)(target & 0xff), bs);
	if (target % 5 == 0)
		e2fc_put_be32(buf, JBD2_MAGIC);
	return 0;
}

static void roundtrip(const char *gz)
{
	blk64_t targets[5] = { 1500, 1501, 1502, 1503, 1504 };
	struct e2fc_log *log2 = NULL;
	const struct e2fc_log_trans *t;
	struct e2fc_journal *j;
	uint8_t *buf;
	struct img m;
	unsigned bs, i, n0;
	uint32_t tid;

	CU_ASSERT_FATAL(img_open(gz, &m));
	j = m.ld.j;
	bs = j->blocksize;
	n0 = m.ld.log->ntrans;
	tid = m.ld.log->expected_tid;
	CU_ASSERT_FATAL(m.ld.log->start_block != 0);
	CU_ASSERT(e2fc_log_free_blocks(j, m.ld.log) >=
		  e2fc_txn_blocks(&j->sb, 5));
	CU_ASSERT_EQUAL_FATAL(e2fc_txn_write(j, m.fs->io,
					     e2fc_log_head(j, m.ld.log), tid,
					     targets, 5, pattern, &bs, 123,
					     456), 0);
	CU_ASSERT_EQUAL_FATAL(e2fc_log_scan(j, &log2), 0);
	CU_ASSERT_EQUAL_FATAL(log2->ntrans, n0 + 1);
	t = &log2->trans[n0];
	CU_ASSERT(t->complete);
	CU_ASSERT_EQUAL(t->tid, tid);
	CU_ASSERT_EQUAL(t->ndata, 5);
	CU_ASSERT_EQUAL(t->commit_sec, 123);
	CU_ASSERT_EQUAL(t->commit_nsec, 456);
	CU_ASSERT_EQUAL(log2->expected_tid, tid + 1);
	CU_ASSERT_EQUAL(log2->bad_csums, 0);
	buf = malloc(bs);
	for (i = 0; i < 5 && buf; i++) {
		const struct e2fc_log_block *b = &log2->blocks[t->first_lb + i];

		CU_ASSERT_EQUAL(b->target, targets[i]);
		CU_ASSERT(b->csum_ok);
		CU_ASSERT_EQUAL(b->escaped, targets[i] % 5 == 0);
		CU_ASSERT_EQUAL(e2fc_journal_read(j, b->log_block, 1, buf), 0);
		CU_ASSERT_EQUAL(buf[100], targets[i] & 0xff);
		if (b->escaped)
			CU_ASSERT_EQUAL(e2fc_get_be32(buf), 0);
	}
	free(buf);
	e2fc_log_free(log2);
	img_close(&m, 0);
}

static void test_txn_csum(void)
{
	roundtrip("replay-1k-128-csum.img.gz");
}

static void test_txn_nocsum(void)
{
	roundtrip("replay-4k-256-nocsum.img.gz");
}

/* recover one image; with no room in the log the blocks go in place
 * without the transaction: the same file-system blocks either way */
static void commit_one(const char *gz, int room, struct img *m,
		       struct e2fc_writeback_stats *cs)
{
	struct e2fc_replay_stats st;
	struct e2fc_log l2;

	CU_ASSERT_FATAL(img_open(gz, m));
	CU_ASSERT_EQUAL_FATAL(e2fc_recover(&m->fs, m->ld.j, m->ld.log,
					   m->ld.fc, NULL, &st), 0);
	CU_ASSERT(st.fc_commits > 0);
	l2 = *m->ld.log;
	if (!room)	/* the log "starts" just past its head: it is full */
		l2.start_block = e2fc_log_next(&m->ld.j->sb,
					e2fc_log_head(m->ld.j, m->ld.log));
	CU_ASSERT_EQUAL(e2fc_writeback(m->fs, m->ld.j, &l2, 1, unix_io_manager,
				    unix_io_manager, cs), 0);
}

static int in_journal(const struct e2fc_journal *j, blk64_t b)
{
	const struct e2fc_jrun *r = j->runs;
	unsigned i;

	for (i = 0; i < j->nruns; i++)
		if (b >= r[i].pblk && b - r[i].pblk < r[i].len)
			return 1;
	return 0;
}

static void test_writeback_direct(void)
{
	const char *gz = "replay-1k-128-csum.img.gz";
	struct e2fc_writeback_stats ca, cb;
	struct img a, b;
	uint8_t *x, *y;
	size_t bs;
	blk64_t blk, n, differ = 0;
	FILE *fa, *fb;

	commit_one(gz, 1, &a, &ca);
	commit_one(gz, 0, &b, &cb);
	CU_ASSERT(ca.journaled);
	CU_ASSERT(!cb.journaled);
	CU_ASSERT_EQUAL(ca.blocks, cb.blocks);
	CU_ASSERT(ca.blocks > 1);
	bs = a.fs->blocksize;
	n = ext2fs_blocks_count(a.fs->super);
	x = malloc(bs);
	y = malloc(bs);
	fa = fopen(a.path, "rb");
	fb = fopen(b.path, "rb");
	CU_ASSERT_FATAL(x && y && fa && fb);
	for (blk = 0; blk < n; blk++) {
		if (fread(x, bs, 1, fa) != 1 || fread(y, bs, 1, fb) != 1)
			break;
		if (memcmp(x, y, bs) && !in_journal(a.ld.j, blk))
			differ++;
	}
	CU_ASSERT_EQUAL(blk, n);
	CU_ASSERT_EQUAL(differ, 0);
	fclose(fa);
	fclose(fb);
	free(x);
	free(y);
	img_close(&a, 0);
	img_close(&b, 0);
}

/* the journal superblock block of an image, as on disk */
static int read_jsb(struct img *m, uint8_t *buf)
{
	unsigned bs = m->fs->blocksize;
	FILE *f = fopen(m->path, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fseeko(f, (off_t)e2fc_journal_pblk(m->ld.j, 0) * bs,
		    SEEK_SET) == 0 &&
	     fread(buf, bs, 1, f) == 1;
	fclose(f);
	return ok;
}

/*
 * needs_recovery with a journal that holds no log (s_start 0): the commit
 * writes the superblock and leaves the journal as it is.  It used to set
 * s_sequence one up; a cut before that write left the old one, and a new
 * run had nothing to do: not the bytes of the uncut run (fuzz-fc.py).
 */
static void test_writeback_no_log(void)
{
	const char *gz = "replay-1k-128-csum.img.gz";
	struct e2fc_replay_stats st;
	struct e2fc_writeback_stats cs;
	struct img m;
	ext2_filsys fs;
	struct e2fc_loaded ld;
	const char *what;
	uint8_t *before, *after;
	uint32_t seq;

	/* empty the log on disk first */
	memset(&m, 0, sizeof(m));
	CU_ASSERT_FATAL(e2fc_test_unpack(gz, m.path, sizeof(m.path)));
	CU_ASSERT_EQUAL_FATAL(ext2fs_open(m.path, EXT2_FLAG_RW |
					  EXT2_FLAG_64BITS, 0, 0,
					  unix_io_manager, &fs), 0);
	CU_ASSERT_EQUAL_FATAL(e2fc_load(fs, NULL, 0, &ld, &what), 0);
	seq = ld.j->sb.sequence;
	CU_ASSERT_EQUAL(e2fc_journal_reset(ld.j, seq), 0);
	e2fc_unload(&ld);
	ext2fs_close_free(&fs);

	CU_ASSERT_FATAL(img_open_path(&m));
	CU_ASSERT_EQUAL(m.ld.j->sb.start, 0);
	CU_ASSERT(ext2fs_has_feature_journal_needs_recovery(m.fs->super));
	before = malloc(2 * m.fs->blocksize);
	CU_ASSERT_FATAL(before != NULL);
	after = before + m.fs->blocksize;
	CU_ASSERT_FATAL(read_jsb(&m, before));
	CU_ASSERT_EQUAL(e2fc_recover_writeback(&m.fs, &m.ld, NULL, &st, &cs),
			0);
	CU_ASSERT_EQUAL(st.fc_commits, 0);
	CU_ASSERT_FATAL(read_jsb(&m, after));
	CU_ASSERT(memcmp(before, after, m.fs->blocksize) == 0);
	CU_ASSERT_EQUAL(e2fc_get_be32(after + JSB_SEQUENCE), seq);
	free(before);
	img_close(&m, 0);
}

static CU_TestInfo tests[] = {
	{ "transaction read back (csum v3)", test_txn_csum },
	{ "transaction read back (no csum)", test_txn_nocsum },
	{ "commit without room in the log", test_writeback_direct },
	{ "commit leaves a journal with no log alone", test_writeback_no_log },
	CU_TEST_INFO_NULL,
};

E2FC_SUITE("commit", tests);
