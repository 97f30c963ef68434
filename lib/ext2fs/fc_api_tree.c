// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_api_tree.c -- the public interface, second half: plan and replay
 * (in memory), the tree the replay leaves (lookup, stat, read, readlink,
 * readdir), save to a new file, recovery in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fc_api_int.h"

/* ---- plan, replay ------------------------------------------------- */

static void copy_result(struct e2fc_replay_result *res,
			const struct e2fc_replay_stats *st)
{
	memset(res, 0, sizeof(*res));
	res->log_trans = st->log_trans;
	res->log_blocks = st->log_blocks;
	res->log_revoked = st->log_revoked;
	res->log_bad_csum = st->log_bad_csum;
	res->fc_commits = st->fc_commits;
	res->fc_tags = st->fc_tags;
	res->fc_skipped = st->fc_skipped;
	res->inodes_freed = st->inodes_freed;
	res->blocks_freed = st->blocks_freed;
	res->blocks_allocated = st->blocks_allocated;
}

/* the log blocks a replay writes: the rule of e2fc_log_block_fate() */
static void plan_log(const struct e2fc_image *img,
		     struct e2fc_replay_result *plan)
{
	const struct e2fc_log *log = img->ld.log;
	blk64_t nblocks = ext2fs_blocks_count(img->fs->super);
	unsigned i, t, ntrans = e2fc_log_replayed_trans(log);

	for (t = 0; t < ntrans; t++) {
		const struct e2fc_log_trans *tr = &log->trans[t];

		for (i = tr->first_lb; i < tr->first_lb + tr->ndata; i++) {
			switch (e2fc_log_block_fate(log, &log->blocks[i],
						    nblocks)) {
			case E2FC_LB_WRITE:
				plan->log_blocks++;
				break;
			case E2FC_LB_REVOKED:
				plan->log_revoked++;
				break;
			case E2FC_LB_BAD_CSUM:
				plan->log_bad_csum++;
				break;
			case E2FC_LB_OUTSIDE:
				break;
			}
		}
	}
	for (t = 0; t < log->ntrans; t++)
		plan->log_trans += log->trans[t].complete;
}

errcode_t e2fc_image_plan(const struct e2fc_image *img,
			  unsigned until_commit,
			  struct e2fc_replay_result *plan)
{
	const struct e2fc_fc *fc = img->ld.fc;
	unsigned c, n, bc = 0, bt = 0;
	errcode_t err;

	memset(plan, 0, sizeof(*plan));
	if (!img->ld.j || img->replayed ||
	    !ext2fs_has_feature_journal_needs_recovery(img->fs->super))
		return 0;
	plan_log(img, plan);
	n = fc->replay_commits < until_commit ? fc->replay_commits :
						until_commit;
	plan->fc_commits = n;
	for (c = 0; c < n; c++)
		plan->fc_tags += fc->commits[c].ntags;
	err = e2fc_replay_check(img->fs, fc, &bc, &bt);
	if (err) {
		plan->bad_commit = bc;
		plan->bad_tag = bt;
	}
	return err;
}

errcode_t e2fc_image_replay(struct e2fc_image *img, unsigned until_commit,
			    struct e2fc_replay_result *res)
{
	struct e2fc_replay_result plan;
	struct e2fc_replay_stats st;
	struct e2fc_replay_opts ro;
	errcode_t err;

	memset(&st, 0, sizeof(st));
	if (res)
		copy_result(res, &st);
	if (img->replayed)
		return EALREADY;
	if (!img->ld.j ||
	    !ext2fs_has_feature_journal_needs_recovery(img->fs->super))
		return 0;
	err = e2fc_image_plan(img, until_commit, &plan);
	if (err)
		return err;
	memset(&ro, 0, sizeof(ro));
	ro.until_commit = until_commit;
	img->replayed = 1;
	err = e2fc_recover(&img->fs, img->ld.j, img->ld.log, img->ld.fc, &ro,
			   &st);
	if (res)
		copy_result(res, &st);
	return err;
}

/* ---- the tree ------------------------------------------------------ */

static errcode_t lookup(const struct e2fc_image *img, const char *path,
			ext2_ino_t *ino)
{
	if (!img->fs)
		return EXT2_ET_INVALID_ARGUMENT;
	if (!path || path[0] != '/')
		return EXT2_ET_INVALID_ARGUMENT;
	while (*path == '/')
		path++;
	if (!*path) {
		*ino = EXT2_ROOT_INO;
		return 0;
	}
	return ext2fs_namei(img->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);
}

errcode_t e2fc_image_lookup(const struct e2fc_image *img, const char *path,
			    uint32_t *ino)
{
	ext2_ino_t i = 0;
	errcode_t err = lookup(img, path, &i);

	*ino = err ? 0 : i;
	return err;
}

static errcode_t read_inode(const struct e2fc_image *img, const char *path,
			    ext2_ino_t *ino, struct ext2_inode_large *in)
{
	errcode_t err = lookup(img, path, ino);

	if (err)
		return err;
	memset(in, 0, sizeof(*in));
	return ext2fs_read_inode_full(img->fs, *ino, (struct ext2_inode *)in,
				      sizeof(*in));
}

/* does the inode hold the extra field at offset off (of 4 bytes)? */
static int has_extra(const struct e2fc_image *img,
		     const struct ext2_inode_large *in, size_t off)
{
	return EXT2_INODE_SIZE(img->fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
	       off + 4 <= (size_t)EXT2_GOOD_OLD_INODE_SIZE +
			  in->i_extra_isize;
}

/* a timestamp: 32 signed bits of seconds, then in the extra field two
 * more epoch bits and 30 bits of nanoseconds */
static void xtime(const struct e2fc_image *img,
		  const struct ext2_inode_large *in, uint32_t lo,
		  size_t extra_off, int64_t *sec, uint32_t *nsec)
{
	uint32_t extra;

	*sec = (int32_t)lo;
	*nsec = 0;
	if (!has_extra(img, in, extra_off))
		return;
	memcpy(&extra, (const char *)in + extra_off, 4);
	extra = ext2fs_le32_to_cpu(extra);
	*sec += (int64_t)(extra & 3) << 32;
	*nsec = extra >> 2;
}

#define XOFF(f)	offsetof(struct ext2_inode_large, f)

static void fill_times(const struct e2fc_image *img,
		       const struct ext2_inode_large *in,
		       struct e2fc_stat *st)
{
	xtime(img, in, in->i_atime, XOFF(i_atime_extra), &st->atime,
	      &st->atime_ns);
	xtime(img, in, in->i_mtime, XOFF(i_mtime_extra), &st->mtime,
	      &st->mtime_ns);
	xtime(img, in, in->i_ctime, XOFF(i_ctime_extra), &st->ctime,
	      &st->ctime_ns);
	if (has_extra(img, in, XOFF(i_crtime)))
		xtime(img, in, in->i_crtime, XOFF(i_crtime_extra),
		      &st->crtime, &st->crtime_ns);
}

errcode_t e2fc_image_stat(const struct e2fc_image *img, const char *path,
			  struct e2fc_stat *st)
{
	struct ext2_inode_large in;
	ext2_ino_t ino;
	errcode_t err;

	memset(st, 0, sizeof(*st));
	err = read_inode(img, path, &ino, &in);
	if (err)
		return err;
	st->ino = ino;
	st->mode = in.i_mode;
	st->nlink = in.i_links_count;
	st->uid = inode_uid(in);
	st->gid = inode_gid(in);
	st->size = EXT2_I_SIZE(&in);
	st->blocks = ext2fs_get_stat_i_blocks(img->fs,
					      (struct ext2_inode *)&in);
	st->flags = in.i_flags;
	if (LINUX_S_ISCHR(in.i_mode) || LINUX_S_ISBLK(in.i_mode))
		st->rdev = in.i_block[0] ? in.i_block[0] : in.i_block[1];
	fill_times(img, &in, st);
	return 0;
}

/* the whole inline data of ino: i_block, then the system.data xattr */
static errcode_t inline_get(const struct e2fc_image *img, ext2_ino_t ino,
			    char **buf, size_t *size)
{
	errcode_t err;

	*buf = NULL;
	err = ext2fs_inline_data_size(img->fs, ino, size);
	if (err)
		return err;
	*buf = calloc(1, *size + 1);
	if (!*buf)
		return EXT2_ET_NO_MEMORY;
	err = ext2fs_inline_data_get(img->fs, ino, NULL, *buf, size);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

/* copy bytes [off, off + len) of the size bytes at src, cut at isize */
static size_t copy_window(const char *src, size_t size, uint64_t isize,
			  uint64_t off, void *buf, size_t len)
{
	uint64_t end = size < isize ? size : isize;

	if (off >= end)
		return 0;
	if (len > end - off)
		len = end - off;
	memcpy(buf, src + off, len);
	return len;
}

static errcode_t read_inline(const struct e2fc_image *img, ext2_ino_t ino,
			     const struct ext2_inode_large *in, uint64_t off,
			     void *buf, size_t len, size_t *got)
{
	size_t size;
	char *data;
	errcode_t err = inline_get(img, ino, &data, &size);

	if (err)
		return err;
	*got = copy_window(data, size, EXT2_I_SIZE(in), off, buf, len);
	free(data);
	return 0;
}

static errcode_t read_blocks(const struct e2fc_image *img, ext2_ino_t ino,
			     struct ext2_inode_large *in, uint64_t off,
			     void *buf, size_t len, size_t *got)
{
	ext2_file_t f;
	unsigned n;
	errcode_t err;

	err = ext2fs_file_open2(img->fs, ino, (struct ext2_inode *)in, 0, &f);
	if (err)
		return err;
	err = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL);
	while (!err && *got < len) {
		size_t want = len - *got;

		if (want > (1U << 30))
			want = 1U << 30;
		err = ext2fs_file_read(f, (char *)buf + *got, want, &n);
		if (!n)
			break;
		*got += n;
	}
	ext2fs_file_close(f);
	return err;
}

/* the bytes of a regular file or a symbolic link */
static errcode_t read_data(const struct e2fc_image *img, ext2_ino_t ino,
			   struct ext2_inode_large *in, uint64_t off,
			   void *buf, size_t len, size_t *got)
{
	struct ext2_inode *i = (struct ext2_inode *)in;

	*got = 0;
	if (LINUX_S_ISLNK(in->i_mode) && ext2fs_is_fast_symlink(i)) {
		*got = copy_window((const char *)in->i_block,
				   sizeof(in->i_block), EXT2_I_SIZE(in), off,
				   buf, len);
		return 0;
	}
	if (in->i_flags & EXT4_INLINE_DATA_FL)
		return read_inline(img, ino, in, off, buf, len, got);
	return read_blocks(img, ino, in, off, buf, len, got);
}

/* a regular file or a symbolic link of the tree */
struct data_file {
	ext2_ino_t		ino;
	struct ext2_inode_large	in;
};

/*
 * The inode at path, which must be of type fmt (LINUX_S_IFREG or
 * LINUX_S_IFLNK); nothing read yet (*got 0).  Else as read(2) and
 * readlink(2) answer: EISDIR for reading a directory, EINVAL for any
 * other type.
 */
static errcode_t data_file(const struct e2fc_image *img, const char *path,
			   unsigned fmt, struct data_file *df, size_t *got)
{
	errcode_t err;

	*got = 0;
	err = read_inode(img, path, &df->ino, &df->in);
	if (err)
		return err;
	if ((df->in.i_mode & LINUX_S_IFMT) == fmt)
		return 0;
	if (fmt == LINUX_S_IFREG && LINUX_S_ISDIR(df->in.i_mode))
		return EISDIR;
	return EINVAL;
}

errcode_t e2fc_image_read(const struct e2fc_image *img, const char *path,
			  uint64_t offset, void *buf, size_t len,
			  size_t *got)
{
	struct data_file df;
	errcode_t err = data_file(img, path, LINUX_S_IFREG, &df, got);

	return err ? err : read_data(img, df.ino, &df.in, offset, buf, len,
				     got);
}

errcode_t e2fc_image_readlink(const struct e2fc_image *img,
			      const char *path, char *buf, size_t len,
			      size_t *got)
{
	struct data_file df;
	errcode_t err = data_file(img, path, LINUX_S_IFLNK, &df, got);

	if (err)
		return err;
	if (!len || EXT2_I_SIZE(&df.in) > len - 1)
		return ENAMETOOLONG;
	err = read_data(img, df.ino, &df.in, 0, buf, len - 1, got);
	buf[err ? 0 : *got] = 0;
	return err;
}

struct readdir_ctx {
	e2fc_readdir_fn	fn;
	void		*arg;
	int		has_type;
};

static int readdir_entry(struct ext2_dir_entry *de, int offset,
			 int blocksize, char *buf, void *priv)
{
	struct readdir_ctx *c = priv;
	unsigned len = ext2fs_dirent_name_len(de);
	int type = c->has_type ? ext2fs_dirent_file_type(de) : 0;

	if (!de->inode)
		return 0;
	if ((len == 1 && de->name[0] == '.') ||
	    (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	return c->fn(c->arg, de->name, len, de->inode, type) ?
	       DIRENT_ABORT : 0;
}

errcode_t e2fc_image_readdir(const struct e2fc_image *img, const char *path,
			     e2fc_readdir_fn fn, void *arg)
{
	struct readdir_ctx c = { fn, arg, 0 };
	struct ext2_inode_large in;
	ext2_ino_t ino;
	errcode_t err;

	err = read_inode(img, path, &ino, &in);
	if (err)
		return err;
	if (!LINUX_S_ISDIR(in.i_mode))
		return ENOTDIR;
	c.has_type = ext2fs_has_feature_filetype(img->fs->super);
	return ext2fs_dir_iterate(img->fs, ino, 0, NULL, readdir_entry, &c);
}

/* ---- save, apply ----------------------------------------------------- */

/* write the blocks the overlay of img holds over the copy at fd */
static errcode_t save_changed(const struct e2fc_image *img, int fd)
{
	unsigned bs = img->fs->blocksize;
	blk64_t *list = NULL;
	size_t i, n = 0;
	char *buf = NULL;
	errcode_t err;

	err = e2fc_overlay_blocks(img->fs->io, bs, &list, &n);
	if (err)
		return err;
	err = ext2fs_get_mem(bs, &buf);
	for (i = 0; i < n && !err; i++) {
		err = io_channel_read_blk64(img->fs->io, list[i], 1, buf);
		if (!err && pwrite(fd, buf, bs, (off_t)(list[i] * bs)) !=
			    (ssize_t)bs)
			err = errno ? errno : EXT2_ET_SHORT_WRITE;
	}
	if (!err && fsync(fd) < 0)
		err = errno;
	ext2fs_free_mem(&buf);
	ext2fs_free_mem(&list);
	return err;
}

errcode_t e2fc_image_save(const struct e2fc_image *img, const char *target)
{
	errcode_t err;
	int fd;

	if (!target)
		return EXT2_ET_INVALID_ARGUMENT;
	err = ext2fs_flush(img->fs);
	if (err)
		return err;
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	err = e2fc_copy_sparse(img->path, target);
	if (err)
		goto fail;
	fd = open(target, O_WRONLY);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	errno = 0;
	err = save_changed(img, fd);
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err)
		return 0;
fail:
	unlink(target);
	return err;
}

struct apply {
	ext2_filsys		fs;
	struct e2fc_loaded	ld;
};

static errcode_t apply_run(struct apply *a, unsigned until_commit,
			   struct e2fc_replay_stats *st)
{
	struct e2fc_writeback_stats cs;
	struct e2fc_replay_opts ro;
	unsigned bc, bt;
	errcode_t err;

	err = e2fc_journal_check_write(a->ld.j);
	if (!err)
		err = e2fc_replay_check(a->fs, a->ld.fc, &bc, &bt);
	if (err)
		return err;
	memset(&ro, 0, sizeof(ro));
	ro.until_commit = until_commit;
	return e2fc_recover_writeback(&a->fs, &a->ld, &ro, st, &cs);
}

errcode_t e2fc_apply(const char *path, const char *journal,
		     unsigned until_commit, struct e2fc_replay_result *res)
{
	int flags = EXT2_FLAG_64BITS | EXT2_FLAG_RW;
	struct e2fc_replay_stats st;
	struct apply a;
	const char *what;
	errcode_t err;

	memset(&a, 0, sizeof(a));
	memset(&st, 0, sizeof(st));
	if (!path)
		return EXT2_ET_INVALID_ARGUMENT;
	e2fc_error_message(0);		/* the tables, for the caller */
	err = ext2fs_open(path, flags, 0, 0, e2fc_overlay_io_manager, &a.fs);
	if (err)
		return err;
	if (ext2fs_has_feature_journal(a.fs->super))
		err = e2fc_load(a.fs, journal, E2FC_JOPEN_OVERLAY, &a.ld,
				&what);
	if (!err && a.ld.j && (a.ld.j->sb.start ||
	    ext2fs_has_feature_journal_needs_recovery(a.fs->super)))
		err = apply_run(&a, until_commit, &st);
	e2fc_unload(&a.ld);
	e2fc_fs_discard(&a.fs);		/* an overlay */
	if (res)
		copy_result(res, &st);
	return err;
}
