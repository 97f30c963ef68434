/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_api_int.h -- what fc_api.c and fc_api_tree.c share: the image handle
 * behind the public interface (libe2fc.h).
 */
#ifndef FC_API_INT_H
#define FC_API_INT_H

#include "e2fc.h"
#include "libe2fc.h"

struct e2fc_image {
	ext2_filsys		fs;	/* through the overlay io manager */
	char			*path;
	char			*journal;
	struct e2fc_loaded	ld;	/* all NULL without a journal */
	int			replayed;
};

#endif /* FC_API_INT_H */
