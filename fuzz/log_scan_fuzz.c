// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log_scan_fuzz.c -- harness 2: the jbd2 log scan on a raw journal.
 *
 * Input: a journal from its block 0 (the jbd2 superblock, whose block size
 * and length are used; the journal is padded with zeros to s_maxlen
 * blocks).  It is read as an external journal through the unix io
 * manager on a memory file; the log is scanned (descriptors, revokes,
 * commits, csum v1/v2/v3), the FC area decoded, both printed (text and
 * JSON, to /dev/null), and the revoke table queried.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz_common.h"

#define MAX_JOURNAL	(16U << 20)

static errcode_t open_raw(const char *path, const struct e2fc_jsb *sb,
			  struct e2fc_journal **jp)
{
	struct e2fc_journal *j;
	errcode_t err;

	err = ext2fs_get_memzero(sizeof(*j), &j);
	if (err)
		return err;
	j->external = 1;
	j->ext_name = strdup("fuzz");
	j->blocksize = sb->blocksize;
	j->sb = *sb;
	err = ext2fs_get_memzero(sizeof(*j->runs), &j->runs);
	if (!err)
		err = unix_io_manager->open(path, 0, &j->ext_io);
	if (!err)
		err = io_channel_set_blksize(j->ext_io, sb->blocksize);
	if (err) {
		e2fc_journal_close(j);
		return err;
	}
	j->runs[0].len = sb->maxlen;	/* the identity map */
	j->nruns = 1;
	*jp = j;
	return 0;
}

static void use(struct e2fc_journal *j, struct e2fc_log *log)
{
	struct e2fc_fc *fc = NULL;
	FILE *f = fz_null();
	unsigned i;

	for (i = 0; i < log->nblocks; i++)
		e2fc_log_is_revoked(log, log->blocks[i].target,
				    log->blocks[i].tid);
	e2fc_log_head(j, log);
	e2fc_log_free_blocks(j, log);
	if (e2fc_fc_scan(j, log, &fc))
		return;
	e2fc_print_text(f, j, log, fc, E2FC_PRINT_LOG | E2FC_PRINT_RAW);
	e2fc_print_json(f, j, log, fc, E2FC_PRINT_LOG | E2FC_PRINT_RAW);
	e2fc_fc_free(fc);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct e2fc_journal *j = NULL;
	struct e2fc_log *log = NULL;
	struct e2fc_jsb sb;

	fz_init();
	if (size < 1024 || e2fc_jsb_decode(data, &sb))
		return 0;
	if ((uint64_t)sb.maxlen * sb.blocksize > MAX_JOURNAL ||
	    size > (uint64_t)sb.maxlen * sb.blocksize)
		return 0;
	if (fd < 0)
		fd = fz_memfd("journal", data, size,
			      (size_t)sb.maxlen * sb.blocksize, path);
	else
		fz_memfd_set(fd, data, size, (size_t)sb.maxlen * sb.blocksize);
	if (open_raw(path, &sb, &j))
		return 0;
	if (!e2fc_log_scan(j, &log)) {
		use(j, log);
		e2fc_log_free(log);
	}
	e2fc_journal_close(j);
	return 0;
}
