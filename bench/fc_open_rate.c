// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fc_open_rate.c -- what opening a file system costs against its size:
 * ext2fs_open() (every group descriptor read into fs->group_desc), the
 * same with EXT2_FLAG_SUPER_ONLY (the superblock only), and e2fc_fs_open()
 * as e2fsck-fc opens (the descriptors read into huge pages, fc_gdt.c),
 * each in a fresh child process, so that every run pays for the memory
 * it touches as a real run does.  The difference between e2fc_fs_open
 * and the superblock alone is the floor a replay that reads the
 * descriptors cannot go below.
 *
 *	fc_open_rate [-r ROUNDS] IMAGE
 *
 * Prints the groups, the descriptor bytes, best and median of each way
 * and the descriptors' read rate, and "RESULT key value" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "e2fc.h"

static const char *prog = "fc_open_rate";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* flag of rate(): open with e2fc_fs_open, not ext2fs_open */
#define E2FC_OPEN	0x40000000

/* one open and close in a child; its wall time in ms, < 0 on failure */
static double one_open(const char *image, int flags)
{
	double t0 = now();
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		ext2_filsys fs;

		errcode_t err;

		flags |= EXT2_FLAG_64BITS;
		if (flags & E2FC_OPEN)
			err = e2fc_fs_open(image, flags & ~E2FC_OPEN, 0, 0,
					   unix_io_manager, &fs);
		else
			err = ext2fs_open(image, flags, 0, 0, unix_io_manager,
					  &fs);
		if (err)
			_exit(1);
		ext2fs_close_free(&fs);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return (now() - t0) * 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* best and median of rounds opens with flags */
static int rate(const char *image, int flags, int rounds, double *best,
		double *med)
{
	double *t = calloc(rounds, sizeof(*t));
	int i;

	if (!t)
		return -1;
	for (i = 0; i < rounds; i++) {
		t[i] = one_open(image, flags);
		if (t[i] < 0) {
			free(t);
			return -1;
		}
	}
	qsort(t, rounds, sizeof(*t), cmp);
	*best = t[0];
	*med = t[(rounds - 1) / 2];
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	double fb, fm, sb, sm, eb, em, mib;
	ext2_filsys fs;
	int rounds = 5, c;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r')
			goto usage;
		rounds = atoi(optarg);
	}
	if (optind != argc - 1 || rounds < 1)
		goto usage;
	if (ext2fs_open(argv[optind], EXT2_FLAG_64BITS |
			EXT2_FLAG_SUPER_ONLY, 0, 0, unix_io_manager, &fs)) {
		fprintf(stderr, "%s: cannot open %s\n", prog, argv[optind]);
		return 1;
	}
	mib = (double)fs->desc_blocks * fs->blocksize / (1 << 20);
	printf("%s: %u groups, %.1f MiB of group descriptors\n", prog,
	       fs->group_desc_count, mib);
	ext2fs_close_free(&fs);
	if (rate(argv[optind], 0, rounds, &fb, &fm) ||
	    rate(argv[optind], EXT2_FLAG_SUPER_ONLY, rounds, &sb, &sm) ||
	    rate(argv[optind], E2FC_OPEN, rounds, &eb, &em)) {
		fprintf(stderr, "%s: an open of %s failed\n", prog,
			argv[optind]);
		return 1;
	}
	printf("%s: ext2fs_open best %.1f ms, median %.1f ms; superblock "
	       "only best %.1f ms, median %.1f ms; descriptors %.0f MiB/s "
	       "(medians)\n", prog, fb, fm, sb, sm,
	       fm > sm ? mib / ((fm - sm) / 1e3) : 0.0);
	printf("%s: e2fc_fs_open best %.1f ms, median %.1f ms\n", prog, eb,
	       em);
	printf("RESULT open_ms %.3f\nRESULT super_only_ms %.3f\n"
	       "RESULT e2fc_open_ms %.3f\nRESULT gdt_mib %.3f\n", fm, sm, em,
	       mib);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-r ROUNDS] IMAGE\n", prog);
	return 2;
}
