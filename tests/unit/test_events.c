// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_events.c -- the event timeline (lib/ext2fs/fc_events*.c) on
 * hand-made fast-commit areas (fcw.h) over a small image whose tree is
 * known (replay-1k-128-csum: /d (12) holding f1..f8 (13..20), /olddir
 * (2049)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "e2fc.h"
#include "fcw.h"

#define BS	1024
#define FIRST	1000
#define TID	7

static char img[256];
static ext2_filsys pre;

static int open_pre(void)
{
	if (!e2fc_test_unpack("replay-1k-128-csum.img.gz", img, sizeof(img)))
		return 0;
	if (ext2fs_open(img, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &pre)) {
		unlink(img);
		return 0;
	}
	return 1;
}

static void close_pre(void)
{
	ext2fs_close_free(&pre);
	unlink(img);
}

/* the image open, an area started with a HEAD of tid */
static struct fcw *start(uint32_t tid)
{
	struct fcw *w;

	CU_ASSERT_FATAL(open_pre());
	w = fcw_new(BS, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	fcw_head(w, 0, tid);
	return w;
}

/* the timeline and the area freed, the image closed */
static void finish(struct e2fc_events *e, struct e2fc_fc *fc)
{
	e2fc_events_free(e);
	e2fc_fc_free(fc);
	close_pre();
}

/* an INODE tag: a regular file (or directory) of size bytes */
static void inode_tag(struct fcw *w, uint32_t ino, uint16_t mode,
		      uint32_t size, uint16_t links)
{
	uint8_t raw[128];

	fcw_make_inode(raw, sizeof(raw), 0);
	e2fc_put_le16(raw + RI_MODE, mode);
	e2fc_put_le32(raw + RI_SIZE_LO, size);
	e2fc_put_le32(raw + RI_SIZE_HI, 0);
	e2fc_put_le16(raw + RI_LINKS, links);
	e2fc_put_le32(raw + RI_FLAGS, 0);
	CU_ASSERT_EQUAL(fcw_inode(w, ino, raw, sizeof(raw)), 0);
}

static void dentry(struct fcw *w, uint16_t tag, uint32_t parent,
		   uint32_t ino, const char *name)
{
	CU_ASSERT_EQUAL(fcw_dentry(w, tag, parent, ino, name, strlen(name)),
			0);
}

static struct e2fc_events *build(struct fcw *w, uint32_t expected,
				 struct e2fc_fc **fcp)
{
	uint32_t n = w->nblocks;
	struct e2fc_events *e = NULL;
	uint8_t *a;

	CU_ASSERT_FALSE(w->overflow);
	a = fcw_take(w);
	CU_ASSERT_EQUAL_FATAL(e2fc_fc_scan_buf(a, n, BS, FIRST, expected, 0,
					       fcp), 0);
	CU_ASSERT_EQUAL(e2fc_events_build(pre, NULL, NULL, NULL, *fcp, &e), 0);
	return e;
}

static const struct e2fc_event *find(const struct e2fc_events *e,
				     enum e2fc_ev_action a, ext2_ino_t ino)
{
	unsigned i;

	for (i = 0; i < e->n; i++)
		if (e->ev[i].action == a && e->ev[i].ino == ino)
			return &e->ev[i];
	return NULL;
}

static unsigned count(const struct e2fc_events *e, enum e2fc_ev_action a)
{
	unsigned i, n = 0;

	for (i = 0; i < e->n; i++)
		n += e->ev[i].action == a;
	return n;
}

/* one commit holding every kind of tag */
static struct fcw *all_actions(uint32_t tid)
{
	struct fcw *w = start(tid);

	dentry(w, EXT4_FC_TAG_CREAT, 12, 60, "new");
	inode_tag(w, 60, 0100644, 3000, 1);
	CU_ASSERT_EQUAL(fcw_add_range(w, 60, 0, 2, 5000, 0), 0);
	CU_ASSERT_EQUAL(fcw_add_range(w, 60, 2, 1, 6000, 1), 0);
	dentry(w, EXT4_FC_TAG_LINK, 2, 13, "f1-link");
	dentry(w, EXT4_FC_TAG_UNLINK, 12, 14, "f2");
	CU_ASSERT_EQUAL(fcw_del_range(w, 15, 0, 1), 0);
	CU_ASSERT_EQUAL(fcw_del_range(w, 16, 0, 1), 0);
	inode_tag(w, 16, 0100644, 0, 1);
	inode_tag(w, 17, 0100600, 6, 1);
	CU_ASSERT_EQUAL(fcw_tail(w, tid), 0);
	return w;
}

static void test_actions(void)
{
	const struct e2fc_event *ev;
	struct e2fc_events *e;
	struct e2fc_fc *fc;

	e = build(all_actions(TID), TID, &fc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	ev = find(e, E2FC_EV_CREATE, 60);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(ev->path, "/d/new");
	CU_ASSERT_EQUAL(ev->commit, 0);
	CU_ASSERT_EQUAL(ev->tid, TID);
	CU_ASSERT(ev->replayed && !ev->stale);
	CU_ASSERT(ev->have_state && ev->state.size == 3000);
	/* both ADD_RANGEs of ino 60 make one write */
	CU_ASSERT_EQUAL(count(e, E2FC_EV_WRITE), 1);
	ev = find(e, E2FC_EV_WRITE, 60);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(ev->path, "/d/new");
	CU_ASSERT_EQUAL_FATAL(ev->nranges, 2);
	CU_ASSERT(ev->ranges[0].offset == 0 && ev->ranges[0].length == 2048);
	CU_ASSERT(ev->ranges[0].pblk == 5000 && !ev->ranges[0].unwritten);
	CU_ASSERT(ev->ranges[1].offset == 2048 && ev->ranges[1].unwritten);
	ev = find(e, E2FC_EV_LINK, 13);
	CU_ASSERT(ev && !strcmp(ev->path, "/f1-link"));
	/* the name is gone from the tree: under its parent's path */
	ev = find(e, E2FC_EV_UNLINK, 14);
	CU_ASSERT(ev && !strcmp(ev->path, "/d/f2"));
	/* DEL_RANGE without the size going down: punch; with: truncate */
	ev = find(e, E2FC_EV_PUNCH, 15);
	CU_ASSERT(ev && !strcmp(ev->path, "/d/f3") && ev->nranges == 1 &&
		  ev->ranges[0].length == BS);
	ev = find(e, E2FC_EV_TRUNCATE, 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT(ev->have_old && ev->old.size == 6 && ev->state.size == 0);
	CU_ASSERT_EQUAL(ev->nranges, 1);
	CU_ASSERT_PTR_NULL(find(e, E2FC_EV_PUNCH, 16));
	/* inode: what changed against the on-disk inode */
	ev = find(e, E2FC_EV_INODE, 17);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(ev->path, "/d/f5");
	CU_ASSERT(ev->changed & E2FC_EV_CH_MODE);
	CU_ASSERT_FALSE(ev->changed & (E2FC_EV_CH_SIZE | E2FC_EV_CH_LINKS));
	CU_ASSERT_EQUAL(ev->old.mode, 0100644);
	CU_ASSERT_EQUAL(ev->state.mode, 0100600);
	finish(e, fc);
}

static void test_rename(void)
{
	const struct e2fc_event *ev;
	struct e2fc_events *e;
	struct e2fc_fc *fc;
	struct fcw *w = start(TID);

	dentry(w, EXT4_FC_TAG_UNLINK, 12, 17, "f5");
	dentry(w, EXT4_FC_TAG_LINK, 2049, 17, "moved");
	CU_ASSERT_EQUAL(fcw_tail(w, TID), 0);
	/* a LINK and an UNLINK in different commits stay two events */
	dentry(w, EXT4_FC_TAG_LINK, 2, 18, "f6-link");
	CU_ASSERT_EQUAL(fcw_tail(w, TID), 0);
	dentry(w, EXT4_FC_TAG_UNLINK, 12, 18, "f6");
	CU_ASSERT_EQUAL(fcw_tail(w, TID), 0);
	e = build(w, TID, &fc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->n, 3);
	ev = find(e, E2FC_EV_RENAME, 17);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(ev->path, "/olddir/moved");
	CU_ASSERT_STRING_EQUAL(ev->old_path, "/d/f5");
	CU_ASSERT_EQUAL(ev->parent, 2049);
	CU_ASSERT_EQUAL(ev->old_parent, 12);
	CU_ASSERT_PTR_NULL(find(e, E2FC_EV_UNLINK, 17));
	ev = find(e, E2FC_EV_LINK, 18);
	CU_ASSERT(ev && ev->commit == 1 && !strcmp(ev->path, "/f6-link"));
	ev = find(e, E2FC_EV_UNLINK, 18);
	CU_ASSERT(ev && ev->commit == 2 && !strcmp(ev->path, "/d/f6"));
	finish(e, fc);
}

static void test_stale(void)
{
	struct e2fc_events *e;
	struct e2fc_fc *fc;
	unsigned i;

	/* the same commit written by an older transaction: all listed */
	e = build(all_actions(TID - 2), TID, &fc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(fc->state, E2FC_FC_STALE);
	CU_ASSERT_EQUAL(count(e, E2FC_EV_CREATE), 1);
	CU_ASSERT_EQUAL(count(e, E2FC_EV_LINK), 1);
	CU_ASSERT_EQUAL(count(e, E2FC_EV_UNLINK), 1);
	CU_ASSERT_EQUAL(count(e, E2FC_EV_WRITE), 1);
	for (i = 0; i < e->n; i++) {
		CU_ASSERT(e->ev[i].stale && !e->ev[i].replayed);
		CU_ASSERT_EQUAL(e->ev[i].tid, TID - 2);
	}
	/* the disk is newer than a stale commit: no truncate from it */
	CU_ASSERT_EQUAL(count(e, E2FC_EV_TRUNCATE), 0);
	CU_ASSERT_EQUAL(count(e, E2FC_EV_PUNCH), 2);
	finish(e, fc);
}

static void test_deleted_paths(void)
{
	const struct e2fc_event *ev;
	struct e2fc_events *e;
	struct e2fc_fc *fc;
	struct fcw *w = start(TID);

	/* a directory the tree does not have: named by the fast commits */
	dentry(w, EXT4_FC_TAG_CREAT, 2, 70, "gonedir");
	dentry(w, EXT4_FC_TAG_CREAT, 70, 71, "x");
	/* a parent nothing names */
	dentry(w, EXT4_FC_TAG_UNLINK, 90, 72, "y");
	/* an inode with no name at all */
	CU_ASSERT_EQUAL(fcw_add_range(w, 73, 0, 1, 7000, 0), 0);
	/* an inode named only by the tree (found by the walk) */
	CU_ASSERT_EQUAL(fcw_add_range(w, 20, 0, 1, 7001, 0), 0);
	CU_ASSERT_EQUAL(fcw_tail(w, TID), 0);
	e = build(w, TID, &fc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	ev = find(e, E2FC_EV_CREATE, 71);
	CU_ASSERT(ev && !strcmp(ev->path, "/gonedir/x"));
	ev = find(e, E2FC_EV_UNLINK, 72);
	CU_ASSERT(ev && !strcmp(ev->path, "/<90>/y"));
	ev = find(e, E2FC_EV_WRITE, 73);
	CU_ASSERT(ev && !strcmp(ev->path, "/<73>"));
	ev = find(e, E2FC_EV_WRITE, 20);
	CU_ASSERT(ev && !strcmp(ev->path, "/d/f8"));
	finish(e, fc);
}

static char *print(const struct e2fc_events *e, enum e2fc_ev_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(e2fc_events_print(f, e, fmt), 0);
	fclose(f);
	return buf;
}

static unsigned lines(const char *s, char sep, unsigned *fields)
{
	unsigned n = 0, k = 0;

	*fields = 0;
	for (; *s; s++) {
		if (*s == sep)
			k++;
		if (*s == '\n') {
			if (!n)
				*fields = k + 1;
			else if (k + 1 != *fields)
				*fields = 0;
			n++;
			k = 0;
		}
	}
	return n;
}

static void test_formats(void)
{
	struct e2fc_events *e;
	struct e2fc_fc *fc;
	unsigned f;
	char *s;

	e = build(all_actions(TID), TID, &fc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	s = print(e, E2FC_EV_CSV);
	CU_ASSERT(!strncmp(s, "commit,tid,stale,replayed,action,ino,path,", 42));
	CU_ASSERT_EQUAL(lines(s, ',', &f), e->n + 1);
	CU_ASSERT_EQUAL(f, 19);
	free(s);
	s = print(e, E2FC_EV_BODYFILE);
	CU_ASSERT_EQUAL(lines(s, '|', &f), e->n);
	CU_ASSERT_EQUAL(f, 11);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "0|/d/new (fast commit 0 tid 7: "
				      "create)|60|r/rrw-r--r--|"));
	free(s);
	s = print(e, E2FC_EV_JSONL);
	CU_ASSERT_EQUAL(lines(s, '\n', &f), e->n);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "{\"record\": \"event\", \"commit\": "
				      "0, \"tid\": 7, \"stale\": false, "
				      "\"replayed\": true, \"action\": "
				      "\"create\", \"ino\": 60, \"path\": "
				      "\"/d/new\""));
	free(s);
	finish(e, fc);
}

static CU_TestInfo tests[] = {
	{ "each action", test_actions },
	{ "rename pairing", test_rename },
	{ "stale commits", test_stale },
	{ "paths of deleted names", test_deleted_paths },
	{ "csv, bodyfile, json lines", test_formats },
	CU_TEST_INFO_NULL
};
E2FC_SUITE("events", tests);
