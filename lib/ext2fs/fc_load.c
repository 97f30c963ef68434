// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_load.c -- the one sequence every program starts with: open the
 * journal of a file system, scan its log, decode its fast-commit area.
 */
#include <string.h>
#include "e2fc.h"

errcode_t e2fc_load(ext2_filsys fs, const char *ext_journal, int flags,
		    struct e2fc_loaded *ld, const char **what)
{
	errcode_t err;

	memset(ld, 0, sizeof(*ld));
	*what = "opening the journal";
	err = e2fc_journal_open(fs, ext_journal, flags, &ld->j);
	if (err)
		return err;
	*what = "scanning the journal log";
	err = e2fc_log_scan(ld->j, &ld->log);
	if (!err) {
		*what = "reading the fast-commit area";
		err = e2fc_fc_scan(ld->j, ld->log, &ld->fc);
	}
	if (err)
		e2fc_unload(ld);
	return err;
}

void e2fc_unload(struct e2fc_loaded *ld)
{
	e2fc_fc_free(ld->fc);
	e2fc_log_free(ld->log);
	e2fc_journal_close(ld->j);
	memset(ld, 0, sizeof(*ld));
}
