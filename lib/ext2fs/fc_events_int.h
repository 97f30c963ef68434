/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_events_int.h -- shared by the event timeline's files.  Not installed.
 */
#ifndef E2FC_EVENTS_INT_H
#define E2FC_EVENTS_INT_H

#include "e2fc.h"

/* fc_imap.c: inode number (not 0) -> pointer */
struct imap {
	ext2_ino_t	*k;
	void		**v;
	unsigned	n, cap;		/* cap: 0 or a power of two */
};

void *e2fc_imap_get(const struct imap *m, ext2_ino_t ino);
/* set ino's value; the one it replaces in *old */
errcode_t e2fc_imap_put(struct imap *m, ext2_ino_t ino, void *v, void **old);
/* free the map, and each value with fn unless NULL */
void e2fc_imap_free(struct imap *m, void (*fn)(void *));

/* fc_events_paths.c: a name of len bytes, malloc'd, each byte escaped by
 * e2fc_name_byte (fc_fmt.h) (NULL: out of memory) */
char *e2fc_escape_name(const void *name, unsigned len);

/* fc_events_paths.c: fill path (and old_path) of every event */
errcode_t e2fc_events_resolve(struct e2fc_events *e, ext2_filsys pre,
			      ext2_filsys post, const struct e2fc_fc *fc);

#endif
