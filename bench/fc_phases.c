// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fc_phases.c -- where the time of an e2fc recovery goes, phase by phase,
 * on a real image, along the path e2fsck-fc takes.  THE IMAGE IS RECOVERED
 * IN PLACE: give it a scratch copy (run-bench.sh does).
 *
 *   open       e2fc_fs_open through the overlay io manager (superblock,
 *              group descriptors)
 *   journal    e2fc_journal_open (find the journal, map its blocks)
 *   log        e2fc_log_scan (the full jbd2 log)
 *   fc         e2fc_fc_scan (read the FC area, decode, CRC)
 *   check      e2fc_replay_check_map (validate the plan against the fs;
 *              its metadata map is lent to the replay, as e2fsck-fc does)
 *   recover    e2fc_recover into the overlay (full transactions, FC
 *              commits, bitmaps, counts)
 *   commit     e2fc_writeback (the changed blocks to the image: a jbd2
 *              transaction, in place, journal reset; with fsyncs)
 *   close      e2fc_fs_discard of the overlay file system (as e2fsck-fc)
 *
 * usage: fc_phases [-j external-journal] IMAGE
 * Output: a line per phase and "RESULT phase_<name>_ms <ms>" lines.
 * Exit: 0 ok, 1 a phase failed, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <et/com_err.h>
#include "e2fc.h"

enum { P_OPEN, P_JOURNAL, P_LOG, P_FC, P_CHECK, P_RECOVER, P_COMMIT,
       P_CLOSE, NPHASES };
static const char *const phase_name[NPHASES] = {
	"open", "journal", "log", "fc", "check", "recover", "commit", "close",
};

static double t[NPHASES];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: fc_phases [-j external-journal] IMAGE\n");
	exit(2);
}

static void report(const struct e2fc_log *log, const struct e2fc_fc *fc,
		   const struct e2fc_replay_stats *st, int reached)
{
	struct rusage ru;
	int k;

	for (k = 0; k < NPHASES; k++) {
		if (k >= reached) {
			printf("  %-8s not reached\n", phase_name[k]);
			continue;
		}
		printf("  %-8s %9.3f ms\n", phase_name[k], t[k] * 1e3);
		printf("RESULT phase_%s_ms %.3f\n", phase_name[k], t[k] * 1e3);
	}
	if (log && fc)
		printf("  log: %u transactions; fc: %s, %u of %u commits, "
		       "%u tags to replay\n", log->ntrans,
		       e2fc_fc_state_name(fc->state), fc->replay_commits,
		       fc->ncommits, fc->replay_tags);
	if (reached > P_RECOVER)
		printf("  recovered: %u transactions, %u log blocks, %u FC "
		       "commits, %u tags, %u inodes freed\n", st->log_trans,
		       st->log_blocks, st->fc_commits, st->fc_tags,
		       st->inodes_freed);
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak RSS %ld MiB\n", ru.ru_maxrss / 1024);
	printf("RESULT max_rss_kb %ld\n", ru.ru_maxrss);
}

int main(int argc, char **argv)
{
	const char *ext = NULL, *img;
	ext2_filsys fs = NULL;
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	struct e2fc_fc *fc = NULL;
	struct e2fc_replay_opts opts;
	struct e2fc_replay_stats st;
	struct e2fc_writeback_stats cs;
	unsigned bc = 0, bt = 0;
	errcode_t err;
	struct meta_map *plan = NULL;
	int opt, k = 0;
	double t0;

	while ((opt = getopt(argc, argv, "j:")) != -1) {
		if (opt != 'j')
			usage();
		ext = optarg;
	}
	if (optind != argc - 1)
		usage();
	img = argv[optind];
	add_error_table(&et_e2fc_error_table);
	add_error_table(&et_ext2_error_table);
	memset(&opts, 0, sizeof(opts));
	memset(&st, 0, sizeof(st));
	opts.until_commit = ~0U;

	t0 = now();
	err = e2fc_fs_open(img, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			  e2fc_overlay_io_manager, &fs);
	t[k] = now() - t0;
	if (err)
		goto fail;
	k++;
	t0 = now();
	err = e2fc_journal_open(fs, ext, E2FC_JOPEN_OVERLAY, &j);
	t[k] = now() - t0;
	if (err)
		goto fail;
	k++;
	t0 = now();
	err = e2fc_log_scan(j, &log);
	t[k] = now() - t0;
	if (err)
		goto fail;
	k++;
	t0 = now();
	err = e2fc_fc_scan(j, log, &fc);
	t[k] = now() - t0;
	if (err)
		goto fail;
	k++;
	t0 = now();
	err = e2fc_replay_check_map(fs, fc, &bc, &bt, &plan);
	opts.plan_checked = 1;
	opts.plan_meta = plan;
	t[k] = now() - t0;
	if (err) {
		com_err("fc_phases", err, "replay check: commit %u, tag %u",
			bc, bt);
		goto fail;
	}
	k++;
	t0 = now();
	err = e2fc_recover(&fs, j, log, fc, &opts, &st);
	t[k] = now() - t0;
	if (err)
		goto fail;
	k++;
	t0 = now();
	err = e2fc_writeback(fs, j, log, st.fc_commits > 0, unix_io_manager,
			  unix_io_manager, &cs);
	t[k] = now() - t0;
	if (err)
		goto fail;
	k++;
	e2fc_journal_close(j);	/* before its fs goes */
	j = NULL;
	t0 = now();
	e2fc_fs_discard(&fs);
	t[k] = now() - t0;
	k++;
	printf("fc_phases: %s\n", img);
	report(log, fc, &st, k);
	printf("  commit: %s, %u blocks written in place\n",
	       cs.journaled ? "one jbd2 transaction first" : "in place only",
	       cs.blocks);
	e2fc_meta_free(&plan);
	e2fc_fc_free(fc);
	e2fc_log_free(log);
	return 0;
fail:
	com_err("fc_phases", err, "phase %s", phase_name[k]);
	printf("fc_phases: %s\n", img);
	report(log, fc, &st, k);
	e2fc_meta_free(&plan);
	e2fc_fc_free(fc);
	e2fc_log_free(log);
	if (j)
		e2fc_journal_close(j);
	e2fc_fs_discard(&fs);
	return 1;
}
