// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_two_replays.c -- two replays in one process at once.  A recovers
 * replay-1k-128-csum.img.gz through the overlay; after its first fast
 * commit (its progress callback) B recovers the same image, also through
 * the overlay, to the end.  Each must write exactly what it writes alone:
 * the same blocks with the same contents.  Nothing of a replay may be
 * shared with another (the overlay of a name, the allocation hooks'
 * replay): B must not see A's half-done writes, nor A B's.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "unit.h"

/* what a replay wrote: each block of its overlay and a hash of it */
struct sig {
	blk64_t		*blk;
	uint64_t	*hash;
	size_t		n;
};

struct run {
	ext2_filsys		fs;
	struct e2fc_loaded	ld;
	struct e2fc_replay_opts	opts;
	struct e2fc_replay_stats st;
	struct sig		sig;
};

static char path[64];
static struct sig ref_full, ref_log;	/* alone: all, only the log */
static int inner_done;

static uint64_t fnv(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static int sig_take(ext2_filsys fs, struct sig *s)
{
	uint8_t *buf;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (e2fc_overlay_blocks(fs->io, fs->blocksize, &s->blk, &s->n))
		return 0;
	buf = malloc(fs->blocksize);
	s->hash = calloc(s->n + 1, sizeof(*s->hash));
	for (i = 0; buf && s->hash && i < s->n; i++) {
		if (io_channel_read_blk64(fs->io, s->blk[i], 1, buf))
			break;
		s->hash[i] = fnv(buf, fs->blocksize);
	}
	free(buf);
	return s->hash && i == s->n;
}

static int sig_same(const struct sig *a, const struct sig *b)
{
	return a->n && a->n == b->n &&
	       !memcmp(a->blk, b->blk, a->n * sizeof(*a->blk)) &&
	       !memcmp(a->hash, b->hash, a->n * sizeof(*a->hash));
}

static void sig_free(struct sig *s)
{
	ext2fs_free_mem(&s->blk);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

static int run_open(struct run *r, int no_fc)
{
	const char *what;

	memset(r, 0, sizeof(*r));
	r->opts.until_commit = ~0U;
	r->opts.no_fc = no_fc;
	if (ext2fs_open(path, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			e2fc_overlay_io_manager, &r->fs))
		return 0;
	return !e2fc_load(r->fs, NULL, E2FC_JOPEN_OVERLAY, &r->ld, &what);
}

static errcode_t run_recover(struct run *r)
{
	errcode_t err;

	err = e2fc_recover(&r->fs, r->ld.j, r->ld.log, r->ld.fc, &r->opts,
			   &r->st);
	if (!err && !sig_take(r->fs, &r->sig))
		err = EXT2_ET_NO_MEMORY;
	return err;
}

static void run_close(struct run *r)
{
	e2fc_unload(&r->ld);
	if (r->fs)
		ext2fs_close_free(&r->fs);
	sig_free(&r->sig);
}

/* a whole replay of the image, alone or inside another */
static void replay_alone(int no_fc, struct sig *keep, const struct sig *want)
{
	struct run r;

	CU_ASSERT_FATAL(run_open(&r, no_fc));
	CU_ASSERT_EQUAL(run_recover(&r), 0);
	CU_ASSERT_EQUAL(r.st.fc_commits, no_fc ? 0 : 5);
	if (want)
		CU_ASSERT(sig_same(&r.sig, want));
	if (keep) {
		*keep = r.sig;
		memset(&r.sig, 0, sizeof(r.sig));
	}
	run_close(&r);
}

/* A's progress: after its first commit, B runs whole */
static void inner(void *arg, unsigned done, unsigned total)
{
	int no_fc = *(int *)arg;

	if (done != 1 || inner_done)
		return;
	inner_done = 1;
	replay_alone(no_fc, NULL, no_fc ? &ref_log : &ref_full);
}

static void interleaved(int inner_no_fc)
{
	struct run a;

	inner_done = 0;
	CU_ASSERT_FATAL(run_open(&a, 0));
	a.opts.progress = inner;
	a.opts.progress_arg = &inner_no_fc;
	CU_ASSERT_EQUAL(run_recover(&a), 0);
	CU_ASSERT(inner_done);
	CU_ASSERT_EQUAL(a.st.fc_commits, 5);
	CU_ASSERT(sig_same(&a.sig, &ref_full));
	run_close(&a);
}

static void test_two_replays(void)
{
	CU_ASSERT_FATAL(e2fc_test_unpack("replay-1k-128-csum.img.gz", path,
					 sizeof(path)));
	replay_alone(0, &ref_full, NULL);
	replay_alone(1, &ref_log, NULL);
	CU_ASSERT(!sig_same(&ref_full, &ref_log));
	interleaved(1);		/* B replays only the log */
	interleaved(0);		/* B replays everything */
	sig_free(&ref_full);
	sig_free(&ref_log);
	unlink(path);
}

static CU_TestInfo two_replays_tests[] = {
	{ "two replays of one image at once", test_two_replays },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("two_replays", two_replays_tests);
