/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * fc_fmt.h -- the output buffer behind fc_print.c: numbers, timestamps,
 * hex, escaped names and JSON strings formatted by hand into a large
 * buffer.  Not installed; only fc_print.c includes it, so everything is
 * static inline (the hot paths must be inlined anyway).
 */
#ifndef E2FC_FMT_H
#define E2FC_FMT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the largest item key and output the memo keeps (an inode's bytes, its
 * text or JSON) */
#define OB_MEMO_KEY	256
#define OB_MEMO_OUT	2048

/*
 * The output buffer.  A 15,000-commit area prints 60,000 tag lines (and
 * --raw a hundred MB of hex): every field is formatted by hand into a
 * large buffer that goes to the stream with one fwrite per fill, instead
 * of a printf per field.  The output is exactly what the printf formats
 * named next to each helper would give.
 */
struct ob {
	FILE	*f;
	char	*p;		/* next free byte */
	char	*end;		/* end of the buffer */
	char	*buf;
	size_t	flushed;	/* bytes handed to f so far */
	/* the last " %" PRId64 ".%09u" a timestamp printed: an INODE tag
	 * mostly repeats one time in all its fields, and the next tag too */
	int64_t		t_sec;
	uint32_t	t_ns;
	unsigned	t_len;		/* 0: nothing cached */
	char		t_str[40];
	/* the last item printed between ob_memo_begin and ob_memo_end: its
	 * kind, its key (the bytes it was made from) and its output */
	int		m_kind;
	unsigned	m_klen;		/* 0: nothing kept */
	unsigned	m_len;
	char		*m_start;	/* where the item being printed began */
	size_t		m_flushed;	/* flushed then */
	uint8_t		m_key[OB_MEMO_KEY];
	char		m_out[OB_MEMO_OUT];
};

/* the longest single item a helper reserves at once (a 64-bit number,
 * a sign, a prefix) */
#define OB_ITEM		32
/* 64 KiB: one write(2) per fill costs less than the page faults of a
 * bigger buffer (15k image: 256 KiB was 3-4% slower) */
#define OB_BIG		(1U << 16)

static const char hexdig[] = "0123456789abcdef";

/* "%02x" of every byte value: hex2 + 2 * byte */
static const char hex2[] =
	"000102030405060708090a0b0c0d0e0f"
	"101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f"
	"303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f"
	"505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f"
	"707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f"
	"909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
	"b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	"d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

static const char dec2[] =
	"00010203040506070809" "10111213141516171819"
	"20212223242526272829" "30313233343536373839"
	"40414243444546474849" "50515253545556575859"
	"60616263646566676869" "70717273747576777879"
	"80818283848586878889" "90919293949596979899";

static inline void ob_init(struct ob *o, FILE *f, char *buf, size_t size)
{
	o->f = f;
	o->buf = o->p = buf;
	o->end = buf + size;
	o->flushed = 0;
	o->t_len = 0;
	o->m_klen = 0;
}

static inline void ob_flush(struct ob *o)
{
	if (o->p > o->buf) {
		fwrite(o->buf, 1, o->p - o->buf, o->f);
		o->flushed += o->p - o->buf;
	}
	o->p = o->buf;
}

/* a buffer for one whole print: OB_BIG bytes from the heap, or the
 * caller's small one when there is no memory; ob_close() flushes it and
 * frees what ob_open() took */
static inline void ob_open(struct ob *o, FILE *f, char *small, size_t len)
{
	char *big = malloc(OB_BIG);

	if (big)
		ob_init(o, f, big, OB_BIG);
	else
		ob_init(o, f, small, len);
}

static inline void ob_close(struct ob *o, char *small)
{
	ob_flush(o);
	if (o->buf != small)
		free(o->buf);
}

static inline void ob_room(struct ob *o, size_t n)
{
	if ((size_t)(o->end - o->p) < n)
		ob_flush(o);
}

static inline void ob_putc(struct ob *o, char c)
{
	ob_room(o, 1);
	*o->p++ = c;
}

static inline void ob_mem_slow(struct ob *o, const char *s, size_t n)
{
	ob_flush(o);
	if (n > (size_t)(o->end - o->buf)) {
		fwrite(s, 1, n, o->f);
		o->flushed += n;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

static inline __attribute__((always_inline)) void ob_mem(struct ob *o,
						       const char *s, size_t n)
{
	if ((size_t)(o->end - o->p) < n) {
		ob_mem_slow(o, s, n);
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

/* a string literal, without a strlen */
#define ob_lit(o, s)	ob_mem((o), "" s, sizeof(s) - 1)

static inline void ob_str(struct ob *o, const char *s)
{
	ob_mem(o, s, strlen(s));
}

/*
 * The memo: a printer that often prints the same item twice in a row (an
 * inode logged by two INODE tags) asks ob_memo_hit() first, which copies
 * the kept output when kind and key match; else it prints the item
 * between ob_memo_begin() and ob_memo_end(), which keep it.
 */
static inline int ob_memo_hit(struct ob *o, int kind, const void *key,
			      unsigned klen)
{
	if (!o->m_klen || o->m_kind != kind || o->m_klen != klen ||
	    memcmp(o->m_key, key, klen))
		return 0;
	ob_mem(o, o->m_out, o->m_len);
	return 1;
}

/* room for a whole item, so that its bytes stay together in the buffer */
static inline void ob_memo_begin(struct ob *o)
{
	ob_room(o, OB_MEMO_OUT);
	o->m_klen = 0;
	o->m_start = o->p;
	o->m_flushed = o->flushed;
}

static inline void ob_memo_end(struct ob *o, int kind, const void *key,
			       unsigned klen)
{
	size_t len = o->p - o->m_start;

	if (o->flushed != o->m_flushed || !klen || klen > OB_MEMO_KEY ||
	    len > OB_MEMO_OUT)
		return;
	o->m_kind = kind;
	o->m_klen = klen;
	o->m_len = len;
	memcpy(o->m_key, key, klen);
	memcpy(o->m_out, o->m_start, len);
}

static const uint32_t pow10_32[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};

static inline unsigned dec_digits32(uint32_t v)
{
	/* log10 from log2: bits * 1233 / 4096, then one step up (v | 1:
	 * 0 has one digit too; no power of ten but 1 is odd) */
	unsigned t = ((32 - __builtin_clz(v | 1)) * 1233) >> 12;

	return t + ((v | 1) >= pow10_32[t]);
}

static inline unsigned dec_digits64(uint64_t v)
{
	unsigned n = 1;

	while (v >= 100) {
		v /= 100;
		n += 2;
	}
	return n + (v >= 10);
}

/* the n digits of v ending just before q, written backwards */
static inline void dec_fill32(char *q, uint32_t v, unsigned n)
{
	while (n >= 2) {
		unsigned r = (v % 100) * 2;

		v /= 100;
		q -= 2;
		q[0] = dec2[r];
		q[1] = dec2[r + 1];
		n -= 2;
	}
	if (n)
		*--q = '0' + v;
}

/* %u */
static inline __attribute__((always_inline)) void ob_u32(struct ob *o,
						       uint32_t v)
{
	unsigned n;

	ob_room(o, OB_ITEM);
	if (v < 10) {
		*o->p++ = '0' + v;
		return;
	}
	n = dec_digits32(v);
	dec_fill32(o->p + n, v, n);
	o->p += n;
}

/* %0<width>u */
static inline void ob_u32w(struct ob *o, uint32_t v, unsigned width)
{
	unsigned n = dec_digits32(v);

	ob_room(o, OB_ITEM);
	while (width > n) {
		*o->p++ = '0';
		width--;
	}
	dec_fill32(o->p + n, v, n);
	o->p += n;
}

static inline void ob_u64_big(struct ob *o, uint64_t v)
{
	unsigned n = dec_digits64(v);
	char *q;

	ob_room(o, OB_ITEM);
	q = o->p + n;
	while (v > UINT32_MAX) {
		unsigned r = (v % 100) * 2;

		v /= 100;
		q -= 2;
		q[0] = dec2[r];
		q[1] = dec2[r + 1];
	}
	dec_fill32(q, v, q - o->p);
	o->p += n;
}

/* %" PRIu64 " */
static inline void ob_u64(struct ob *o, uint64_t v)
{
	if (v <= UINT32_MAX)
		ob_u32(o, v);
	else
		ob_u64_big(o, v);
}

/* %" PRId64 " */
static inline void ob_s64(struct ob *o, int64_t v)
{
	if (v < 0) {
		ob_putc(o, '-');
		ob_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		ob_u64(o, v);
	}
}

/* %x, or %0<width>x */
static inline void ob_hex32w(struct ob *o, uint32_t v, unsigned width)
{
	unsigned n = 1;
	char *q;

	while (n < 8 && (v >> (4 * n)))
		n++;
	if (width > n)
		n = width;
	ob_room(o, OB_ITEM);
	for (q = o->p + n; q > o->p; v >>= 4)
		*--q = hexdig[v & 15];
	o->p += n;
}

/* %o */
static inline void ob_oct32(struct ob *o, uint32_t v)
{
	unsigned n = 1;
	char *q;

	while (n < 11 && (v >> (3 * n)))
		n++;
	ob_room(o, OB_ITEM);
	for (q = o->p + n; q > o->p; v >>= 3)
		*--q = '0' + (v & 7);
	o->p += n;
}

/* %02x per byte */
static inline void ob_hex_bytes(struct ob *o, const uint8_t *p,
				unsigned len)
{
	while (len) {
		size_t room = (o->end - o->p) / 2;
		unsigned n, i;

		if (!room) {
			ob_flush(o);
			continue;
		}
		n = len < room ? len : room;
		for (i = 0; i < n; i++) {
			memcpy(o->p, hex2 + 2 * p[i], 2);
			o->p += 2;
		}
		p += n;
		len -= n;
	}
}

/* n bytes of zeros in hex: "00" n times */
static inline void ob_hex_zeros(struct ob *o, unsigned n)
{
	size_t left = (size_t)n * 2;

	while (left) {
		size_t room = o->end - o->p, k;

		if (!room) {
			ob_flush(o);
			continue;
		}
		k = left < room ? left : room;
		memset(o->p, '0', k);
		o->p += k;
		left -= k;
	}
}

/*
 * The one escape of a byte of a name: printable ASCII stays, everything
 * else (and the backslash) is \xNN.  Writes 1 or 4 chars to out and
 * returns how many.
 */
static inline unsigned e2fc_name_byte(char *out, uint8_t c)
{
	if (c >= 0x20 && c < 0x7f && c != '\\') {
		out[0] = c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hexdig[c >> 4];
	out[3] = hexdig[c & 15];
	return 4;
}

static inline void ob_name(struct ob *o, const uint8_t *name,
			   unsigned len)
{
	unsigned i;

	for (i = 0; i < len; i++) {
		ob_room(o, 4);
		o->p += e2fc_name_byte(o->p, name[i]);
	}
}

/*
 * The library's one JSON string writer: len bytes as a quoted string, each
 * escaped as e2fc_name_byte escapes names, then '"' and '\\' of that as
 * JSON wants them (so a backslash or any other odd byte reads \\xNN), so
 * that any bytes, a name or a path that is not UTF-8 among them, give
 * valid JSON.
 */
static inline void ob_json_bytes(struct ob *o, const uint8_t *name,
				 unsigned len)
{
	unsigned i, k, n;
	char e[4];

	ob_putc(o, '"');
	for (i = 0; i < len; i++) {
		n = e2fc_name_byte(e, name[i]);
		ob_room(o, 2 * n);
		for (k = 0; k < n; k++) {
			if (e[k] == '"' || e[k] == '\\')
				*o->p++ = '\\';
			*o->p++ = e[k];
		}
	}
	ob_putc(o, '"');
}

static inline void ob_json_string(struct ob *o, const char *s)
{
	ob_json_bytes(o, (const uint8_t *)s, strlen(s));
}

/* " <what> %" PRId64 ".%09u" */
static inline void ob_time(struct ob *o, const char *what, size_t wlen,
			   int64_t sec, uint32_t ns)
{
	char *start;

	/* all of it at once: start must stay valid (no flush below) */
	ob_room(o, 4 * OB_ITEM);
	*o->p++ = ' ';
	memcpy(o->p, what, wlen);
	o->p += wlen;
	if (o->t_len && sec == o->t_sec && ns == o->t_ns) {
		memcpy(o->p, o->t_str, sizeof(o->t_str));
		o->p += o->t_len;
		return;
	}
	start = o->p;
	*o->p++ = ' ';
	ob_s64(o, sec);
	*o->p++ = '.';
	ob_u32w(o, ns, 9);
	o->t_sec = sec;
	o->t_ns = ns;
	o->t_len = o->p - start;
	memcpy(o->t_str, start, o->t_len);
}

#endif
