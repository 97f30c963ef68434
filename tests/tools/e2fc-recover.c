// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fc-recover.c -- test driver of the replay (used by
 * tests/kernel/run-corpus.sh when e2fsck-fc is not built, and by the
 * power-cut test tests/fsck-interrupt).
 *
 *	e2fc-recover [-j EXTJOURNAL] [--until-commit N] [--direct]
 *		     [--log-in-place] [--cut-after N] IMAGE
 *
 * Opens IMAGE through the overlay io manager, scans the log and the
 * fast-commit area, replays in memory and writes the result to IMAGE with
 * e2fc_writeback() -- what e2fsck-fc does.  --direct replays straight onto
 * IMAGE instead (unix io manager, no commit step), the way e2fc worked
 * before e2fc_writeback().  --log-in-place sends the jbd2 log to IMAGE
 * before the replay whatever its size (what e2fsck-fc does with a log of
 * more than 64 MiB).  --cut-after N simulates a power cut: the process
 * ends with _exit(99) instead of making its N-th write to IMAGE or the
 * journal (writes that were made stay, as after a cut).
 * Prints the replay statistics and "writes: K" on stdout.  Exit 0 when
 * recovered (or nothing to do), 8 on any error, with a com_err message on
 * stderr ("e2fc-recover: ..."), 99 when cut.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"
#include "watch_io.h"

static const char *prog = "e2fc-recover";

static void usage(void)
{
	fprintf(stderr, "usage: %s [-j extjournal] [--until-commit N] "
		"[--direct] [--log-in-place] [--cut-after N] IMAGE\n", prog);
	exit(8);
}

static void print_stats(const struct e2fc_replay_stats *st)
{
	printf("log transactions: %u\n", st->log_trans);
	printf("log blocks written: %u\n", st->log_blocks);
	printf("log blocks revoked: %u\n", st->log_revoked);
	printf("fc commits replayed: %u\n", st->fc_commits);
	printf("fc tags applied: %u\n", st->fc_tags);
	printf("fc tags skipped: %u\n", st->fc_skipped);
	printf("inodes freed: %u\n", st->inodes_freed);
	printf("blocks freed: %llu\n", (unsigned long long)st->blocks_freed);
	printf("blocks allocated: %llu\n",
	       (unsigned long long)st->blocks_allocated);
	printf("bitmaps read: %u\n", st->bitmaps_read);
	printf("orphans freed: %u, truncated: %u, skipped: %u\n",
	       st->orphans_freed, st->orphans_truncated, st->orphans_bad);
}

/* ---- a unix io manager that stops the process at its N-th write ---- */

static unsigned long writes, cut_after;

static void count_write(uint64_t off, uint64_t len)
{
	if (cut_after && ++writes >= cut_after) {
		fflush(stdout);
		_exit(99);
	}
	if (!cut_after)
		writes++;
}

static io_manager cut_manager(void)
{
	return watch_io_manager("e2fc power-cut test I/O manager",
				count_write);
}

static int recover(ext2_filsys *fsp, const char *extj, int direct,
		   struct e2fc_replay_opts *opts)
{
	struct e2fc_loaded ld;
	struct e2fc_replay_stats st;
	struct e2fc_writeback_stats cs;
	unsigned bc = 0, bt = 0;
	const char *what;
	errcode_t err;

	err = e2fc_load(*fsp, extj, direct ? E2FC_JOPEN_RW :
			E2FC_JOPEN_OVERLAY, &ld, &what);
	if (err) {
		com_err(prog, err, "while %s", what);
		return 8;
	}
	err = e2fc_replay_check(*fsp, ld.fc, &bc, &bt);
	if (err) {
		com_err(prog, err, "in fast commit %u, tag %u", bc, bt);
		e2fc_unload(&ld);
		return 8;
	}
	memset(&st, 0, sizeof(st));
	opts->writer = cut_manager();
	if (direct)
		err = e2fc_recover(fsp, ld.j, ld.log, ld.fc, opts, &st);
	else
		err = e2fc_recover_writeback(fsp, &ld, opts, &st, &cs);
	print_stats(&st);
	if (!direct && !err)
		printf("commit: %s, %u blocks\n", cs.journaled ?
		       "journaled" : "in place", cs.blocks);
	if (err)
		com_err(prog, err, "while recovering");
	e2fc_unload(&ld);
	return err ? 8 : 0;
}

/* a whole number of at least min, or the usage */
static unsigned long num(const char *arg, unsigned long min)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 0);

	if (!*arg || *end || v < min)
		usage();
	return v;
}

struct args {
	struct e2fc_replay_opts	opts;
	const char		*extj;
	int			direct;
};

/* the options into a; the IMAGE operand is argv[optind] */
static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		E2FC_LONGOPT_UNTIL,
		{ "cut-after", required_argument, NULL, 'c' },
		{ "direct", no_argument, NULL, 'd' },
		{ "log-in-place", no_argument, NULL, 'l' },
		E2FC_LONGOPT_END
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->opts.until_commit = ~0U;
	while ((c = getopt_long(argc, argv, "j:", longopts, NULL)) != -1) {
		if (c == 'j')
			a->extj = optarg;
		else if (c == 'U')
			a->opts.until_commit = num(optarg, 0);
		else if (c == 'c')
			cut_after = num(optarg, 1);
		else if (c == 'd')
			a->direct = 1;
		else if (c == 'l')
			a->opts.log_mem_max = 1;	/* any log goes first */
		else
			usage();
	}
	if (optind != argc - 1)
		usage();
}

int main(int argc, char **argv)
{
	ext2_filsys fs = NULL;
	const char *image;
	struct args a;
	errcode_t err;
	int ret;

	parse_args(argc, argv, &a);
	image = argv[optind];
	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	err = ext2fs_open2(image, NULL, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			   a.direct ? cut_manager() : e2fc_overlay_io_manager,
			   &fs);
	if (err) {
		com_err(prog, err, "while opening %s", image);
		return 8;
	}
	ret = recover(&fs, a.extj, a.direct, &a.opts);
	err = ext2fs_close_free(&fs);
	if (err && !ret) {
		com_err(prog, err, "while closing %s", image);
		ret = 8;
	}
	printf("writes: %lu\n", writes);
	return ret;
}
