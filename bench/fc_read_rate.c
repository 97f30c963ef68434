// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fc_read_rate.c -- what an FC inspection of a real image costs, two ways:
 *
 * - "load": the library's way, e2fc_load (journal, log, then e2fc_fc_scan,
 *   which reads the area a chunk at a time into one reused buffer and
 *   keeps only the tags' bytes);
 * - "read" + "scan": the whole FC area read into one fresh buffer, then
 *   decoded in place with e2fc_fc_scan_buf: open the file system, map the
 *   journal inode's extents once, read the FC area in contiguous runs.  On
 *   a 64 MiB area that read is dominated by page faults on the fresh
 *   buffer.
 *
 * Every round also checks that both ways decode the same: state, commits,
 * and every tag (fields and value bytes; what e2fc_fc_scan left out must
 * be zero).  Nothing is printed per tag.  run-bench.sh times this program
 * as a process next to `debugfs -R logdump` and e2fcdump, and prints its
 * phases.
 *
 * Bench shortcuts for the whole-area way (not the library's way, which is
 * journal.c and jbd2_log.c): only an internal journal; the expected tid
 * and clean flag are the ones e2fc_load found.
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
	double		t_load, t_open, t_map, t_read, t_scan;
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

/* do fc (e2fc_fc_scan) and ref (e2fc_fc_scan_buf) decode the same? */
static int same_decode(const struct e2fc_fc *fc, const struct e2fc_fc *ref)
{
	unsigned i, k;

	if (fc->state != ref->state || fc->ncommits != ref->ncommits ||
	    fc->ntags != ref->ntags ||
	    fc->replay_commits != ref->replay_commits ||
	    fc->replay_tags != ref->replay_tags ||
	    fc->stop_reason != ref->stop_reason ||
	    fc->stop_block != ref->stop_block ||
	    fc->stop_offset != ref->stop_offset)
		return 0;
	for (i = 0; i < fc->ncommits; i++) {
		const struct e2fc_commit *a = &fc->commits[i];
		const struct e2fc_commit *b = &ref->commits[i];

		if (a->tid != b->tid || a->valid != b->valid ||
		    a->reason != b->reason || a->first_tag != b->first_tag ||
		    a->ntags != b->ntags || a->crc_stored != b->crc_stored ||
		    a->crc_computed != b->crc_computed ||
		    a->first_block != b->first_block ||
		    a->last_block != b->last_block)
			return 0;
	}
	for (i = 0; i < fc->ntags; i++) {
		const struct e2fc_tag *a = &fc->tags[i], *b = &ref->tags[i];

		if (a->tag != b->tag || a->len != b->len ||
		    a->block != b->block || a->offset != b->offset ||
		    a->held > a->len || b->held != b->len ||
		    memcmp(a->value - EXT4_FC_TL_SIZE,
			   b->value - EXT4_FC_TL_SIZE,
			   EXT4_FC_TL_SIZE + a->held))
			return 0;
		for (k = a->held; k < a->len; k++)
			if (b->value[k])
				return 0;
	}
	return 1;
}

static int one_round(const char *img, struct rr *r)
{
	ext2_filsys fs = NULL;
	struct ext_map *map = NULL;
	struct e2fc_fc *fc = NULL;
	struct e2fc_loaded ld;
	uint8_t *jsb = NULL, *area = NULL;
	uint32_t maxlen, nfc, bs, first_fc, tid;
	unsigned n = 0;
	const char *what;
	errcode_t err;
	double t0;
	int ret = 1, clean;

	memset(r, 0, sizeof(*r));
	memset(&ld, 0, sizeof(ld));
	err = ext2fs_open(img, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &fs);
	if (!err) {
		t0 = now();
		err = e2fc_load(fs, NULL, 0, &ld, &what);
		r->t_load = now() - t0;
		if (err)
			com_err("fc_read_rate", err, "%s", what);
		ext2fs_close_free(&fs);
	}
	if (err)
		return 1;
	tid = ld.fc->expected_tid;
	clean = ld.log->start_block == 0;
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
	t0 = now();
	err = e2fc_fc_scan_buf(area, r->nblocks, bs, first_fc, tid, clean,
			       &fc);
	r->t_scan = now() - t0;
	if (err) {
		com_err("fc_read_rate", err, "scanning the FC area");
		goto out;
	}
	area = NULL;		/* owned by fc now */
	if (!same_decode(ld.fc, fc)) {
		fprintf(stderr, "fc_read_rate: e2fc_fc_scan and "
			"e2fc_fc_scan_buf decode the area differently\n");
		goto out;
	}
	r->ncommits = fc->ncommits;
	r->replay_commits = fc->replay_commits;
	r->state = e2fc_fc_state_name(fc->state);
	ret = 0;
out:
	e2fc_fc_free(fc);
	e2fc_unload(&ld);
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
	b.t_load = b.t_open = b.t_map = b.t_read = b.t_scan = -1;
	for (i = 0; i < rounds; i++) {
		if (one_round(argv[optind], &r))
			return 1;
		keep_min(&b.t_load, r.t_load);
		keep_min(&b.t_open, r.t_open);
		keep_min(&b.t_map, r.t_map);
		keep_min(&b.t_read, r.t_read);
		keep_min(&b.t_scan, r.t_scan);
	}
	printf("fc_read_rate: %u FC blocks in %u reads, %s, %u commits "
	       "(%u replayable), e2fc_fc_scan == e2fc_fc_scan_buf; best of "
	       "%d: e2fc_load %.3f ms; whole area: open %.3f ms, map %.3f ms, "
	       "read %.3f ms, scan %.3f ms\n", r.nblocks, r.runs, r.state,
	       r.ncommits, r.replay_commits, rounds, b.t_load * 1e3,
	       b.t_open * 1e3, b.t_map * 1e3, b.t_read * 1e3,
	       b.t_scan * 1e3);
	printf("RESULT load_ms %.3f\n", b.t_load * 1e3);
	printf("RESULT read_open_ms %.3f\n", b.t_open * 1e3);
	printf("RESULT read_map_ms %.3f\n", b.t_map * 1e3);
	printf("RESULT read_area_ms %.3f\n", b.t_read * 1e3);
	printf("RESULT read_scan_ms %.3f\n", b.t_scan * 1e3);
	printf("RESULT read_commits %u\n", r.ncommits);
	return 0;
}
