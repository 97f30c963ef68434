// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_writeback.c -- write a replay held in the overlay back to the device,
 * so that a power cut at any point still recovers to the same bytes.
 *
 * e2fc_recover() runs on the file system opened through the overlay io
 * manager: every block it changes (jbd2 replay, fast-commit replay,
 * bitmaps, descriptors, superblock) is in memory.  e2fc_writeback() writes
 * the blocks whose contents differ from the device, in this order:
 *
 *  1. Only when fast commits were replayed: all those blocks as one new
 *     jbd2 transaction at the head of the log, with the log's expected
 *     tid (the tid of the fast commits); descriptors and data flushed,
 *     then the commit block, flushed.  From then on any new run (or the
 *     kernel) replays that transaction, and the fast-commit area, whose
 *     tid is now older than the log's, is stale.  Before the commit block
 *     is on disk nothing but unused log blocks has changed, so a new run
 *     starts from the same state and writes the same transaction.
 *  2. The blocks in place, in block order, the primary superblock last;
 *     flushed.  Without fast commits (jbd2 replay only) this is the first
 *     step: replaying the same log again writes the same blocks.
 *  3. The journal superblock: s_start 0, s_sequence one past the log's
 *     next tid; flushed.  Between 2 and 3 the superblock says clean and
 *     the journal still has a log: like e2fsck -y ("run journal anyway"),
 *     e2fsck-fc replays it again, to the same bytes.  A journal that held
 *     no log (s_start 0 behind a needs_recovery superblock) is left as it
 *     is: after a cut between 2 and 3 nothing would tell a new run to
 *     reset it, and the kernel starts after s_sequence anyway.
 *
 * When the transaction does not fit in the free part of the log the
 * blocks are written in place without it (stats->journaled = 0).  The
 * replay itself must be deterministic for this to hold: it takes no time
 * from the clock (fc_replay.c).
 */
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"

struct writeback {
	ext2_filsys		ofs;	/* the overlay: the replayed contents */
	io_channel		dev;	/* the device, read-write */
	io_channel		jdev;	/* the external journal, or dev */
	struct e2fc_journal	*j;
	uint8_t			*a, *b;	/* two blocks */
};

static int blk_cmp(const void *x, const void *y)
{
	blk64_t a = *(const blk64_t *)x, b = *(const blk64_t *)y;

	return a < b ? -1 : a > b;
}

/* a run of contiguous device blocks */
struct blk_run {
	blk64_t		start, count;
};

static int run_cmp(const void *x, const void *y)
{
	const struct blk_run *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * The journal's own blocks, which are never part of what is written
 * back, as sorted runs: the journal's own runs, sorted by physical
 * block (sorting its 81,920 block numbers one by one was 8% of a
 * 15,000-commit recovery's CPU time).
 */
static errcode_t journal_runs(struct writeback *c, struct blk_run **runs,
			      unsigned *nruns)
{
	struct e2fc_journal *j = c->j;
	struct blk_run *r;
	unsigned i;
	errcode_t err;

	*runs = NULL;
	*nruns = 0;
	if (j->external || !j->nruns)
		return 0;
	err = ext2fs_get_array(j->nruns, sizeof(*r), &r);
	if (err)
		return err;
	for (i = 0; i < j->nruns; i++) {
		r[i].start = j->runs[i].pblk;
		r[i].count = j->runs[i].len;
	}
	qsort(r, j->nruns, sizeof(*r), run_cmp);
	*runs = r;
	*nruns = j->nruns;
	return 0;
}

/* is blk in one of the n sorted runs? */
static int in_runs(const struct blk_run *r, unsigned n, blk64_t blk)
{
	unsigned lo = 0, hi = n, mid;

	while (lo < hi) {		/* the first run starting after blk */
		mid = lo + (hi - lo) / 2;
		if (r[mid].start <= blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && blk - r[lo - 1].start < r[lo - 1].count;
}

/* the targets of the log's blocks, sorted; none without fast commits */
static errcode_t log_targets(const struct e2fc_log *log, int fc_replayed,
			     blk64_t **sorted)
{
	unsigned i;
	errcode_t err;

	*sorted = NULL;
	if (!fc_replayed || !log->nblocks)
		return 0;
	err = ext2fs_get_array(log->nblocks, sizeof(blk64_t), sorted);
	if (err)
		return err;
	for (i = 0; i < log->nblocks; i++)
		(*sorted)[i] = log->blocks[i].target;
	qsort(*sorted, log->nblocks, sizeof(blk64_t), blk_cmp);
	return 0;
}

/*
 * What a new run's replay of the log (ours aside) leaves in block target,
 * into buf: *found 0 when the log does not write it.  The blocks the
 * replay writes (e2fc_log_block_fate); the last one wins.
 */
static errcode_t log_version(struct writeback *c, const struct e2fc_log *log,
			     blk64_t target, void *buf, int *found)
{
	const struct e2fc_log_block *last;
	errcode_t err;

	last = e2fc_log_last_write(log, target,
				   ext2fs_blocks_count(c->ofs->super));
	*found = last != NULL;
	if (!last)
		return 0;
	err = e2fc_journal_io(c->j, c->jdev, last->log_block, 1, buf, 0);
	if (!err && last->escaped)
		e2fc_put_be32(buf, JBD2_MAGIC);
	return err;
}

/*
 * The blocks the overlay holds that differ from the device, sorted.  With
 * fast commits replayed, also those that differ from what the log leaves
 * in them: once our transaction is committed a new run replays the log
 * and ours but not the fast commits, so ours must carry the final
 * contents of every block the log changes, even where they came back to
 * what the device holds (an inode bitmap the log cleared a bit in and a
 * fast commit set again).
 */
static errcode_t changed_blocks(struct writeback *c, const struct e2fc_log *log,
				int fc_replayed, blk64_t **list, uint32_t *n)
{
	unsigned bs = c->ofs->blocksize;
	blk64_t *all, *lmap = NULL;
	struct blk_run *jruns = NULL;
	size_t i, nall, out = 0;
	unsigned njruns = 0;
	int in_log;
	errcode_t err;

	err = e2fc_overlay_blocks(c->ofs->io, bs, &all, &nall);
	if (!err)
		err = journal_runs(c, &jruns, &njruns);
	if (!err)
		err = log_targets(log, fc_replayed, &lmap);
	for (i = 0; i < nall && !err; i++) {
		if (all[i] >= ext2fs_blocks_count(c->ofs->super))
			continue;
		if (in_runs(jruns, njruns, all[i]))
			continue;
		err = io_channel_read_blk64(c->ofs->io, all[i], 1, c->a);
		if (!err)
			err = io_channel_read_blk64(c->dev, all[i], 1, c->b);
		if (!err && memcmp(c->a, c->b, bs)) {
			all[out++] = all[i];
			continue;
		}
		if (err || !lmap || !bsearch(&all[i], lmap, log->nblocks,
					     sizeof(blk64_t), blk_cmp))
			continue;
		err = log_version(c, log, all[i], c->b, &in_log);
		if (!err && in_log && memcmp(c->a, c->b, bs))
			all[out++] = all[i];
	}
	free(jruns);
	ext2fs_free_mem(&lmap);
	if (err) {
		ext2fs_free_mem(&all);
		return err;
	}
	*list = all;
	*n = (uint32_t)out;
	return 0;
}

static errcode_t read_final(void *arg, blk64_t blk, void *buf)
{
	struct writeback *c = arg;

	return io_channel_read_blk64(c->ofs->io, blk, 1, buf);
}

/* step 1; returns 0 with *journaled = 0 when it does not fit */
static errcode_t write_txn(struct writeback *c, const struct e2fc_log *log,
			   const blk64_t *list, uint32_t n, int *journaled,
			   struct e2fc_writeback_stats *cs)
{
	struct e2fc_journal *j = c->j;
	uint32_t need = e2fc_txn_blocks(&j->sb, n);
	uint64_t sec = 0;
	uint32_t nsec = 0;
	unsigned i;

	*journaled = 0;
	if (!log->start_block || need > e2fc_log_free_blocks(j, log))
		return 0;
	for (i = 0; i < log->ntrans; i++)
		if (log->trans[i].complete) {
			sec = log->trans[i].commit_sec;
			nsec = log->trans[i].commit_nsec;
		}
	*journaled = 1;
	cs->tid = log->expected_tid;
	cs->log_blocks = need;
	return e2fc_txn_write(j, c->jdev, e2fc_log_head(j, log),
			      log->expected_tid, list, n, read_final, c, sec,
			      nsec);
}

/* step 2: every block but the superblock's, then that one */
static errcode_t write_in_place(struct writeback *c, const blk64_t *list,
				uint32_t n)
{
	blk64_t sb_blk = 1024 / c->ofs->blocksize;
	errcode_t err = 0;
	uint32_t i;

	for (i = 0; i < n && !err; i++) {
		if (list[i] == sb_blk)
			continue;
		err = read_final(c, list[i], c->a);
		if (!err)
			err = io_channel_write_blk64(c->dev, list[i], 1, c->a);
	}
	if (!err)
		err = io_channel_flush(c->dev);
	if (err || !n || !bsearch(&sb_blk, list, n, sizeof(*list), blk_cmp))
		return err;
	err = read_final(c, sb_blk, c->a);
	if (!err)
		err = io_channel_write_blk64(c->dev, sb_blk, 1, c->a);
	if (!err)
		err = io_channel_flush(c->dev);
	return err;
}

/* step 3 */
static errcode_t reset_journal(struct writeback *c, uint32_t sequence)
{
	errcode_t err;

	err = e2fc_journal_io(c->j, c->jdev, 0, 1, c->a, 0);
	if (err)
		return err;
	e2fc_jsb_set_start(c->a, 0, sequence);
	err = e2fc_journal_io(c->j, c->jdev, 0, 1, c->a, 1);
	if (!err)
		err = io_channel_flush(c->jdev);
	return err;
}

static errcode_t open_channels(struct writeback *c, io_manager writer,
				io_manager jwriter)
{
	errcode_t err;

	err = writer->open(c->ofs->device_name, IO_FLAG_RW, &c->dev);
	if (!err)
		err = io_channel_set_blksize(c->dev, c->ofs->blocksize);
	if (err || !c->j->external) {
		c->jdev = c->dev;
		return err;
	}
	err = jwriter->open(c->j->ext_name, IO_FLAG_RW, &c->jdev);
	if (!err)
		err = io_channel_set_blksize(c->jdev, c->j->blocksize);
	return err;
}

static void close_channels(struct writeback *c)
{
	if (c->jdev && c->jdev != c->dev)
		io_channel_close(c->jdev);
	if (c->dev)
		io_channel_close(c->dev);
}

errcode_t e2fc_writeback(ext2_filsys ofs, struct e2fc_journal *j,
		      const struct e2fc_log *log, int fc_replayed,
		      io_manager writer, io_manager jwriter,
		      struct e2fc_writeback_stats *cs)
{
	struct writeback c = { .ofs = ofs, .j = j };
	uint32_t n = 0, next_tid = log->expected_tid;
	blk64_t *list = NULL;
	int journaled = 0;
	errcode_t err;

	memset(cs, 0, sizeof(*cs));
	err = ext2fs_get_array(2, ofs->blocksize, &c.a);
	if (err)
		return err;
	c.b = c.a + ofs->blocksize;
	err = open_channels(&c, writer, jwriter);
	if (!err)
		err = changed_blocks(&c, log, fc_replayed, &list, &n);
	if (!err && fc_replayed && n > 1) {
		err = write_txn(&c, log, list, n, &journaled, cs);
		if (journaled)
			next_tid++;	/* the log now ends after ours */
	}
	cs->journaled = journaled;
	cs->blocks = n;
	if (!err)
		err = write_in_place(&c, list, n);
	if (!err && log->start_block)
		err = reset_journal(&c, next_tid + 1);
	close_channels(&c);
	ext2fs_free_mem(&list);
	ext2fs_free_mem(&c.a);
	return err;
}

/*
 * A log bigger than this goes to the device before the replay instead of
 * through the overlay, which keeps every block it is given in memory:
 * peak memory then stays bounded whatever the journal's size (a full
 * 1 GiB journal held 612 MB in the overlay).  Smaller logs stay in the
 * overlay: one write-back of the final blocks.
 */
#define LOG_IN_MEMORY_MAX	(64ULL << 20)

static int log_too_big(const struct e2fc_log *log, unsigned bs,
		       uint64_t max)
{
	return log && (uint64_t)log->nblocks * bs >
		      (max ? max : LOG_IN_MEMORY_MAX) &&
	       e2fc_log_replayed_trans(log);
}

/*
 * The log straight to the device: the same bytes the replay would write,
 * and safe to cut (the journal still holds the log, a new run writes it
 * again).
 */
static errcode_t log_to_device(ext2_filsys fs, struct e2fc_journal *j,
			       const struct e2fc_log *log, io_manager writer,
			       struct e2fc_replay_stats *st)
{
	io_channel io;
	errcode_t err;

	err = writer->open(fs->device_name, IO_FLAG_RW, &io);
	if (err)
		return err;
	err = io_channel_set_blksize(io, fs->blocksize);
	if (!err)
		err = e2fc_log_replay_to(io, j, log,
					 ext2fs_blocks_count(fs->super), st);
	io_channel_close(io);
	return err;
}

/* e2fc_recover's check of the fast commits it will replay */
static errcode_t check_plan(ext2_filsys fs, const struct e2fc_fc *fc,
			    const struct e2fc_replay_opts *o)
{
	unsigned bc, bt;

	if (!fc || o->no_fc || !fc->replay_commits || !o->until_commit ||
	    o->plan_checked)
		return 0;
	return e2fc_replay_check(fs, fc, &bc, &bt);
}

errcode_t e2fc_log_prewrite(ext2_filsys fs, struct e2fc_journal *j,
			    const struct e2fc_log *log,
			    const struct e2fc_fc *fc, io_manager writer,
			    struct e2fc_replay_opts *o,
			    struct e2fc_replay_stats *st)
{
	errcode_t err;

	memset(st, 0, sizeof(*st));
	/* the undo manager keeps one undo file per open: e2fc_writeback
	 * opens its own channel later, so such a run keeps the log in the
	 * overlay */
	if (writer == undo_io_manager || !j ||
	    !ext2fs_has_feature_journal_needs_recovery(fs->super) ||
	    e2fc_journal_check_write(j) ||
	    !log_too_big(log, fs->blocksize, o->log_mem_max))
		return 0;
	/* a refused plan must leave the device as it was */
	err = check_plan(fs, fc, o);
	if (!err)
		err = log_to_device(fs, j, log, writer, st);
	if (!err)
		o->log_applied = 1;
	return err;
}

errcode_t e2fc_recover_writeback(ext2_filsys *fsp, const struct e2fc_loaded *ld,
				 const struct e2fc_replay_opts *opts,
				 struct e2fc_replay_stats *stats,
				 struct e2fc_writeback_stats *cs)
{
	struct e2fc_replay_opts o = { .until_commit = ~0U };
	struct e2fc_journal *j = ld->j;
	io_manager writer;
	errcode_t err;

	memset(cs, 0, sizeof(*cs));
	if ((*fsp)->io->manager != e2fc_overlay_io_manager)
		return EXT2_ET_INVALID_ARGUMENT;
	if (opts)
		o = *opts;
	writer = o.writer ? o.writer : unix_io_manager;
	err = e2fc_log_prewrite(*fsp, j, ld->log, ld->fc, writer, &o, stats);
	if (!err)
		err = e2fc_recover(fsp, j, ld->log, ld->fc, &o, stats);
	if (err)
		return err;
	if (!e2fc_overlay_units((*fsp)->io) &&
	    !(j && j->external && e2fc_overlay_units(j->ext_io)))
		return 0;	/* nothing to do: nothing written */
	return e2fc_writeback(*fsp, j, ld->log, stats->fc_commits > 0, writer,
			      writer, cs);
}
