/*
 * e2fc-recover.c -- test driver of e2fc_recover (used by
 * tests/kernel/run-corpus.sh when e2fsck-fc is not built).
 *
 *	e2fc-recover [-j EXTJOURNAL] [--until-commit N] IMAGE
 *
 * Opens IMAGE read-write (unix io manager, 64-bit bitmaps), opens the
 * journal read-write, scans the log and the fast-commit area and
 * recovers the image in place.  Prints the replay statistics on stdout.
 * Exit 0 when recovered (or nothing to do), 8 on any error, with a
 * com_err message on stderr ("e2fc-recover: ...").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"

static const char *prog = "e2fc-recover";

static void usage(void)
{
	fprintf(stderr, "usage: %s [-j extjournal] [--until-commit N] IMAGE\n",
		prog);
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
}

static int recover(ext2_filsys *fsp, const char *extj,
		   const struct e2fc_replay_opts *opts)
{
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	struct e2fc_fc *fc = NULL;
	struct e2fc_replay_stats st;
	unsigned bc = 0, bt = 0;
	errcode_t err;
	int ret = 0;

	err = e2fc_journal_open(*fsp, extj, E2FC_JOPEN_RW, &j);
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
	err = e2fc_recover(fsp, j, log, fc, opts, &st);
	print_stats(&st);
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
		{ NULL, 0, NULL, 0 }
	};
	struct e2fc_replay_opts opts;
	const char *extj = NULL;
	ext2_filsys fs = NULL;
	char *end;
	int c, ret;
	errcode_t err;

	memset(&opts, 0, sizeof(opts));
	opts.until_commit = ~0U;
	while ((c = getopt_long(argc, argv, "j:u:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			extj = optarg;
			break;
		case 'u':
			opts.until_commit = strtoul(optarg, &end, 0);
			if (!*optarg || *end)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	err = ext2fs_open2(argv[optind], NULL, EXT2_FLAG_RW | EXT2_FLAG_64BITS,
			   0, 0, unix_io_manager, &fs);
	if (err) {
		com_err(prog, err, "while opening %s", argv[optind]);
		return 8;
	}
	ret = recover(&fs, extj, &opts);
	err = ext2fs_close_free(&fs);
	if (err && !ret) {
		com_err(prog, err, "while closing %s", argv[optind]);
		ret = 8;
	}
	return ret;
}
