// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump.c -- copy files out of the (replayed) file system: cat, dump [-p],
 * rdump, which keeps mode, owner and times as debugfs does.  Nothing is
 * ever written onto the image that is open.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>
#include <sys/stat.h>
#include "debugfs-fc.h"

/* the permission bits of a Linux mode as the host's mode_t */
static mode_t host_mode(unsigned lmode)
{
	static const struct { unsigned l; mode_t h; } bits[] = {
		{ LINUX_S_IRUSR, S_IRUSR }, { LINUX_S_IWUSR, S_IWUSR },
		{ LINUX_S_IXUSR, S_IXUSR }, { LINUX_S_IRGRP, S_IRGRP },
		{ LINUX_S_IWGRP, S_IWGRP }, { LINUX_S_IXGRP, S_IXGRP },
		{ LINUX_S_IROTH, S_IROTH }, { LINUX_S_IWOTH, S_IWOTH },
		{ LINUX_S_IXOTH, S_IXOTH },
	};
	mode_t m = 0;
	size_t i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (lmode & bits[i].l)
			m |= bits[i].h;
	return m;
}

/* mode, owner and times of in onto name (or fd when not -1) */
static void fix_perms(const char *cmd, const struct ext2_inode *in, int fd,
		      const char *name)
{
	struct utimbuf ut;
	int r;

	r = fd != -1 ? fchmod(fd, host_mode(in->i_mode)) :
		chmod(name, host_mode(in->i_mode));
	if (r == -1)
		com_err(cmd, errno, "while setting permissions of %s", name);
	r = fd != -1 ? fchown(fd, inode_uid(*in), inode_gid(*in)) :
		chown(name, inode_uid(*in), inode_gid(*in));
	if (r == -1)
		com_err(cmd, errno, "while changing ownership of %s", name);
	ut.actime = in->i_atime;
	ut.modtime = in->i_mtime;
	if (utime(name, &ut) == -1)
		com_err(cmd, errno, "while setting times of %s", name);
}

/* the contents of ino to fd; stops at the first read or write error */
static int copy_out(const char *cmd, ext2_ino_t ino, int fd)
{
	unsigned got, bs = cur.fs->blocksize;
	ext2_file_t f;
	errcode_t err;
	char *buf;
	int ret = 0;

	err = ext2fs_file_open(cur.fs, ino, 0, &f);
	if (err) {
		com_err(cmd, err, "while opening ext2 file");
		return 1;
	}
	buf = malloc(bs);
	if (!buf) {
		com_err(cmd, ENOMEM, "while allocating memory");
		ext2fs_file_close(f);
		return 1;
	}
	while (!ret) {
		err = ext2fs_file_read(f, buf, bs, &got);
		if (err) {
			com_err(cmd, err, "while reading ext2 file");
			ret = 1;
		} else if (!got) {
			break;
		} else if (write(fd, buf, got) != (ssize_t)got) {
			com_err(cmd, errno ? errno : ENOSPC,
				"while writing file");
			ret = 1;
		}
	}
	free(buf);
	err = ext2fs_file_close(f);
	if (err)
		com_err(cmd, err, "while closing ext2 file");
	return ret || err;
}

static int dump_to_fd(const char *cmd, ext2_ino_t ino, int fd, int preserve,
		      const char *name)
{
	struct ext2_inode in;

	if (dfc_read_inode(ino, &in, cmd))
		return 1;
	if (copy_out(cmd, ino, fd))
		return 1;
	if (preserve)
		fix_perms("dump_file", &in, fd, name);
	return 0;
}

/* refuse to write onto the image (or external journal) that is open */
static int refuse_image(const char *cmd, const char *name)
{
	if (!dfc_same_file_as_image(name))
		return 0;
	com_err(cmd, 0, "%s is the file system image that is open: "
		"not writing it", name);
	return 1;
}

void do_cat(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;

	if (dfc_inode_arg(argc, argv, &ino, 0))
		return;
	fflush(stdout);
	fflush(stderr);
	dump_to_fd(argv[0], ino, 1, 0, NULL);
}

void do_dump(int argc, char **argv, int sci_idx, void *infop)
{
	int fd, preserve = 0;
	const char *out;
	ext2_ino_t ino;

	if (dfc_flag_opt(argc, argv, 'p', &preserve))
		goto usage;
	if (optind != argc - 2)
		goto usage;
	if (dfc_check_open(argv[0]))
		return;
	out = argv[optind + 1];
	ino = dfc_filespec(argv[optind]);
	if (!ino || refuse_image(argv[0], out))
		return;
	fd = open(out, O_CREAT | O_WRONLY | O_TRUNC, 0666);
	if (fd < 0) {
		com_err(argv[0], errno, "while opening %s for dump_inode", out);
		return;
	}
	dump_to_fd(argv[0], ino, fd, preserve, out);
	if (close(fd))
		com_err(argv[0], errno, "while closing %s for dump_inode", out);
	return;
usage:
	com_err(argv[0], 0, "Usage: dump_inode [-p] <file> <output_file>");
}

/* ---- rdump -------------------------------------------------------------- */

static void rdump_inode(ext2_ino_t ino, struct ext2_inode *in,
			const char *name, const char *dir);

static void rdump_symlink(ext2_ino_t ino, struct ext2_inode *in,
			  const char *path)
{
	unsigned size = in->i_size, done = 0, got;
	ext2_file_t f;
	errcode_t err = 0;
	char *buf = calloc(1, size + 1);

	if (!buf) {
		com_err("rdump", ENOMEM, "while allocating for symlink");
		return;
	}
	if (ext2fs_is_fast_symlink(in)) {
		memcpy(buf, in->i_block, size < sizeof(in->i_block) ?
		       size : sizeof(in->i_block));
	} else if ((err = ext2fs_file_open(cur.fs, ino, 0, &f))) {
		com_err("rdump", err, "while opening symlink");
	} else {
		while (done < size && !(err = ext2fs_file_read(f, buf + done,
						size - done, &got)) && got)
			done += got;
		if (err)
			com_err("rdump", err, "while reading symlink");
		ext2fs_file_close(f);
	}
	if (!err && symlink(buf, path) == -1)
		com_err("rdump", errno, "while creating symlink %s -> %s",
			buf, path);
	free(buf);
}

static void rdump_file(ext2_ino_t ino, const char *path)
{
	int fd;

	if (refuse_image("rdump", path))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, S_IRWXU);
	if (fd == -1) {
		com_err("rdump", errno, "while opening %s", path);
		return;
	}
	dump_to_fd("rdump", ino, fd, 1, path);
	if (close(fd))
		com_err("rdump", errno, "while closing %s", path);
}

static int rdump_entry(struct ext2_dir_entry *de, int offset, int blocksize,
		       char *buf, void *priv)
{
	char name[EXT2_NAME_LEN + 1];
	int len = ext2fs_dirent_name_len(de);
	struct ext2_inode in;

	memcpy(name, de->name, len);
	name[len] = 0;
	/* a name holding '/' would climb out of the dump */
	if (strchr(name, '/'))
		return 0;
	if (!dfc_read_inode(de->inode, &in, name))
		rdump_inode(de->inode, &in, name, priv);
	return 0;
}

static void rdump_dir(ext2_ino_t ino, struct ext2_inode *in,
		      const char *name, const char *path)
{
	errcode_t err;

	/* 0700 while its entries are made; its own mode comes last */
	if (name[0] && mkdir(path, S_IRWXU) == -1) {
		com_err("rdump", errno, "while making directory %s", path);
		return;
	}
	err = ext2fs_dir_iterate(cur.fs, ino, 0, NULL, rdump_entry,
				 (void *)path);
	if (err)
		com_err("rdump", err, "while dumping %s", path);
	fix_perms("rdump", in, -1, path);
}

static void rdump_inode(ext2_ino_t ino, struct ext2_inode *in,
			const char *name, const char *dir)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);

	if (!path) {
		com_err("rdump", ENOMEM, "while allocating memory");
		return;
	}
	snprintf(path, len, "%s/%s", dir, name);
	if (LINUX_S_ISLNK(in->i_mode))
		rdump_symlink(ino, in, path);
	else if (LINUX_S_ISREG(in->i_mode))
		rdump_file(ino, path);
	else if (LINUX_S_ISDIR(in->i_mode) && strcmp(name, ".") &&
		 strcmp(name, ".."))
		rdump_dir(ino, in, name, path);
	/* devices, sockets and fifos are not dumped, as in debugfs */
	free(path);
}

void do_rdump(int argc, char **argv, int sci_idx, void *infop)
{
	const char *dest, *base;
	struct ext2_inode in;
	struct stat st;
	ext2_ino_t ino;
	int i;

	if (dfc_args(argc, argv, 3, INT_MAX, "rdump",
		     "<directory>... <native directory>", 0))
		return;
	dest = argv[argc - 1];
	if (stat(dest, &st) == -1) {
		com_err("rdump", errno, "while statting %s", dest);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		com_err("rdump", 0, "%s is not a directory", dest);
		return;
	}
	for (i = 1; i < argc - 1; i++) {
		ino = dfc_filespec(argv[i]);
		if (!ino || dfc_read_inode(ino, &in, argv[i]))
			continue;
		base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		rdump_inode(ino, &in, base, dest);
	}
}
