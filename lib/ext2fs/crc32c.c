// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * crc32c.c -- raw crc32c (Castagnoli polynomial, reflected 0x82F63B78),
 * no inversion before or after: the caller chooses the seed.
 *
 * Two paths: a portable slice-by-8 table walk, and the SSE4.2 crc32
 * instruction (one stream already exceeds the 1 GB/s target of the
 * fast-commit scan).  e2fc_crc32c() picks the hardware path once, at
 * first use, when the CPU has it.  e2fc_crc32c_x4() runs four streams
 * side by side, for digests of big arrays (the instruction's latency is
 * three cycles, its throughput one per cycle).
 */
#include <stdint.h>
#include <string.h>
#include "e2fc.h"

#define CRC32C_POLY 0x82F63B78U

static uint32_t crc_table[8][256];
static int table_ready;

static void crc32c_init_table(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ ((c & 1) ? CRC32C_POLY : 0);
		crc_table[0][i] = c;
	}
	for (i = 0; i < 256; i++) {
		c = crc_table[0][i];
		for (j = 1; j < 8; j++) {
			c = crc_table[0][c & 0xff] ^ (c >> 8);
			crc_table[j][i] = c;
		}
	}
	table_ready = 1;
}

uint32_t e2fc_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!table_ready)
		crc32c_init_table();
	while (len && ((uintptr_t)p & 7)) {
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		uint32_t lo = crc ^ e2fc_get_le32(p);
		uint32_t hi = e2fc_get_le32(p + 4);

		crc = crc_table[7][lo & 0xff] ^
		      crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^
		      crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^
		      crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^
		      crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_HW_CRC32C 1
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = crc;

	while (len && ((uintptr_t)p & 7)) {
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
		len--;
	}
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);	/* aligned here; memcpy keeps UBSan quiet */
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}

__attribute__((target("sse4.2")))
static void crc32c_hw_x4(uint32_t seed, const uint8_t *p, size_t q,
			 uint32_t out[4])
{
	uint64_t c0 = seed, c1 = seed, c2 = seed, c3 = seed, v;
	size_t i;

	for (i = 0; i < q; i += 8) {
		memcpy(&v, p + i, 8);
		c0 = __builtin_ia32_crc32di(c0, v);
		memcpy(&v, p + q + i, 8);
		c1 = __builtin_ia32_crc32di(c1, v);
		memcpy(&v, p + 2 * q + i, 8);
		c2 = __builtin_ia32_crc32di(c2, v);
		memcpy(&v, p + 3 * q + i, 8);
		c3 = __builtin_ia32_crc32di(c3, v);
	}
	out[0] = (uint32_t)c0;
	out[1] = (uint32_t)c1;
	out[2] = (uint32_t)c2;
	out[3] = (uint32_t)c3;
}
#endif

static int hw_state = -1;	/* -1 unknown, 0 no, 1 yes */

int e2fc_crc32c_hw_available(void)
{
	if (hw_state < 0) {
#ifdef HAVE_HW_CRC32C
		__builtin_cpu_init();
		hw_state = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
		hw_state = 0;
#endif
	}
	return hw_state;
}

uint32_t e2fc_crc32c(uint32_t crc, const void *buf, size_t len)
{
#ifdef HAVE_HW_CRC32C
	if (e2fc_crc32c_hw_available())
		return crc32c_hw(crc, buf, len);
#endif
	return e2fc_crc32c_sw(crc, buf, len);
}

void e2fc_crc32c_x4(uint32_t seed, const void *buf, size_t len,
		    uint32_t out[4])
{
	const uint8_t *p = buf;
	size_t q = len / 4;
	int i;

	if (len % 32) {
		out[0] = e2fc_crc32c(seed, buf, len);
		out[1] = out[2] = out[3] = seed;
		return;
	}
#ifdef HAVE_HW_CRC32C
	if (e2fc_crc32c_hw_available()) {
		crc32c_hw_x4(seed, p, q, out);
		return;
	}
#endif
	for (i = 0; i < 4; i++)
		out[i] = e2fc_crc32c_sw(seed, p + i * q, q);
}
