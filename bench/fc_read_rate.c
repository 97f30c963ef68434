/*
 * fc_read_rate.c -- what an FC inspection of a real image costs when it
 * reads the whole FC area into one fresh buffer (the e2fc_fc_scan way):
 * open the file system, map the journal inode's extents once, read the FC
 * area in contiguous runs, decode it with e2fc_fc_scan_buf.  Nothing is
 * printed per tag.  run-bench.sh times this program as a process next to
 * `debugfs -R logdump` and e2fcdump, and prints its phases: on a 64 MiB
 * area the read is dominated by page faults on the fresh buffer.
 *
 * Bench shortcuts (not the library's way, which is journal.c and
 * jbd2_log.c): only an internal journal; the expected tid is taken from
 * the HEAD at the start of the area; the full log is not scanned.
 *
 * usage: fc_read_rate [-r rounds] IMAGE
 * Output: a line per phase (best of rounds) and "RESULT" lines.
 * Exit: 0 ok, 1 error, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <et/com_err.h>
#include "e2fc.h"

struct ext_map {
	blk64_t		lblk, pblk;
	blk64_t		len;
};

struct rr {
	double		t_open, t_map, t_read, t_scan;
	uint32_t	nblocks, ncommits, replay_commits;
	unsigned	runs;		/* io calls for the area */
	const char	*state;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* every leaf extent of inode ino, in logical order */
static errcode_t map_extents(ext2_filsys fs, ext2_ino_t ino,
			     struct ext_map **mapp, unsigned *np)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent ex;
	struct ext_map *map = NULL, *nm;
	unsigned n = 0, cap = 0;
	errcode_t err;

	err = ext2fs_extent_open(fs, ino, &h);
	if (err)
		return err;
	err = ext2fs_extent_get(h, EXT2_EXTENT_ROOT, &ex);
	while (!err) {
		if ((ex.e_flags & EXT2_EXTENT_FLAGS_LEAF) &&
		    !(ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				nm = realloc(map, cap * sizeof(*map));
				if (!nm) {
					err = EXT2_ET_NO_MEMORY;
					break;
				}
				map = nm;
			}
			map[n].lblk = ex.e_lblk;
			map[n].pblk = ex.e_pblk;
			map[n].len = ex.e_len;
			n++;
		}
		err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT, &ex);
	}
	ext2fs_extent_free(h);
	if (err == EXT2_ET_EXTENT_NO_NEXT)
		err = 0;
	if (err) {
		free(map);
		return err;
	}
	*mapp = map;
	*np = n;
	return 0;
}

/* read logical blocks [first, first + count) of the mapped file into buf,
 * one io call per piece of an extent */
static errcode_t read_mapped(ext2_filsys fs, const struct ext_map *map,
			     unsigned n, blk64_t first, blk64_t count,
			     uint8_t *buf, unsigned *runs)
{
	blk64_t end = first + count, lo, hi;
	unsigned i;
	errcode_t err;

	for (i = 0; i < n; i++) {
		lo = map[i].lblk > first ? map[i].lblk : first;
		hi = map[i].lblk + map[i].len < end ?
		     map[i].lblk + map[i].len : end;
		if (lo >= hi)
			continue;
		err = io_channel_read_blk64(fs->io,
					    map[i].pblk + (lo - map[i].lblk),
					    (int)(hi - lo),
					    buf + (lo - first) * fs->blocksize);
		if (err)
			return err;
		(*runs)++;
	}
	return 0;
}

static int one_round(const char *img, struct rr *r)
{
	ext2_filsys fs = NULL;
	struct ext_map *map = NULL;
	struct e2fc_fc *fc = NULL;
	uint8_t *jsb = NULL, *area = NULL;
	uint32_t maxlen, nfc, bs, first_fc, tid;
	unsigned n = 0;
	errcode_t err;
	double t0;
	int ret = 1;

	memset(r, 0, sizeof(*r));
	t0 = now();
	err = ext2fs_open(img, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &fs);
	r->t_open = now() - t0;
	if (err) {
		com_err("fc_read_rate", err, "opening %s", img);
		return 1;
	}
	bs = fs->blocksize;
	t0 = now();
	if (!fs->super->s_journal_inum) {
		fprintf(stderr, "fc_read_rate: no internal journal\n");
		goto out;
	}
	err = map_extents(fs, fs->super->s_journal_inum, &map, &n);
	r->t_map = now() - t0;
	if (err) {
		com_err("fc_read_rate", err, "mapping the journal inode");
		goto out;
	}
	jsb = malloc(bs);
	if (!jsb || read_mapped(fs, map, n, 0, 1, jsb, &r->runs) ||
	    e2fc_get_be32(jsb) != JBD2_MAGIC) {
		fprintf(stderr, "fc_read_rate: no journal superblock\n");
		goto out;
	}
	maxlen = e2fc_get_be32(jsb + JSB_MAXLEN);
	nfc = e2fc_get_be32(jsb + JSB_NUM_FC_BLKS);
	if (!(e2fc_get_be32(jsb + JSB_FEATURE_INCOMPAT) &
	      JBD2_FEATURE_INCOMPAT_FAST_COMMIT)) {
		fprintf(stderr, "fc_read_rate: no fast-commit area\n");
		goto out;
	}
	if (!nfc)
		nfc = JBD2_DEFAULT_FC_BLOCKS;
	if (nfc < 2 || nfc >= maxlen) {
		fprintf(stderr, "fc_read_rate: bad FC geometry\n");
		goto out;
	}
	first_fc = maxlen - nfc + 1;
	r->nblocks = nfc - 1;
	r->runs = 0;
	t0 = now();
	area = calloc(r->nblocks, bs);
	if (!area) {
		fprintf(stderr, "fc_read_rate: out of memory\n");
		goto out;
	}
	err = read_mapped(fs, map, n, first_fc, r->nblocks, area, &r->runs);
	r->t_read = now() - t0;
	if (err) {
		com_err("fc_read_rate", err, "reading the FC area");
		goto out;
	}
	/* shortcut: expect the tid of the area's HEAD */
	tid = e2fc_get_le16(area) == EXT4_FC_TAG_HEAD ?
	      e2fc_get_le32(area + 8) : 0;
	t0 = now();
	err = e2fc_fc_scan_buf(area, r->nblocks, bs, first_fc, tid, 0, &fc);
	r->t_scan = now() - t0;
	if (err) {
		com_err("fc_read_rate", err, "scanning the FC area");
		goto out;
	}
	area = NULL;		/* owned by fc now */
	r->ncommits = fc->ncommits;
	r->replay_commits = fc->replay_commits;
	r->state = e2fc_fc_state_name(fc->state);
	ret = 0;
out:
	e2fc_fc_free(fc);
	free(area);
	free(jsb);
	free(map);
	ext2fs_close_free(&fs);
	return ret;
}

static void keep_min(double *best, double v)
{
	if (*best < 0 || v < *best)
		*best = v;
}

int main(int argc, char **argv)
{
	struct rr r, b;
	int rounds = 1, opt, i;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r' || (rounds = atoi(optarg)) < 1 || rounds > 1000) {
			fprintf(stderr, "usage: fc_read_rate [-r rounds] "
				"IMAGE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: fc_read_rate [-r rounds] IMAGE\n");
		return 2;
	}
	add_error_table(&et_e2fc_error_table);
	add_error_table(&et_ext2_error_table);
	b.t_open = b.t_map = b.t_read = b.t_scan = -1;
	for (i = 0; i < rounds; i++) {
		if (one_round(argv[optind], &r))
			return 1;
		keep_min(&b.t_open, r.t_open);
		keep_min(&b.t_map, r.t_map);
		keep_min(&b.t_read, r.t_read);
		keep_min(&b.t_scan, r.t_scan);
	}
	printf("fc_read_rate: %u FC blocks in %u reads, %s, %u commits "
	       "(%u replayable); best of %d: open %.3f ms, map %.3f ms, "
	       "read %.3f ms, scan %.3f ms\n", r.nblocks, r.runs, r.state,
	       r.ncommits, r.replay_commits, rounds, b.t_open * 1e3,
	       b.t_map * 1e3, b.t_read * 1e3, b.t_scan * 1e3);
	printf("RESULT read_open_ms %.3f\n", b.t_open * 1e3);
	printf("RESULT read_map_ms %.3f\n", b.t_map * 1e3);
	printf("RESULT read_area_ms %.3f\n", b.t_read * 1e3);
	printf("RESULT read_scan_ms %.3f\n", b.t_scan * 1e3);
	printf("RESULT read_commits %u\n", r.ncommits);
	return 0;
}
