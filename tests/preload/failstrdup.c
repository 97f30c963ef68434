// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * failstrdup.c -- an LD_PRELOAD shim for the image tests: strdup() of the
 * string named by $E2FC_FAIL_STRDUP returns NULL with ENOMEM, as when
 * memory runs out; every other strdup() works.  It shows whether a
 * program checks what strdup returns (tests/fsck-nomem).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *strdup(const char *s)
{
	const char *bad = getenv("E2FC_FAIL_STRDUP");
	size_t n = strlen(s) + 1;
	char *p;

	if (bad && !strcmp(s, bad)) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}
