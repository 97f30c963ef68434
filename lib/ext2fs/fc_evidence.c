// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_evidence.c -- what an examiner records next to a report: which tool
 * and library made it, from which input (path, size, optionally its
 * SHA-256), and which journal (UUID, errno).  Printed as the first members
 * of every JSON form (doc/e2fcdump-json.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2fc.h"

errcode_t e2fc_evidence_input(struct e2fc_evidence *ev, const char *tool,
			      const char *version, const char *input, int hash)
{
	errcode_t err = 0;
	off_t end;
	int fd;

	memset(ev, 0, sizeof(*ev));
	ev->tool = tool;
	ev->tool_version = version;
	ev->input = input;
	fd = open(input, O_RDONLY);
	if (fd < 0)
		return errno;
	/* works for files and block devices alike */
	end = lseek(fd, 0, SEEK_END);
	if (end < 0 || lseek(fd, 0, SEEK_SET) < 0)
		err = errno;
	else
		ev->input_size = end;
	if (!err && hash) {
		err = e2fc_sha256_fd(fd, ev->sha256);
		ev->have_sha256 = !err;
	}
	close(fd);
	return err;
}

void e2fc_evidence_journal(struct e2fc_evidence *ev,
			   const struct e2fc_journal *j)
{
	ev->have_journal = j != NULL;
	if (!j)
		return;
	memcpy(ev->journal_uuid, j->sb.uuid, sizeof(ev->journal_uuid));
	ev->journal_errno = j->sb.errno_val;
}

errcode_t e2fc_evidence_get(struct e2fc_evidence *ev, const char *tool,
			    const char *version, const char *input,
			    const char *ext_journal, int hash)
{
	struct e2fc_journal *j = NULL;
	ext2_filsys fs = NULL;
	errcode_t err;

	err = e2fc_evidence_input(ev, tool, version, input, hash);
	if (err)
		return err;
	err = ext2fs_open(input, EXT2_FLAG_64BITS | EXT2_FLAG_JOURNAL_DEV_OK,
			  0, 0, unix_io_manager, &fs);
	if (err)
		return err;
	if (!e2fc_journal_open(fs, ext_journal, 0, &j)) {
		e2fc_evidence_journal(ev, j);
		e2fc_journal_close(j);
	}
	ext2fs_close_free(&fs);
	return 0;
}
