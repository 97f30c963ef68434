// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fc_scan_rate.c -- how fast libe2fc decodes a fast-commit area.
 *
 * Builds a synthetic FC area in memory with the unit tests' writer
 * (tests/unit/fcw.c: the layout of doc/format.md, as Linux writes it),
 * then times, over several rounds:
 *   - e2fc_fc_scan_buf (decode + CRC of every commit), in GB/s of area;
 *   - e2fc_crc32c (hardware path when the CPU has it) over the whole area;
 *   - e2fc_crc32c_sw (portable slice-by-8) over the whole area;
 *   - e2fc_crc32c in commit-sized pieces (what the scanner really does).
 * Two areas are built: "kernel" (one commit per fsync: CREAT/LINK/UNLINK,
 * INODE, ADD_RANGE, DEL_RANGE, most commits in one block, some spanning
 * blocks) and "dense" (every block packed with tags, long commits): the
 * second is the worst case, nearly every byte goes through the CRC.
 *
 * Every scan result is checked (state replayable, every commit valid,
 * tag count as encoded) so a fast wrong scanner does not pass.
 *
 * Output: a human table, then "RESULT <key> <value>" lines for
 * bench/run-bench.sh.  Exit 0 when everything decoded as encoded, 1 on a
 * decode mismatch, 2 on bad usage.
 *
 * usage: fc_scan_rate [-s MiB] [-b blocksize] [-r rounds]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include "e2fc.h"
#include "fcw.h"

#define RAW_INODE_LEN	160	/* 128 + i_extra_isize 32 (256-byte inodes) */
#define BENCH_TID	4242U
#define FC_FIRST	65536U	/* logical block of the first FC block */

/* ---- the area, laid out by the unit tests' writer (tests/unit/fcw.c) ---- */

struct enc {
	struct fcw	*w;
	uint32_t	tid;
};

/* a plausible raw regular-file inode with one extent in its root */
static void enc_inode(struct enc *e, uint32_t ino, uint32_t size,
		      uint32_t lblk, uint64_t pblk, uint16_t nblk)
{
	uint8_t r[RAW_INODE_LEN];
	uint8_t *x = r + RI_BLOCK + EXT4_EXT_HDR_SIZE;

	memset(r, 0, sizeof(r));
	e2fc_put_le16(r + RI_MODE, 0100644);
	e2fc_put_le32(r + RI_SIZE_LO, size);
	e2fc_put_le32(r + RI_ATIME, 1764000000);
	e2fc_put_le32(r + RI_CTIME, 1764000000);
	e2fc_put_le32(r + RI_MTIME, 1764000000);
	e2fc_put_le16(r + RI_LINKS, 1);
	e2fc_put_le32(r + RI_BLOCKS_LO, nblk * 8u);
	e2fc_put_le32(r + RI_FLAGS, EXT4_EXTENTS_FL);
	e2fc_put_le16(r + RI_BLOCK, EXT4_EXT_MAGIC);
	e2fc_put_le16(r + RI_BLOCK + EXT4_EXT_HDR_ENTRIES, 1);
	e2fc_put_le16(r + RI_BLOCK + EXT4_EXT_HDR_MAX, 4);
	e2fc_put_le32(x + EXT4_EXT_LBLK, lblk);
	e2fc_put_le16(x + EXT4_EXT_LEN, nblk);
	e2fc_put_le16(x + EXT4_EXT_START_HI, (uint16_t)(pblk >> 32));
	e2fc_put_le32(x + EXT4_EXT_START_LO, (uint32_t)pblk);
	e2fc_put_le32(r + RI_GENERATION, ino * 2654435761u);
	e2fc_put_le16(r + RI_EXTRA_ISIZE, RAW_INODE_LEN - RI_GOOD_OLD);
	e2fc_put_le32(r + RI_CRTIME, 1764000000);
	fcw_inode(e->w, ino, r, sizeof(r));
}

static void enc_add_range(struct enc *e, uint32_t ino, uint32_t lblk,
			  uint16_t len, uint64_t pblk)
{
	fcw_add_range(e->w, ino, lblk, len, pblk, 0);
}

static void enc_del_range(struct enc *e, uint32_t ino, uint32_t lblk,
			  uint32_t len)
{
	fcw_del_range(e->w, ino, lblk, len);
}

static void enc_dentry(struct enc *e, uint16_t tag, uint32_t parent,
		       uint32_t ino, const char *name)
{
	fcw_dentry(e->w, tag, parent, ino, name, strlen(name));
}

/* ---- the two workloads ---------------------------------------------- */

/* xorshift: reproducible, no libc state */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* one commit the way the kernel writes one fsync: an operation, the
 * inodes it touched, their new ranges */
static void commit_kernel(struct enc *e, uint32_t i, uint32_t *seed)
{
	uint32_t dir = 12 + (i & 7), ino = 20 + i, r = rnd(seed) % 100;
	uint64_t pblk = 100000 + (uint64_t)i * 4;
	char name[32];
	unsigned k, n;

	snprintf(name, sizeof(name), "f%06u", i);
	if (r < 45) {		/* create + write + fsync */
		enc_dentry(e, EXT4_FC_TAG_CREAT, dir, ino, name);
		enc_inode(e, dir, 4096, 0, 9000 + dir, 1);
		enc_add_range(e, ino, 0, 1, pblk);
		enc_inode(e, ino, 900, 0, pblk, 1);
	} else if (r < 80) {	/* append + fsync */
		enc_add_range(e, ino, 1, 1, pblk + 1);
		enc_inode(e, ino, 5000, 0, pblk, 2);
	} else if (r < 88) {	/* hard link */
		enc_dentry(e, EXT4_FC_TAG_LINK, dir, ino, name);
		enc_inode(e, dir, 4096, 0, 9000 + dir, 1);
		enc_inode(e, ino, 900, 0, pblk, 1);
	} else if (r < 96) {	/* unlink, then fsync of another file */
		enc_dentry(e, EXT4_FC_TAG_UNLINK, dir, ino, name);
		enc_inode(e, dir, 4096, 0, 9000 + dir, 1);
		enc_del_range(e, ino, 0, 2);
		enc_add_range(e, ino + 1, 2, 1, pblk + 2);
		enc_inode(e, ino + 1, 9000, 0, pblk, 3);
	} else {		/* a big write: many ranges, spans blocks */
		n = 40 + rnd(seed) % 300;
		for (k = 0; k < n; k++)
			enc_add_range(e, ino, k * 16, 16,
				      pblk + 1000000 + k * 32);
		enc_inode(e, ino, n * 65536, 0, pblk, 16);
	}
}

/* a long commit of packed tags: about 16 blocks each */
static void commit_dense(struct enc *e, uint32_t i, uint32_t *seed)
{
	uint32_t target = e->w->blk + 16, ino = 20 + i;
	uint64_t pblk = 200000 + (uint64_t)i * 4096;
	char name[32];
	unsigned k = 0;

	while (!e->w->overflow && e->w->blk < target) {
		snprintf(name, sizeof(name), "dense-%u-%u", i, k);
		enc_dentry(e, EXT4_FC_TAG_CREAT, 12, ino + k, name);
		enc_add_range(e, ino + k, k, 8, pblk + k * 8);
		enc_inode(e, ino + k, 32768, 0, pblk, 8);
		if (rnd(seed) % 4 == 0)
			enc_del_range(e, ino + k, 8, 8);
		k++;
	}
}

/* fill area with commits; stops when the longest commit might not fit,
 * so no commit is cut short */
static void build_area(struct enc *e, int dense)
{
	uint32_t seed = dense ? 0x9e3779b9u : 0x12345678u, i;
	/* dense: 16 blocks + 1; kernel: up to 340 ADD_RANGEs + INODE */
	uint32_t margin = dense ? 18 : 340 * 20 / e->w->bs + 3;

	fcw_head(e->w, EXT4_FC_SUPPORTED_FEATURES, e->tid);
	for (i = 0; !e->w->overflow && e->w->blk + margin < e->w->nblocks;
	     i++) {
		if (dense)
			commit_dense(e, i, &seed);
		else
			commit_kernel(e, i, &seed);
		fcw_tail(e->w, e->tid);
	}
}

/* ---- timing ----------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct timing {
	double	best, median;
};

static struct timing summarize(double *t, int n)
{
	struct timing r;

	qsort(t, n, sizeof(*t), cmp_double);
	r.best = t[0];
	r.median = t[n / 2];
	return r;
}

static volatile uint32_t sink;	/* keeps the crc loops from vanishing */

static struct timing time_crc(uint32_t (*fn)(uint32_t, const void *, size_t),
			      const uint8_t *buf, size_t len, size_t piece,
			      int rounds, double *t)
{
	int r;

	for (r = 0; r < rounds; r++) {
		double t0 = now();
		uint32_t c = 0;
		size_t off;

		for (off = 0; off < len; off += piece)
			c ^= fn(0, buf + off, len - off < piece ?
				len - off : piece);
		t[r] = now() - t0;
		sink ^= c;
	}
	return summarize(t, rounds);
}

/* scan a private copy of area each round (the scanner takes ownership) */
static int time_scan(const struct enc *e, int rounds, double *t,
		     struct timing *res, const char *label)
{
	size_t len = (size_t)e->w->nblocks * e->w->bs;
	struct e2fc_fc *fc;
	errcode_t err;
	uint8_t *copy;
	int r;

	for (r = 0; r < rounds; r++) {
		copy = malloc(len);
		if (!copy) {
			fprintf(stderr, "fc_scan_rate: out of memory\n");
			return -1;
		}
		memcpy(copy, e->w->buf, len);
		double t0 = now();
		err = e2fc_fc_scan_buf(copy, e->w->nblocks, e->w->bs, FC_FIRST,
				       e->tid, 0, &fc);
		t[r] = now() - t0;
		if (err) {
			fprintf(stderr, "fc_scan_rate: %s: scan error %ld\n",
				label, (long)err);
			free(copy);
			return -1;
		}
		if (fc->state != E2FC_FC_REPLAYABLE ||
		    fc->replay_commits != e->w->ncommits ||
		    fc->ncommits != e->w->ncommits || fc->ntags != e->w->ntags) {
			fprintf(stderr, "fc_scan_rate: %s: decoded %s, %u/%u "
				"commits valid, %u tags; encoded %u commits, "
				"%u tags\n", label,
				e2fc_fc_state_name(fc->state),
				fc->replay_commits, fc->ncommits, fc->ntags,
				e->w->ncommits, e->w->ntags);
			e2fc_fc_free(fc);
			return -1;
		}
		e2fc_fc_free(fc);
	}
	*res = summarize(t, rounds);
	return 0;
}

static double gbs(size_t bytes, double secs)
{
	return secs > 0 ? bytes / secs / 1e9 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fc_scan_rate [-s MiB] [-b blocksize] "
		"[-r rounds]\n");
	exit(2);
}

static long parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi)
		usage();
	return v;
}

static int bench_area(const char *label, int dense, size_t mib, uint32_t bs,
		      int rounds, double *t)
{
	struct enc e = { NULL, BENCH_TID };
	struct timing ts;
	size_t len;
	int ret = -1;

	e.w = fcw_new(bs, (uint32_t)(mib * 1048576 / bs));
	if (!e.w) {
		fprintf(stderr, "fc_scan_rate: out of memory\n");
		return -1;
	}
	len = (size_t)e.w->nblocks * bs;
	build_area(&e, dense);
	if (e.w->ncommits == 0)
		fprintf(stderr, "fc_scan_rate: %s: area too small\n", label);
	else if (!time_scan(&e, rounds, t, &ts, label))
		ret = 0;
	if (ret) {
		fcw_free(e.w);
		return ret;
	}
	printf("%-7s %6u commits %8u tags %5.1f MiB CRC'd  scan best "
	       "%7.2f ms median %7.2f ms  %6.2f GB/s\n", label,
	       e.w->ncommits, e.w->ntags, e.w->crc_bytes / 1048576.0,
	       ts.best * 1e3, ts.median * 1e3, gbs(len, ts.best));
	printf("RESULT scan_%s_commits %u\n", label, e.w->ncommits);
	printf("RESULT scan_%s_ms %.3f\n", label, ts.best * 1e3);
	printf("RESULT scan_%s_gbs %.3f\n", label, gbs(len, ts.best));
	printf("RESULT scan_%s_commits_per_s %.0f\n", label,
	       ts.best > 0 ? e.w->ncommits / ts.best : 0);
	printf("RESULT scan_%s_tags_per_s %.0f\n", label,
	       ts.best > 0 ? e.w->ntags / ts.best : 0);
	fcw_free(e.w);
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib = 64, len;
	uint32_t bs = 4096;
	int rounds = 10, opt, bad = 0;
	struct timing hw, sw, pc;
	struct rusage ru;
	uint8_t *buf;
	double *t;
	size_t i;

	while ((opt = getopt(argc, argv, "s:b:r:")) != -1) {
		switch (opt) {
		case 's':
			mib = parse_num(optarg, 1, 4096);
			break;
		case 'b':
			bs = parse_num(optarg, 1024, 65536);
			if (bs & (bs - 1))
				usage();
			break;
		case 'r':
			rounds = parse_num(optarg, 1, 1000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	t = calloc(rounds, sizeof(*t));
	len = mib * 1048576;
	buf = malloc(len);
	if (!t || !buf) {
		fprintf(stderr, "fc_scan_rate: out of memory\n");
		return 1;
	}
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 9));

	printf("fc_scan_rate: %zu MiB area, %u-byte blocks, %d rounds, "
	       "best of rounds (GB = 1e9 bytes)\n", mib, bs, rounds);
	if (e2fc_crc32c(0, buf, len) != e2fc_crc32c_sw(0, buf, len)) {
		fprintf(stderr, "fc_scan_rate: hw and sw crc32c differ\n");
		return 1;
	}
	hw = time_crc(e2fc_crc32c, buf, len, len, rounds, t);
	sw = time_crc(e2fc_crc32c_sw, buf, len, len, rounds, t);
	pc = time_crc(e2fc_crc32c, buf, len, 600, rounds, t);
	printf("crc32c  %-3s one buffer         %7.2f ms  %6.2f GB/s\n",
	       e2fc_crc32c_hw_available() ? "hw" : "sw?", hw.best * 1e3,
	       gbs(len, hw.best));
	printf("crc32c  sw  one buffer         %7.2f ms  %6.2f GB/s\n",
	       sw.best * 1e3, gbs(len, sw.best));
	printf("crc32c  %-3s 600-byte pieces    %7.2f ms  %6.2f GB/s\n",
	       e2fc_crc32c_hw_available() ? "hw" : "sw?", pc.best * 1e3,
	       gbs(len, pc.best));
	printf("RESULT crc_hw_available %d\n", e2fc_crc32c_hw_available());
	printf("RESULT crc_hw_gbs %.3f\n", gbs(len, hw.best));
	printf("RESULT crc_sw_gbs %.3f\n", gbs(len, sw.best));
	printf("RESULT crc_hw_600_gbs %.3f\n", gbs(len, pc.best));
	printf("RESULT crc_hw_over_sw %.2f\n",
	       hw.best > 0 ? sw.best / hw.best : 0);
	free(buf);

	if (bench_area("kernel", 0, mib, bs, rounds, t))
		bad = 1;
	if (bench_area("dense", 1, mib, bs, rounds, t))
		bad = 1;
	getrusage(RUSAGE_SELF, &ru);
	printf("sizeof(struct e2fc_tag) %zu bytes, peak RSS %ld MiB\n",
	       sizeof(struct e2fc_tag), ru.ru_maxrss / 1024);
	printf("RESULT tag_struct_bytes %zu\n", sizeof(struct e2fc_tag));
	printf("RESULT max_rss_kb %ld\n", ru.ru_maxrss);
	free(t);
	return bad;
}
