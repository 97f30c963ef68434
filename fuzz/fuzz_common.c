// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_common.c -- helpers shared by the e2fc libFuzzer harnesses.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "fuzz_common.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif
#define DEFAULT_BASE "tests/kernel/corpus/1k-256-csum-64-s2-00/image.gz"

void fz_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	initialize_ext2_error_table();
	initialize_e2fc_error_table();
}

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FUZZ FINDING: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static ssize_t null_write(void *cookie, const char *buf, size_t len)
{
	return len;
}

/* a stream that drops what it is given without a system call */
FILE *fz_null(void)
{
	static cookie_io_functions_t fns = { .write = null_write };
	static FILE *f;

	if (!f)
		f = fopencookie(NULL, "w", fns);
	if (!f)
		fz_fail("cannot open a null stream");
	return f;
}

void fz_memfd_set(int fd, const void *data, size_t len, size_t total)
{
	if (total < len)
		total = len;
	if (ftruncate(fd, 0) || ftruncate(fd, (off_t)total))
		fz_fail("ftruncate of a memory file failed");
	if (len && pwrite(fd, data, len, 0) != (ssize_t)len)
		fz_fail("write to a memory file failed");
}

int fz_memfd(const char *tag, const void *data, size_t len, size_t total,
	     char path[64])
{
	int fd = memfd_create(tag, 0);

	if (fd < 0)
		fz_fail("memfd_create failed");
	fz_memfd_set(fd, data, len, total);
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

uint8_t *fz_gunzip(const char *file, size_t *len)
{
	char cmd[4200];
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", file);
	p = popen(cmd, "r");
	if (!p)
		fz_fail("cannot run gzip on %s", file);
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				fz_fail("out of memory reading %s", file);
		}
		got = fread(buf + n, 1, cap - n, p);
		n += got;
	} while (got);
	if (pclose(p) != 0 || !n)
		fz_fail("cannot decompress %s", file);
	*len = n;
	return buf;
}

const char *fz_base_image(void)
{
	static char path[4096];
	const char *env = getenv("FUZZ_BASE_IMAGE");

	if (env && *env)
		return env;
	snprintf(path, sizeof(path), "%s/%s", FUZZ_SRCDIR, DEFAULT_BASE);
	return path;
}

/* one block of the FC area: TLVs as fc_scan.c reads them; *crc runs
 * across blocks while a commit is open */
static void fix_block(uint8_t *p, uint32_t bs, uint32_t *crc)
{
	uint32_t off = 0;

	while (off + EXT4_FC_TL_SIZE <= bs) {
		uint16_t tag = e2fc_get_le16(p + off);
		uint16_t len = e2fc_get_le16(p + off + 2);

		if (!tag && !len) {		/* unwritten: commit ends */
			*crc = 0;
			return;
		}
		if (off + EXT4_FC_TL_SIZE + len > bs) {	/* truncated */
			*crc = 0;
			return;
		}
		if (tag == EXT4_FC_TAG_TAIL && len >= 8) {
			*crc = e2fc_crc32c(*crc, p + off, EXT4_FC_TL_SIZE + 4);
			e2fc_put_le32(p + off + EXT4_FC_TL_SIZE + 4, *crc);
			*crc = 0;
		} else {
			*crc = e2fc_crc32c(*crc, p + off,
					   EXT4_FC_TL_SIZE + len);
		}
		off += EXT4_FC_TL_SIZE + len;
	}
}

void fz_fix_tail_crcs(uint8_t *area, size_t len, uint32_t bs)
{
	uint32_t crc = 0;
	size_t b;

	for (b = 0; b + bs <= len; b += bs)
		fix_block(area + b, bs, &crc);
}
