// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recover_fuzz.c -- harness 3: the whole recovery on an image in memory.
 *
 * A kernel-made crash image (fz_base_image()) is held in a memory file.
 * The input replaces part of its journal: byte 0 chooses where (mode 0:
 * from the first FC block; 1: from the log's s_start; 2: from journal
 * block 0, the jbd2 superblock), bit 0 of byte 1 fixes the TAIL crcs of
 * the FC area afterwards; the rest is copied there (up to the journal's
 * end).  Then e2fsck-fc's recovery runs: e2fc_load, e2fc_replay_check,
 * e2fc_recover_writeback (jbd2 replay, FC replay in the overlay, crash-
 * safe write-back to the memory file).  When it reports success the
 * image must be sound (check_image); FUZZ_FSCK_EVERY=N also runs
 * `e2fsck -fn` on every N-th recovered image and counts its verdicts,
 * keeping the unclean ones in $FUZZ_FSCK_KEEP when set.
 * The memory file is restored from the base after every input: the
 * write-back's writes are recorded by a wrapper of the unix io manager.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "../tests/tools/watch_io.h"

static uint8_t *base;
static size_t base_len;
static int dev_fd = -1;
static char dev[64];
static struct e2fc_journal *base_j;	/* journal geometry and map */

/* ---- the writer: unix io, every write recorded for the restore ---- */

struct range { uint64_t off, len; };
static struct range *dirty;
static size_t ndirty, dirty_cap;
static int dirty_all;

static void record(uint64_t off, uint64_t len)
{
	if (ndirty == dirty_cap) {
		size_t cap = dirty_cap ? 2 * dirty_cap : 256;
		struct range *r = realloc(dirty, cap * sizeof(*r));

		if (!r) {
			dirty_all = 1;
			return;
		}
		dirty = r;
		dirty_cap = cap;
	}
	dirty[ndirty].off = off;
	dirty[ndirty++].len = len;
}

static void restore(void)
{
	size_t i;

	if (dirty_all) {
		fz_memfd_set(dev_fd, base, base_len, base_len);
	} else {
		for (i = 0; i < ndirty; i++) {
			uint64_t off = dirty[i].off, len = dirty[i].len;

			if (off >= base_len)
				continue;
			if (len > base_len - off)
				len = base_len - off;
			if (pwrite(dev_fd, base + off, len, off) != (ssize_t)len)
				fz_fail("restore of the memory file failed");
		}
	}
	ndirty = 0;
	dirty_all = 0;
}

/* ---- setup: the base image and its journal's map ---- */

static void setup(void)
{
	ext2_filsys fs;

	fz_init();
	base = fz_gunzip(fz_base_image(), &base_len);
	dev_fd = fz_memfd("recover-dev", base, base_len, base_len, dev);
	if (ext2fs_open2(dev, NULL, EXT2_FLAG_64BITS, 0, 0, unix_io_manager,
			 &fs))
		fz_fail("cannot open the base image %s", fz_base_image());
	if (e2fc_journal_open(fs, NULL, 0, &base_j))
		fz_fail("the base image %s has no usable journal",
			fz_base_image());
	base_j->fs = NULL;	/* only sb and map are used from here on */
	ext2fs_close_free(&fs);
}

/* write the input over the journal from logical block lblk (whole
 * blocks, the last one padded with zeros) */
static void place(uint32_t lblk, const uint8_t *data, size_t size)
{
	const struct e2fc_jsb *sb = &base_j->sb;
	uint32_t bs = sb->blocksize, b;
	uint8_t *buf = calloc(1, bs);

	if (!buf)
		return;
	for (b = 0; lblk + b < sb->maxlen && (size_t)b * bs < size; b++) {
		size_t off = (size_t)b * bs, n = size - off < bs ?
						   size - off : bs;
		uint64_t pos = e2fc_journal_pblk(base_j, lblk + b) *
			       (uint64_t)bs;

		memset(buf, 0, bs);
		memcpy(buf, data + off, n);
		if (pwrite(dev_fd, buf, bs, pos) != (ssize_t)bs)
			fz_fail("write to the memory file failed");
		record(pos, bs);
	}
	free(buf);
}

/* ---- the check of a recovered image ---- */

struct walk {
	ext2_filsys	fs;
	ext2fs_block_bitmap meta;	/* sb, descriptors, bitmaps, tables */
	ext2_ino_t	ino;
};

static void mark_meta(ext2_filsys fs, ext2fs_block_bitmap meta)
{
	dgrp_t g;
	blk64_t b;

	for (g = 0; g < fs->group_desc_count; g++) {
		ext2fs_reserve_super_and_bgd(fs, g, meta);
		ext2fs_mark_block_bitmap2(meta, ext2fs_block_bitmap_loc(fs, g));
		ext2fs_mark_block_bitmap2(meta, ext2fs_inode_bitmap_loc(fs, g));
		b = ext2fs_inode_table_loc(fs, g);
		ext2fs_mark_block_bitmap_range2(meta, b,
						fs->inode_blocks_per_group);
	}
}

/* every metadata block is in use */
static void check_meta(ext2_filsys fs, ext2fs_block_bitmap meta)
{
	blk64_t b;

	for (b = fs->super->s_first_data_block;
	     b < ext2fs_blocks_count(fs->super); b++)
		if (ext2fs_test_block_bitmap2(meta, b) &&
		    !ext2fs_test_block_bitmap2(fs->block_map, b))
			fz_fail("recovered image: metadata block %llu is "
				"free in the block bitmap",
				(unsigned long long)b);
}

static int walk_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t cnt,
		      blk64_t ref_blk, int ref_off, void *arg)
{
	struct walk *w = arg;
	blk64_t b = *blocknr;

	if (b < fs->super->s_first_data_block ||
	    b >= ext2fs_blocks_count(fs->super))
		return 0;	/* e2fsck's business; not a write */
	if (ext2fs_test_block_bitmap2(w->meta, b))
		fz_fail("recovered image: inode %u maps metadata block %llu",
			w->ino, (unsigned long long)b);
	return 0;
}

/* no file block, no extent-tree block and no xattr block of a live inode
 * is on metadata: what e2fc_replay_check promises */
static void check_inodes(struct walk *w)
{
	ext2_filsys fs = w->fs;
	ext2_inode_scan scan;
	struct ext2_inode inode;
	blk64_t acl;

	if (ext2fs_open_inode_scan(fs, 0, &scan))
		return;
	while (!ext2fs_get_next_inode(scan, &w->ino, &inode) && w->ino) {
		if (!inode.i_links_count || !inode.i_mode || inode.i_dtime ||
		    w->ino == EXT2_RESIZE_INO)	/* maps the reserved GDT */
			continue;
		acl = ext2fs_file_acl_block(fs, &inode);
		if (acl && acl < ext2fs_blocks_count(fs->super) &&
		    ext2fs_test_block_bitmap2(w->meta, acl))
			fz_fail("recovered image: inode %u has its xattr "
				"block %llu on metadata", w->ino,
				(unsigned long long)acl);
		if (ext2fs_inode_has_valid_blocks2(fs, &inode))
			ext2fs_block_iterate3(fs, w->ino, BLOCK_FLAG_READ_ONLY,
					      NULL, walk_block, w);
	}
	ext2fs_close_inode_scan(scan);
}

static void check_image(int strict)
{
	struct walk w;
	ext2_filsys fs;
	errcode_t err;

	err = ext2fs_open2(dev, NULL, EXT2_FLAG_64BITS, 0, 0, unix_io_manager,
			   &fs);
	if (err)
		fz_fail("recovered image does not open: %s", error_message(err));
	if (ext2fs_has_feature_journal_needs_recovery(fs->super))
		fz_fail("recovered image still needs recovery");
	if (strict && !ext2fs_read_bitmaps(fs) &&
	    !ext2fs_allocate_block_bitmap(fs, "meta", &w.meta)) {
		w.fs = fs;
		mark_meta(fs, w.meta);
		check_meta(fs, w.meta);
		check_inodes(&w);
		ext2fs_free_block_bitmap(w.meta);
	}
	ext2fs_close_free(&fs);
}

/* ---- sampled e2fsck -fn ---- */

static unsigned long recovered, fsck_runs, fsck_unclean[3][2];

static void fsck_report(void)
{
	int m, f;

	fprintf(stderr, "recover_fuzz: %lu recovered, %lu checked by "
		"e2fsck -fn; unclean by mode/crc-fix:", recovered, fsck_runs);
	for (m = 0; m < 3; m++)
		for (f = 0; f < 2; f++)
			fprintf(stderr, " %d/%d=%lu", m, f, fsck_unclean[m][f]);
	fputc('\n', stderr);
}

static void fsck_sample(int mode, int fix)
{
	static unsigned long every;
	const char *keep = getenv("FUZZ_FSCK_KEEP");
	char cmd[512];
	int rc;

	if (!every) {
		const char *e = getenv("FUZZ_FSCK_EVERY");

		every = e ? strtoul(e, NULL, 0) : 0;
		if (!every)
			every = ~0UL;
		else
			atexit(fsck_report);
	}
	if (++recovered % every)
		return;
	fsck_runs++;
	snprintf(cmd, sizeof(cmd), "e2fsck -fn %s >/dev/null 2>&1", dev);
	rc = system(cmd);
	if (rc == 0)
		return;
	fsck_unclean[mode][fix]++;
	if (keep) {
		snprintf(cmd, sizeof(cmd), "cp %s %s/unclean-%d-%d-%lu.img",
			 dev, keep, mode, fix, fsck_runs);
		if (system(cmd))
			fprintf(stderr, "recover_fuzz: cannot keep an image\n");
	}
}

/* ---- one input ---- */

static errcode_t recover(void)
{
	struct e2fc_replay_opts opts;
	struct e2fc_replay_stats st;
	struct e2fc_writeback_stats cs;
	struct e2fc_loaded ld;
	ext2_filsys fs = NULL;
	const char *what;
	unsigned bc, bt;
	errcode_t err;

	memset(&opts, 0, sizeof(opts));
	memset(&st, 0, sizeof(st));
	opts.until_commit = ~0U;
	opts.writer = watch_io_manager("e2fc fuzz recording I/O manager",
				       record);
	err = ext2fs_open2(dev, NULL, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			   e2fc_overlay_io_manager, &fs);
	if (err)
		return err;
	err = e2fc_load(fs, NULL, E2FC_JOPEN_OVERLAY, &ld, &what);
	if (!err) {
		err = e2fc_replay_check(fs, ld.fc, &bc, &bt);
		if (!err)
			err = e2fc_recover_writeback(&fs, &ld, &opts, &st,
						     &cs);
		e2fc_unload(&ld);
	}
	if (fs)
		ext2fs_close_free(&fs);
	return err;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct e2fc_jsb *sb;
	uint32_t lblk, bs;
	uint8_t *copy;
	int mode, fix;

	if (size < 2)
		return 0;
	sb = &base_j->sb;
	bs = sb->blocksize;
	mode = data[0] % 3;
	fix = data[1] & 1;
	lblk = mode == 0 ? sb->fc_first : mode == 1 ?
	       (sb->start ? sb->start : sb->first) : 0;
	size -= 2;
	copy = calloc(1, size + bs);
	if (!copy)
		return 0;
	memcpy(copy, data + 2, size);
	if (fix && mode == 0)
		fz_fix_tail_crcs(copy, (size + bs - 1) / bs * bs, bs);
	place(lblk, copy, size);
	free(copy);
	if (!recover()) {
		check_image(mode == 0);
		fsck_sample(mode, fix);
	}
	restore();
	return 0;
}
