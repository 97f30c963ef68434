// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_array.c -- the library's one growable array, and the huge-page
 * allocation behind its big arrays and the decoder's store.
 *
 * Memory a process has not touched yet is dear: the first touch of every
 * 4 KiB page is a fault in which the kernel zeroes it.  Big arrays are
 * therefore 2 MiB aligned and asked for transparent huge pages, one fault
 * per 2 MiB (a hint: where the kernel says no, small pages as before).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "fc_array.h"

/* arrays of at least this many bytes get huge pages */
#define BIG_ARRAY	(E2FC_HUGE_SZ / 2)

void *e2fc_big_alloc(size_t *len)
{
	void *p;

	if (*len > ((size_t)-1) - E2FC_HUGE_SZ)
		return NULL;
	*len = (*len + E2FC_HUGE_SZ - 1) & ~(E2FC_HUGE_SZ - 1);
	if (posix_memalign(&p, E2FC_HUGE_SZ, *len))
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, *len, MADV_HUGEPAGE);
#endif
	return p;
}

/* the capacity for need elements: doubled from 64; 0 on overflow */
static unsigned new_cap(unsigned cap, unsigned need, size_t elt)
{
	unsigned ncap = cap ? cap : 64;

	while (ncap < need) {
		if (ncap > (~0U >> 1))
			return 0;
		ncap *= 2;
	}
	if ((size_t)ncap > ((size_t)-1) / elt)
		return 0;
	return ncap;
}

errcode_t e2fc_array_grow(void *arrp, unsigned *cap, unsigned need,
			  size_t elt)
{
	void **arr = arrp;
	unsigned ncap;
	size_t len;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = new_cap(*cap, need, elt);
	if (!ncap)
		return EXT2_ET_NO_MEMORY;
	len = (size_t)ncap * elt;
	if (len < BIG_ARRAY) {
		p = realloc(*arr, len);
		if (!p)
			return EXT2_ET_NO_MEMORY;
	} else {
		p = e2fc_big_alloc(&len);
		if (!p)
			return EXT2_ET_NO_MEMORY;
		if (len / elt <= (~0U >> 1))
			ncap = len / elt;	/* the rounding is room too */
		if (*arr)
			memcpy(p, *arr, (size_t)*cap * elt);
		free(*arr);
	}
	*arr = p;
	*cap = ncap;
	return 0;
}
