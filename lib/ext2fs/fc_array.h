/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_array.h -- growable arrays and huge-page allocations for the library
 * (fc_array.c).  Not installed.
 */
#ifndef E2FC_ARRAY_H
#define E2FC_ARRAY_H

#include <stddef.h>
#include <ext2fs/ext2fs.h>

#define E2FC_HUGE_SZ	((size_t)2 << 20)

/* at least *len bytes, *len rounded up to whole huge pages; free() */
void *e2fc_big_alloc(size_t *len);

/*
 * Room for at least need elements of elt bytes in the array *arrp points
 * to (a pointer to the array pointer), which holds *cap: the capacity
 * doubles from 64; arrays of 1 MiB and more get huge pages.  The array
 * stays in malloc memory (free() or ext2fs_free_mem); *cap is updated.
 */
errcode_t e2fc_array_grow(void *arrp, unsigned *cap, unsigned need,
			  size_t elt);

#endif
