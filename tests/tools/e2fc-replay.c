/*
 * e2fc-replay.c -- minimal test driver of the replay engine.
 *
 *	e2fc-replay [-j EXTJOURNAL] [-u N] [-c] IMAGE
 *
 * Opens IMAGE read-write with the unix io manager, maps the journal,
 * scans the log and the fast-commit area and recovers the image in place
 * (-u N: replay only the first N valid fast commits; -c: only check the
 * plan, write nothing).  Prints the replay statistics on stdout.
 * Exit 0 when recovered (or nothing to do), 8 on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"

static void usage(void)
{
	fprintf(stderr, "usage: e2fc-replay [-j extjournal] [-u N] [-c] "
		"IMAGE\n");
	exit(8);
}

static int fail(const char *what, errcode_t err)
{
	fprintf(stderr, "e2fc-replay: %s: %s\n", what, error_message(err));
	return 8;
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

static int run(ext2_filsys *fsp, const char *extj, int check_only,
	       const struct e2fc_replay_opts *opts)
{
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	struct e2fc_fc *fc = NULL;
	struct e2fc_replay_stats st;
	unsigned bc = 0, bt = 0;
	errcode_t err;
	int ret = 0;

	err = e2fc_journal_open(*fsp, extj, extj ? E2FC_JOPEN_RW : 0, &j);
	if (err)
		return fail("opening the journal", err);
	err = e2fc_log_scan(j, &log);
	if (err) {
		ret = fail("scanning the log", err);
		goto out;
	}
	err = e2fc_fc_scan(j, log, &fc);
	if (err) {
		ret = fail("scanning the fast-commit area", err);
		goto out;
	}
	err = e2fc_replay_check(*fsp, fc, &bc, &bt);
	if (err) {
		fprintf(stderr, "e2fc-replay: commit %u tag %u: %s\n", bc, bt,
			error_message(err));
		ret = 8;
		goto out;
	}
	printf("fc commits valid: %u (%u tags)\n", fc->replay_commits,
	       fc->replay_tags);
	if (check_only)
		goto out;
	memset(&st, 0, sizeof(st));
	err = e2fc_recover(fsp, j, log, fc, opts, &st);
	print_stats(&st);
	if (err)
		ret = fail("recovering", err);
out:
	e2fc_fc_free(fc);
	e2fc_log_free(log);
	e2fc_journal_close(j);
	return ret;
}

int main(int argc, char **argv)
{
	struct e2fc_replay_opts opts;
	const char *extj = NULL;
	ext2_filsys fs = NULL;
	int c, check_only = 0, ret;
	errcode_t err;

	memset(&opts, 0, sizeof(opts));
	opts.until_commit = ~0U;
	while ((c = getopt(argc, argv, "j:u:c")) != -1) {
		switch (c) {
		case 'j':
			extj = optarg;
			break;
		case 'u':
			opts.until_commit = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			check_only = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	err = ext2fs_open2(argv[optind], NULL,
			   check_only ? 0 : EXT2_FLAG_RW | EXT2_FLAG_64BITS,
			   0, 0, unix_io_manager, &fs);
	if (err)
		return fail(argv[optind], err);
	ret = run(&fs, extj, check_only, &opts);
	err = ext2fs_close_free(&fs);
	if (err && !ret)
		ret = fail("closing", err);
	return ret;
}
