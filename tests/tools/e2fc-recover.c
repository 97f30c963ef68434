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
static struct struct_io_manager cut_mgr;

static void count_write(void)
{
	if (cut_after && ++writes >= cut_after) {
		fflush(stdout);
		_exit(99);
	}
	if (!cut_after)
		writes++;
}

static errcode_t cut_write(io_channel ch, unsigned long blk, int n,
			   const void *buf)
{
	count_write();
	return unix_io_manager->write_blk(ch, blk, n, buf);
}

static errcode_t cut_write64(io_channel ch, unsigned long long blk, int n,
			     const void *buf)
{
	count_write();
	return unix_io_manager->write_blk64(ch, blk, n, buf);
}

static errcode_t cut_write_byte(io_channel ch, unsigned long off, int n,
				const void *buf)
{
	count_write();
	return unix_io_manager->write_byte(ch, off, n, buf);
}

static errcode_t cut_open(const char *name, int flags, io_channel *ch)
{
	errcode_t err = unix_io_manager->open(name, flags, ch);

	if (!err)
		(*ch)->manager = &cut_mgr;
	return err;
}

static io_manager cut_manager(void)
{
	cut_mgr = *unix_io_manager;
	cut_mgr.name = "e2fc power-cut test I/O manager";
	cut_mgr.open = cut_open;
	cut_mgr.write_blk = cut_write;
	cut_mgr.write_blk64 = cut_write64;
	cut_mgr.write_byte = cut_write_byte;
	return &cut_mgr;
}

static int recover(ext2_filsys *fsp, const char *extj, int direct,
		   const struct e2fc_replay_opts *opts)
{
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	struct e2fc_fc *fc = NULL;
	struct e2fc_replay_stats st;
	struct e2fc_writeback_stats cs;
	unsigned bc = 0, bt = 0;
	errcode_t err;
	int ret = 0;

	err = e2fc_journal_open(*fsp, extj, direct ? E2FC_JOPEN_RW :
				E2FC_JOPEN_OVERLAY, &j);
	if (err) {
		com_err(prog, err, "while opening the journal");
		return 8;
	}
	err = e2fc_log_scan(j, &log);
	if (err) {
		com_err(prog, err, "while scanning the log");
		ret = 8;
		goto out;
	}
	err = e2fc_fc_scan(j, log, &fc);
	if (err) {
		com_err(prog, err, "while scanning the fast-commit area");
		ret = 8;
		goto out;
	}
	err = e2fc_replay_check(*fsp, fc, &bc, &bt);
	if (err) {
		com_err(prog, err, "in fast commit %u, tag %u", bc, bt);
		ret = 8;
		goto out;
	}
	memset(&st, 0, sizeof(st));
	if (direct)
		err = e2fc_recover(fsp, j, log, fc, opts, &st);
	else
		err = e2fc_recover_writeback(fsp, j, log, fc, opts, cut_manager(),
					  cut_manager(), &st, &cs);
	print_stats(&st);
	if (!direct && !err)
		printf("commit: %s, %u blocks\n", cs.journaled ?
		       "journaled" : "in place", cs.blocks);
	if (err) {
		com_err(prog, err, "while recovering");
		ret = 8;
	}
out:
	e2fc_fc_free(fc);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "until-commit", required_argument, NULL, 'u' },
		{ "cut-after", required_argument, NULL, 'c' },
		{ "direct", no_argument, NULL, 'd' },
		{ "log-in-place", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct e2fc_replay_opts opts;
	const char *extj = NULL, *image;
	ext2_filsys fs = NULL;
	int c, ret, direct = 0;
	char *end;
	errcode_t err;

	memset(&opts, 0, sizeof(opts));
	opts.until_commit = ~0U;
	while ((c = getopt_long(argc, argv, "j:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			extj = optarg;
			break;
		case 'u':
			opts.until_commit = strtoul(optarg, &end, 0);
			if (!*optarg || *end)
				usage();
			break;
		case 'c':
			cut_after = strtoul(optarg, &end, 0);
			if (!*optarg || *end || !cut_after)
				usage();
			break;
		case 'd':
			direct = 1;
			break;
		case 'l':
			opts.log_mem_max = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	image = argv[optind];
	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	err = ext2fs_open2(image, NULL, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			   direct ? cut_manager() : e2fc_overlay_io_manager,
			   &fs);
	if (err) {
		com_err(prog, err, "while opening %s", image);
		return 8;
	}
	ret = recover(&fs, extj, direct, &opts);
	err = ext2fs_close_free(&fs);
	if (err && !ret) {
		com_err(prog, err, "while closing %s", image);
		ret = 8;
	}
	printf("writes: %lu\n", writes);
	return ret;
}
