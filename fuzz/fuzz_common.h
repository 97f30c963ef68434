/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_common.h -- helpers shared by the e2fc libFuzzer harnesses.
 *
 * The harnesses also build with gcc against standalone.c, which feeds
 * them files: that is how `make check` replays the regression inputs
 * kept under tests/fuzz-regress/.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include "e2fc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* setup before the first input (libFuzzer calls it; so does standalone.c):
 * a base image read here does not count against the first input's time */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* error tables, once */
void fz_init(void);
/* a memory file (memfd) holding len bytes of data, grown with zeros to
 * total bytes; *path gets a name any open(2) accepts */
int fz_memfd(const char *tag, const void *data, size_t len, size_t total,
	     char path[64]);
/* replace the contents of the memory file fd */
void fz_memfd_set(int fd, const void *data, size_t len, size_t total);
/* the gzip'ed image file (gzip -dc), malloc'ed; aborts on failure */
uint8_t *fz_gunzip(const char *file, size_t *len);
/* the base image: $FUZZ_BASE_IMAGE or a kernel-made corpus image */
const char *fz_base_image(void);
/* rewrite the crc of every TAIL of an FC area of len bytes in blocks of
 * bs, the way the kernel computes it, so a mutated area reaches the
 * replay instead of stopping at the checksum */
void fz_fix_tail_crcs(uint8_t *area, size_t len, uint32_t bs);
/* a stream that discards its output, for the printers */
FILE *fz_null(void);
/* print a finding and abort (a crash libFuzzer records) */
void fz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
