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
 * three cycles, its throughput one per cycle); e2fc_crc32c_wide() joins
 * the four into the crc of the whole buffer (a directory block's).
 */
#include <pthread.h>
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

/* ---- crc32c of a whole block, four streams at once --------------------- */

/*
 * One stream of the crc32 instruction waits three cycles for each eight
 * bytes; e2fc_crc32c_x4 runs four over the quarters of a buffer.  Their
 * results join because crc32c is linear: the crc from c over Q is the
 * crc from 0 over Q xor the crc from c over as many zero bytes, and the
 * latter is linear in c, so four tables of 256 entries (one per byte of
 * c) give it for one length.  Tables are made once per quarter length
 * (one per block size), from the 32 crcs of single bits.
 */
#define ZS_SLOTS	8

struct zshift {
	size_t		q;		/* quarter length; 0: slot free */
	uint32_t	t[4][256];
};

static struct zshift zs[ZS_SLOTS];
static int zs_used;			/* slots made, read with acquire */
static pthread_mutex_t zs_lock = PTHREAD_MUTEX_INITIALIZER;

/* crc32c from c over n zero bytes */
static uint32_t crc_zeros(uint32_t c, size_t n)
{
	static const uint8_t zero[256];
	size_t k;

	for (; n; n -= k) {
		k = n < sizeof(zero) ? n : sizeof(zero);
		c = e2fc_crc32c(c, zero, k);
	}
	return c;
}

static void zs_make(struct zshift *z, size_t q)
{
	uint32_t bit[32];
	unsigned i, j, b;

	for (i = 0; i < 32; i++)
		bit[i] = crc_zeros(1U << i, q);
	for (i = 0; i < 4; i++)
		for (b = 0; b < 256; b++) {
			z->t[i][b] = 0;
			for (j = 0; j < 8; j++)
				if (b & (1U << j))
					z->t[i][b] ^= bit[8 * i + j];
		}
	z->q = q;
}

/* the tables for quarter length q; NULL when every slot is taken */
static const struct zshift *zs_get(size_t q)
{
	int i, n = __atomic_load_n(&zs_used, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (zs[i].q == q)
			return &zs[i];
	pthread_mutex_lock(&zs_lock);
	for (i = 0; i < zs_used && zs[i].q != q; i++)
		;
	if (i == zs_used && i < ZS_SLOTS) {
		zs_make(&zs[i], q);
		__atomic_store_n(&zs_used, i + 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&zs_lock);
	return i < ZS_SLOTS ? &zs[i] : NULL;
}

static uint32_t zs_shift(const struct zshift *z, uint32_t c)
{
	return z->t[0][c & 0xff] ^ z->t[1][(c >> 8) & 0xff] ^
	       z->t[2][(c >> 16) & 0xff] ^ z->t[3][c >> 24];
}

uint32_t e2fc_crc32c_wide(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t body = len & ~(size_t)31;
	const struct zshift *z;
	uint32_t part[4];
	int i;

	if (body < 1024 || !e2fc_crc32c_hw_available())
		return e2fc_crc32c(crc, buf, len);
	z = zs_get(body / 4);
	if (!z)
		return e2fc_crc32c(crc, buf, len);
	e2fc_crc32c_x4(0, p, body, part);
	for (i = 0; i < 4; i++)
		crc = zs_shift(z, crc) ^ part[i];
	return e2fc_crc32c(crc, p + body, len - body);
}
