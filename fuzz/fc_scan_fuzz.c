// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fc_scan_fuzz.c -- harness 1: the fast-commit area decoder on raw bytes.
 *
 * Input: byte 0 picks the block size (bits 0-1: 1024 << n) and clean
 * (bit 2), bytes 1-4 the expected tid (le32), the rest is the area
 * (padded with zeros to whole blocks).  Every tag is described; with bit 3
 * of byte 0 the result is also printed as text and JSON (to a null
 * stream), as e2fcdump does (the printers' 256 KiB buffer costs most of
 * the time of a run, hence the choice).
 *
 * Built twice: fc_scan_fuzz takes the bytes as they are (most mutations
 * stop at the TAIL checksum); fc_scan_crc_fuzz (-DFIX_CRC) first rewrites
 * every TAIL crc, so mutated commits are valid and e2fc_replay_check()
 * then validates them against a kernel-made file system.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"

#define MAX_AREA	(1U << 20)

#ifdef FIX_CRC
static ext2_filsys base_fs(void)
{
	static ext2_filsys fs;
	char path[64];
	uint8_t *img;
	size_t len;

	if (fs)
		return fs;
	img = fz_gunzip(fz_base_image(), &len);
	fz_memfd("fc-base", img, len, len, path);
	free(img);
	if (ext2fs_open2(path, NULL, EXT2_FLAG_64BITS, 0, 0, unix_io_manager,
			 &fs))
		fz_fail("cannot open the base image %s", fz_base_image());
	return fs;
}
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_init();
#ifdef FIX_CRC
	base_fs();
#endif
	return 0;
}

static void use(struct e2fc_fc *fc, int print)
{
	static char name[] = "fuzz";
	struct e2fc_journal j;
	FILE *f = fz_null();
	unsigned i;

	memset(&j, 0, sizeof(j));	/* the printers' journal header */
	j.external = 1;
	j.ext_name = name;
	j.blocksize = j.sb.blocksize = fc->blocksize;
	if (print) {
		e2fc_print_text(f, &j, NULL, fc, E2FC_PRINT_RAW);
		e2fc_print_json(f, &j, NULL, fc, E2FC_PRINT_RAW);
	}
	for (i = 0; i < fc->ntags; i++)
		e2fc_describe_tag(f, &fc->tags[i]);
#ifdef FIX_CRC
	{
		unsigned bc, bt;

		e2fc_replay_check(base_fs(), fc, &bc, &bt);
	}
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct e2fc_fc *fc = NULL;
	uint32_t bs, tid, nblocks;
	uint8_t *area;
	int clean, print;

	fz_init();
	if (size < 5 || size - 5 > MAX_AREA)
		return 0;
	bs = 1024U << (data[0] & 3);
	clean = !!(data[0] & 4);
	print = !!(data[0] & 8);
	tid = e2fc_get_le32(data + 1);
	data += 5;
	size -= 5;
	nblocks = (size + bs - 1) / bs;
	area = calloc(1, (size_t)nblocks * bs + 1);
	if (!area)
		return 0;
	memcpy(area, data, size);
#ifdef FIX_CRC
	fz_fix_tail_crcs(area, (size_t)nblocks * bs, bs);
#endif
	if (e2fc_fc_scan_buf(area, nblocks, bs, 1, tid, clean, &fc)) {
		free(area);
		return 0;
	}
	use(fc, print);
	e2fc_fc_free(fc);
	return 0;
}
