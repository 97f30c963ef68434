// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_events_paths.c -- the paths of the timeline's events.
 *
 * A directory's path is found upwards through "..", in the tree after the
 * replay, else in the tree before it.  A name of a CREAT, LINK or UNLINK
 * tag is shown under its parent directory's path, whether it still exists
 * or not.  Any other inode is found through the names the fast commits
 * gave it, if one of them still leads to it, else by one walk of the tree
 * looking for all such inodes at once; failing all that, through the last
 * name the fast commits gave it, and as "/<ino>" when there is none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "e2fc.h"
#include "fc_events_int.h"
#include "fc_array.h"
#include "fc_fmt.h"

#define MAX_DEPTH	1024

struct found {
	ext2_ino_t	parent;
	char		*name;		/* escaped */
};

struct tree {
	ext2_filsys	fs;
	unsigned	ndirs, capdirs;
	struct dircache {
		ext2_ino_t	ino;
		char		*path;	/* NULL: not a reachable directory */
	} *dirs;
	/* the walk: wanted inodes and where they were found */
	unsigned	nwant, capwant;
	struct want {
		ext2_ino_t	ino;
		struct found	at;
	} *want;
	unsigned	left;
	int		walked;
};

static char *str_cat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

char *e2fc_escape_name(const void *name, unsigned len)
{
	const uint8_t *in = name;
	char *s = malloc(len * 4 + 1), *p = s;
	unsigned i;

	if (!s)
		return NULL;
	for (i = 0; i < len; i++)
		p += e2fc_name_byte(p, in[i]);
	*p = 0;
	return s;
}

/* ---- directories, upwards ----------------------------------------------- */

struct name_of {
	ext2_ino_t	ino;
	char		*name;
};

static int name_of_cb(struct ext2_dir_entry *de, int offset, int blocksize,
		      char *buf, void *priv)
{
	struct name_of *n = priv;
	unsigned len = ext2fs_dirent_name_len(de);

	if (de->inode != n->ino || (len == 1 && de->name[0] == '.') ||
	    (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	n->name = e2fc_escape_name(de->name, len);
	return DIRENT_ABORT;
}

static int is_dir(ext2_filsys fs, ext2_ino_t ino)
{
	struct ext2_inode in;

	if (!ino || ino > fs->super->s_inodes_count ||
	    ext2fs_read_inode2(fs, ino, &in, sizeof(in), READ_INODE_NOCSUM))
		return 0;
	return LINUX_S_ISDIR(in.i_mode) && in.i_links_count;
}

static char *dir_path(struct tree *t, ext2_ino_t dir, unsigned depth);

static char *dir_path_uncached(struct tree *t, ext2_ino_t dir, unsigned depth)
{
	struct name_of n = { dir, NULL };
	ext2_ino_t up;
	char *upper, *p;

	if (dir == EXT2_ROOT_INO)
		return strdup("");
	if (depth > MAX_DEPTH || !is_dir(t->fs, dir) ||
	    ext2fs_lookup(t->fs, dir, "..", 2, NULL, &up) || up == dir)
		return NULL;
	if (ext2fs_dir_iterate(t->fs, up, 0, NULL, name_of_cb, &n) || !n.name)
		return NULL;
	upper = dir_path(t, up, depth + 1);
	p = upper ? str_cat3(upper, "/", n.name) : NULL;
	free(upper);
	free(n.name);
	return p;
}

/* "" for the root, "/a/b" for a directory; NULL: not reachable */
static char *dir_path(struct tree *t, ext2_ino_t dir, unsigned depth)
{
	struct dircache *d;
	char *path;
	unsigned i;

	if (!t->fs)
		return NULL;
	for (i = 0; i < t->ndirs; i++)
		if (t->dirs[i].ino == dir)
			return t->dirs[i].path ? strdup(t->dirs[i].path) : NULL;
	/* first the path (which fills the cache with the directories
	 * above), then its own entry */
	path = dir_path_uncached(t, dir, depth);
	if (e2fc_array_grow(&t->dirs, &t->capdirs, t->ndirs + 1,
			    sizeof(*t->dirs)))
		return path;
	d = &t->dirs[t->ndirs++];
	d->ino = dir;
	d->path = path;
	return path ? strdup(path) : NULL;
}

/* ---- other inodes, downwards: one walk for all of them ------------------ */

struct walk {
	struct tree	*t;
	ext2_ino_t	dir;
	ext2_ino_t	*stack;
	unsigned	n, cap;
	ext2fs_inode_bitmap seen;
	errcode_t	err;
};

static int walk_cb(struct ext2_dir_entry *de, int offset, int blocksize,
		   char *buf, void *priv)
{
	struct walk *w = priv;
	struct tree *t = w->t;
	unsigned len = ext2fs_dirent_name_len(de), i;
	int ft = ext2fs_dirent_file_type(de);

	if (!de->inode || (len == 1 && de->name[0] == '.') ||
	    (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	for (i = 0; i < t->nwant; i++) {
		if (t->want[i].ino != de->inode || t->want[i].at.name)
			continue;
		t->want[i].at.parent = w->dir;
		t->want[i].at.name = e2fc_escape_name(de->name, len);
		t->left--;
	}
	if (!t->left)
		return DIRENT_ABORT;
	if (de->inode > t->fs->super->s_inodes_count ||
	    ext2fs_test_inode_bitmap2(w->seen, de->inode))
		return 0;
	if (ext2fs_has_feature_filetype(t->fs->super) ? ft != EXT2_FT_DIR :
	    !is_dir(t->fs, de->inode))
		return 0;
	ext2fs_mark_inode_bitmap2(w->seen, de->inode);
	w->err = e2fc_array_grow(&w->stack, &w->cap, w->n + 1,
				 sizeof(*w->stack));
	if (w->err)
		return DIRENT_ABORT;
	w->stack[w->n++] = de->inode;
	return 0;
}

static void walk_tree(struct tree *t)
{
	struct walk w;

	t->walked = 1;
	if (!t->fs || !t->left)
		return;
	memset(&w, 0, sizeof(w));
	w.t = t;
	if (ext2fs_allocate_inode_bitmap(t->fs, "e2fc events walk", &w.seen))
		return;
	w.dir = EXT2_ROOT_INO;
	ext2fs_mark_inode_bitmap2(w.seen, EXT2_ROOT_INO);
	for (;;) {
		ext2fs_dir_iterate(t->fs, w.dir, 0, NULL, walk_cb, &w);
		if (!t->left || w.err || !w.n)
			break;
		w.dir = w.stack[--w.n];
	}
	free(w.stack);
	ext2fs_free_inode_bitmap(w.seen);
}

/* ---- per event ---------------------------------------------------------- */

struct resolver {
	struct tree		post, pre;
	const struct e2fc_fc	*fc;
	struct imap		names;	/* ino -> its last CREAT/LINK tag */
	struct imap		paths;	/* ino -> its path (other events) */
	struct imap		planned[2];	/* inodes plan_walk saw */
};

static char *parent_path(struct resolver *r, ext2_ino_t dir, unsigned depth);

/* dir/name through the first tree that has dir */
static char *under(struct resolver *r, ext2_ino_t dir, const char *name,
		   unsigned depth)
{
	char *d = parent_path(r, dir, depth), *p;

	if (!d)
		return NULL;
	p = str_cat3(d, "/", name);
	free(d);
	return p;
}

/* the last CREAT or LINK tag naming ino: of the replayed commits if any,
 * else of the others */
static const struct e2fc_tag *last_name(struct resolver *r, ext2_ino_t ino)
{
	return e2fc_imap_get(&r->names, ino);
}

static errcode_t index_names(struct resolver *r)
{
	const struct e2fc_fc *fc = r->fc;
	unsigned pass, i;
	errcode_t err;
	void *old;

	for (pass = 0; pass < 2; pass++) {
		for (i = pass ? 0 : fc->replay_tags;
		     i < (pass ? fc->replay_tags : fc->ntags); i++) {
			const struct e2fc_tag *t = &fc->tags[i];

			if ((t->tag != EXT4_FC_TAG_CREAT &&
			     t->tag != EXT4_FC_TAG_LINK) || !t->u.dentry.ino)
				continue;
			err = e2fc_imap_put(&r->names, t->u.dentry.ino, (void *)t,
				       &old);
			if (err)
				return err;
		}
	}
	return 0;
}

static char *tag_path(struct resolver *r, const struct e2fc_tag *t,
		      unsigned depth)
{
	char *name = e2fc_escape_name(t->u.dentry.name,
				      t->u.dentry.name_len), *p;

	if (!name)
		return NULL;
	p = under(r, t->u.dentry.parent, name, depth + 1);
	free(name);
	return p;
}

static char *unknown_ino(ext2_ino_t ino)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "/<%u>", ino);
	return strdup(buf);
}

/* "" for the root, else "/a/b": post tree, pre tree, the fast commits'
 * names, "/<ino>" */
static char *parent_path(struct resolver *r, ext2_ino_t dir, unsigned depth)
{
	const struct e2fc_tag *t;
	char *p;

	p = dir_path(&r->post, dir, 0);
	if (!p)
		p = dir_path(&r->pre, dir, 0);
	if (p)
		return p;
	t = depth < MAX_DEPTH ? last_name(r, dir) : NULL;
	p = t ? tag_path(r, t, depth) : NULL;
	return p ? p : unknown_ino(dir);
}

/* ino's name in a tree where the fast commits' name still leads to it */
static char *hint_path(struct resolver *r, struct tree *t, ext2_ino_t ino)
{
	const struct e2fc_tag *tag = last_name(r, ino);
	ext2_ino_t got;
	char *d, *p, *name;

	if (!tag || !t->fs ||
	    ext2fs_lookup(t->fs, tag->u.dentry.parent,
			  (const char *)tag->u.dentry.name,
			  tag->u.dentry.name_len, NULL, &got) || got != ino)
		return NULL;
	d = dir_path(t, tag->u.dentry.parent, 0);
	name = e2fc_escape_name(tag->u.dentry.name,
				tag->u.dentry.name_len);
	p = d && name ? str_cat3(d, "/", name) : NULL;
	free(d);
	free(name);
	return p;
}

static char *walked_path(struct tree *t, ext2_ino_t ino)
{
	unsigned i;
	char *d, *p;

	for (i = 0; i < t->nwant; i++) {
		if (t->want[i].ino != ino || !t->want[i].at.name)
			continue;
		d = dir_path(t, t->want[i].at.parent, 0);
		p = d ? str_cat3(d, "/", t->want[i].at.name) : NULL;
		free(d);
		return p;
	}
	return NULL;
}

static char *inode_path(struct resolver *r, ext2_ino_t ino, int walk)
{
	struct tree *ts[2] = { &r->post, &r->pre };
	const struct e2fc_tag *t;
	char *p = NULL;
	int i;

	if (ino == EXT2_ROOT_INO)
		return strdup("/");
	for (i = 0; i < 2 && !p; i++) {
		p = dir_path(ts[i], ino, 0);
		if (!p)
			p = hint_path(r, ts[i], ino);
		if (!p && walk) {
			if (!ts[i]->walked)
				walk_tree(ts[i]);
			p = walked_path(ts[i], ino);
		}
	}
	if (p)
		return p;
	t = last_name(r, ino);
	p = t ? tag_path(r, t, 0) : NULL;
	return p ? p : unknown_ino(ino);
}

/* ---- driver ------------------------------------------------------------- */

static int needs_walk(const struct e2fc_event *ev)
{
	return ev->action != E2FC_EV_CREATE && ev->action != E2FC_EV_LINK &&
	       ev->action != E2FC_EV_UNLINK && ev->action != E2FC_EV_RENAME;
}

/* the inodes no name of the fast commits leads to: looked for by a walk */
static errcode_t plan_walk(struct resolver *r, struct e2fc_events *e)
{
	struct tree *ts[2] = { &r->post, &r->pre };
	unsigned i, n;
	char *p;
	int w;

	for (w = 0; w < 2; w++) {
		for (i = 0; i < e->n; i++) {
			const struct e2fc_event *ev = &e->ev[i];
			void *old;

			if (!needs_walk(ev) || !ts[w]->fs ||
			    e2fc_imap_get(&r->planned[w], ev->ino))
				continue;
			if (e2fc_imap_put(&r->planned[w], ev->ino, (void *)1,
					  &old))
				return EXT2_ET_NO_MEMORY;
			p = dir_path(ts[w], ev->ino, 0);
			if (!p)
				p = hint_path(r, ts[w], ev->ino);
			free(p);
			if (p)
				continue;
			n = ts[w]->nwant;
			if (e2fc_array_grow(&ts[w]->want, &ts[w]->capwant,
					    n + 1, sizeof(*ts[w]->want)))
				return EXT2_ET_NO_MEMORY;
			memset(&ts[w]->want[n], 0, sizeof(ts[w]->want[n]));
			ts[w]->want[n].ino = ev->ino;
			ts[w]->nwant++;
			ts[w]->left++;
		}
	}
	return 0;
}

static void tree_free(struct tree *t)
{
	unsigned i;

	for (i = 0; i < t->ndirs; i++)
		free(t->dirs[i].path);
	for (i = 0; i < t->nwant; i++)
		free(t->want[i].at.name);
	free(t->dirs);
	free(t->want);
}

static errcode_t resolve_one(struct resolver *r, struct e2fc_event *ev)
{
	char *p;

	if (needs_walk(ev)) {
		void *old;

		p = e2fc_imap_get(&r->paths, ev->ino);
		if (!p) {
			p = inode_path(r, ev->ino, 1);
			if (!p || e2fc_imap_put(&r->paths, ev->ino, p, &old)) {
				free(p);
				return EXT2_ET_NO_MEMORY;
			}
		}
		ev->path = strdup(p);
		return ev->path ? 0 : EXT2_ET_NO_MEMORY;
	}
	p = under(r, ev->parent, ev->name, 0);
	if (!p)
		return EXT2_ET_NO_MEMORY;
	ev->path = p;
	if (ev->action != E2FC_EV_RENAME)
		return 0;
	ev->old_path = under(r, ev->old_parent, ev->old_name, 0);
	return ev->old_path ? 0 : EXT2_ET_NO_MEMORY;
}

errcode_t e2fc_events_resolve(struct e2fc_events *e, ext2_filsys pre,
			      ext2_filsys post, const struct e2fc_fc *fc)
{
	struct resolver r;
	errcode_t err;
	unsigned i;

	memset(&r, 0, sizeof(r));
	r.post.fs = post;
	r.pre.fs = pre;
	r.fc = fc;
	err = index_names(&r);
	if (!err)
		err = plan_walk(&r, e);
	for (i = 0; !err && i < e->n; i++)
		err = resolve_one(&r, &e->ev[i]);
	tree_free(&r.post);
	tree_free(&r.pre);
	e2fc_imap_free(&r.names, NULL);
	e2fc_imap_free(&r.paths, free);
	e2fc_imap_free(&r.planned[0], NULL);
	e2fc_imap_free(&r.planned[1], NULL);
	return err;
}
