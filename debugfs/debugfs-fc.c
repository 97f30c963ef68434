// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * debugfs-fc.c -- a debugfs-like shell for the fast-commit area: dump the
 * journal (logdump --fc), replay it into memory (fc_replay) and browse the
 * result (ls, stat, cat, dump, rdump).  The image is opened through the
 * overlay io manager: it is never written.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <getopt.h>
#include <sys/stat.h>
#include <ss/ss.h>
#include "e2fc.h"
#include "libe2fc.h"

extern ss_request_table debug_cmds;

static const char *prog = "debugfs-fc";

static struct {
	ext2_filsys	fs;
	char		*image;
	char		*extj;
	ext2_ino_t	cwd;
	int		replayed;
} cur;

/* ---- open and close ----------------------------------------------------- */

static void close_image(void)
{
	if (cur.fs)
		ext2fs_close_free(&cur.fs);
	if (cur.image)
		e2fc_overlay_discard(cur.image);
	if (cur.extj)
		e2fc_overlay_discard(cur.extj);
	free(cur.image);
	free(cur.extj);
	memset(&cur, 0, sizeof(cur));
}

static int open_image(const char *image, const char *extj)
{
	errcode_t err;

	close_image();
	err = ext2fs_open(image, EXT2_FLAG_64BITS | EXT2_FLAG_RW, 0, 0,
			  e2fc_overlay_io_manager, &cur.fs);
	if (err) {
		com_err(prog, err, "while opening %s", image);
		return -1;
	}
	cur.image = strdup(image);
	cur.extj = extj ? strdup(extj) : NULL;
	if (!cur.image || (extj && !cur.extj)) {
		com_err(prog, EXT2_ET_NO_MEMORY, "while opening %s", image);
		close_image();
		return -1;
	}
	cur.cwd = EXT2_ROOT_INO;
	return 0;
}

static int need_fs(void)
{
	if (cur.fs)
		return 0;
	com_err(prog, 0, "no image is open");
	return -1;
}

void do_open(int argc, char **argv, int sci_idx, void *infop)
{
	const char *extj = NULL;
	int c;

	optind = 0;
	while ((c = getopt(argc, argv, "j:")) != -1) {
		if (c != 'j')
			goto usage;
		extj = optarg;
	}
	if (optind != argc - 1)
		goto usage;
	open_image(argv[optind], extj);
	return;
usage:
	fprintf(stderr, "usage: open [-j extjournal] image\n");
}

void do_close(int argc, char **argv, int sci_idx, void *infop)
{
	if (!need_fs())
		close_image();
}

/* ---- journal ------------------------------------------------------------ */

static int scan_journal(struct e2fc_loaded *s, int rw)
{
	int flags = E2FC_JOPEN_OVERLAY | (rw ? E2FC_JOPEN_RW : 0);
	const char *what;
	errcode_t err;

	err = e2fc_load(cur.fs, cur.extj, flags, s, &what);
	if (err) {
		com_err(prog, err, "while %s", what);
		return -1;
	}
	return 0;
}

void do_logdump(int argc, char **argv, int sci_idx, void *infop)
{
	static const struct option lo[] = {
		{ "fc", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct e2fc_loaded s;
	int c, json = 0, flags = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "fJra", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			break;	/* the fast-commit area is always shown */
		case 'J':
			json = 1;
			break;
		case 'r':
			flags |= E2FC_PRINT_RAW;
			break;
		case 'a':
			flags |= E2FC_PRINT_LOG;
			break;
		default:
			fprintf(stderr, "usage: logdump --fc [--json] [--raw] "
				"[--all]\n");
			return;
		}
	}
	if (need_fs() || scan_journal(&s, 0))
		return;
	if (json)
		e2fc_print_json(stdout, s.j, s.log, s.fc, flags);
	else
		e2fc_print_text(stdout, s.j, s.log, s.fc, flags);
	e2fc_unload(&s);
}

void do_fc_replay(int argc, char **argv, int sci_idx, void *infop)
{
	static const struct option lo[] = {
		{ "until-commit", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct e2fc_replay_opts ro;
	struct e2fc_replay_stats st;
	struct e2fc_loaded s;
	errcode_t err;
	int c;

	memset(&ro, 0, sizeof(ro));
	ro.until_commit = ~0U;
	optind = 0;
	while ((c = getopt_long(argc, argv, "u:", lo, NULL)) != -1) {
		if (c != 'u') {
			fprintf(stderr, "usage: fc_replay [--until-commit N]\n");
			return;
		}
		ro.until_commit = (unsigned)strtoul(optarg, NULL, 10);
	}
	if (need_fs())
		return;
	if (!ext2fs_has_feature_journal_needs_recovery(cur.fs->super)) {
		printf("%s: the journal is clean: nothing to replay\n",
		       cur.image);
		return;
	}
	if (scan_journal(&s, 1))
		return;
	memset(&st, 0, sizeof(st));
	err = e2fc_recover(&cur.fs, s.j, s.log, s.fc, &ro, &st);
	e2fc_unload(&s);
	if (err) {
		com_err(prog, err, "while replaying the journal (in memory)");
		return;
	}
	cur.replayed = 1;
	cur.cwd = EXT2_ROOT_INO;
	printf("replayed in memory: %u transactions (%u blocks), %u fast "
	       "commits (%u tags); %s is unchanged\n", st.log_trans,
	       st.log_blocks, st.fc_commits, st.fc_tags, cur.image);
}

/* ---- browsing ----------------------------------------------------------- */

static int lookup(const char *path, ext2_ino_t *ino)
{
	errcode_t err;

	if (need_fs())
		return -1;
	err = ext2fs_namei(cur.fs, EXT2_ROOT_INO, cur.cwd, path, ino);
	if (err) {
		com_err(prog, err, "while looking up %s", path);
		return -1;
	}
	return 0;
}

static int read_inode(ext2_ino_t ino, struct ext2_inode_large *in)
{
	errcode_t err;

	memset(in, 0, sizeof(*in));
	err = ext2fs_read_inode_full(cur.fs, ino, (struct ext2_inode *)in,
				     sizeof(*in));
	if (err)
		com_err(prog, err, "while reading inode %u", ino);
	return err ? -1 : 0;
}

struct ls_ctx {
	int	longfmt;
};

static int ls_entry(struct ext2_dir_entry *de, int offset, int blocksize,
		    char *buf, void *priv)
{
	struct ls_ctx *ctx = priv;
	struct ext2_inode_large in;
	unsigned len = ext2fs_dirent_name_len(de);
	time_t mt;
	char tbuf[32];

	if (!ctx->longfmt) {
		printf("%u  ", de->inode);
		e2fc_print_name(stdout, (const uint8_t *)de->name, len);
		putchar('\n');
		return 0;
	}
	if (read_inode(de->inode, &in))
		return 0;
	mt = in.i_mtime;
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M", gmtime(&mt));
	printf("%8u %6o %3u %5u %5u %10llu %s ", de->inode, in.i_mode,
	       in.i_links_count, inode_uid(in), inode_gid(in),
	       (unsigned long long)EXT2_I_SIZE(&in), tbuf);
	e2fc_print_name(stdout, (const uint8_t *)de->name, len);
	putchar('\n');
	return 0;
}

void do_ls(int argc, char **argv, int sci_idx, void *infop)
{
	struct ls_ctx ctx = { 0 };
	ext2_ino_t ino;
	errcode_t err;
	int c;

	optind = 0;
	while ((c = getopt(argc, argv, "l")) != -1) {
		if (c != 'l') {
			fprintf(stderr, "usage: ls [-l] [path]\n");
			return;
		}
		ctx.longfmt = 1;
	}
	if (need_fs())
		return;
	ino = cur.cwd;
	if (optind < argc && lookup(argv[optind], &ino))
		return;
	err = ext2fs_dir_iterate(cur.fs, ino, 0, NULL, ls_entry, &ctx);
	if (err)
		com_err(prog, err, "while listing inode %u", ino);
}

static void stat_extents(ext2_ino_t ino, struct ext2_inode_large *in)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	errcode_t err;
	int op = EXT2_EXTENT_ROOT, n = 0;

	err = ext2fs_extent_open2(cur.fs, ino, (struct ext2_inode *)in, &h);
	if (err) {
		com_err(prog, err, "while reading the extents of inode %u",
			ino);
		return;
	}
	printf("Extents:");
	while (!ext2fs_extent_get(h, op, &e)) {
		op = EXT2_EXTENT_NEXT;
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF))
			continue;
		printf("%s(%llu-%llu):%llu-%llu%s", n++ % 4 ? ", " : "\n  ",
		       (unsigned long long)e.e_lblk,
		       (unsigned long long)e.e_lblk + e.e_len - 1,
		       (unsigned long long)e.e_pblk,
		       (unsigned long long)e.e_pblk + e.e_len - 1,
		       (e.e_flags & EXT2_EXTENT_FLAGS_UNINIT) ?
		       " [uninit]" : "");
	}
	putchar('\n');
	ext2fs_extent_free(h);
}

void do_stat(int argc, char **argv, int sci_idx, void *infop)
{
	struct ext2_inode_large in;
	ext2_ino_t ino;

	if (argc != 2) {
		fprintf(stderr, "usage: stat path\n");
		return;
	}
	if (lookup(argv[1], &ino) || read_inode(ino, &in))
		return;
	printf("Inode: %u  Mode: 0%o  Links: %u  Flags: 0x%x\n", ino,
	       in.i_mode, in.i_links_count, in.i_flags);
	printf("User: %u  Group: %u  Size: %llu  Blocks: %llu\n",
	       inode_uid(in), inode_gid(in),
	       (unsigned long long)EXT2_I_SIZE(&in),
	       (unsigned long long)ext2fs_get_stat_i_blocks(cur.fs,
				(struct ext2_inode *)&in));
	printf("ctime: %u  atime: %u  mtime: %u\n", in.i_ctime, in.i_atime,
	       in.i_mtime);
	if (LINUX_S_ISLNK(in.i_mode) && !(in.i_flags & EXT4_EXTENTS_FL) &&
	    EXT2_I_SIZE(&in) < sizeof(in.i_block))
		printf("Fast link dest: \"%.*s\"\n", (int)EXT2_I_SIZE(&in),
		       (char *)in.i_block);
	else if (in.i_flags & EXT4_EXTENTS_FL)
		stat_extents(ino, &in);
	else if (in.i_flags & EXT4_INLINE_DATA_FL)
		printf("Inline data\n");
}

/* copy the contents of ino to fd */
static int copy_out(ext2_ino_t ino, int fd)
{
	ext2_file_t f;
	char buf[65536];
	unsigned got;
	errcode_t err;

	err = ext2fs_file_open(cur.fs, ino, 0, &f);
	if (err) {
		com_err(prog, err, "while opening inode %u", ino);
		return -1;
	}
	while (!(err = ext2fs_file_read(f, buf, sizeof(buf), &got)) && got) {
		if (write(fd, buf, got) != (ssize_t)got) {
			err = errno;
			break;
		}
	}
	ext2fs_file_close(f);
	if (err)
		com_err(prog, err, "while copying inode %u", ino);
	return err ? -1 : 0;
}

void do_cat(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;

	if (argc != 2) {
		fprintf(stderr, "usage: cat path\n");
		return;
	}
	if (lookup(argv[1], &ino))
		return;
	fflush(stdout);
	copy_out(ino, 1);
}

static int dump_file(ext2_ino_t ino, const char *out)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ret;

	if (fd < 0) {
		com_err(prog, errno, "while creating %s", out);
		return -1;
	}
	ret = copy_out(ino, fd);
	close(fd);
	return ret;
}

void do_dump(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;

	if (argc != 3) {
		fprintf(stderr, "usage: dump path out_file\n");
		return;
	}
	if (!lookup(argv[1], &ino))
		dump_file(ino, argv[2]);
}

static void rdump_inode(ext2_ino_t ino, const char *name, const char *dir,
			int depth);

struct rdump_ctx {
	const char	*dir;
	int		depth;
};

static int rdump_entry(struct ext2_dir_entry *de, int offset, int blocksize,
		       char *buf, void *priv)
{
	struct rdump_ctx *ctx = priv;
	unsigned len = ext2fs_dirent_name_len(de);
	char name[256];

	memcpy(name, de->name, len);
	name[len] = 0;
	if (!strcmp(name, ".") || !strcmp(name, "..") ||
	    strchr(name, '/'))
		return 0;
	rdump_inode(de->inode, name, ctx->dir, ctx->depth + 1);
	return 0;
}

static void rdump_inode(ext2_ino_t ino, const char *name, const char *dir,
			int depth)
{
	struct ext2_inode_large in;
	struct rdump_ctx ctx;
	char *path;
	size_t len = strlen(dir) + strlen(name) + 2;
	char target[4097];
	unsigned got;
	ext2_file_t f;

	if (depth > 256 || read_inode(ino, &in))
		return;
	path = malloc(len);
	if (!path) {
		com_err(prog, EXT2_ET_NO_MEMORY, "while dumping %s", name);
		return;
	}
	snprintf(path, len, "%s/%s", dir, name);
	if (LINUX_S_ISDIR(in.i_mode)) {
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			com_err(prog, errno, "while making %s", path);
		} else {
			ctx.dir = path;
			ctx.depth = depth;
			ext2fs_dir_iterate(cur.fs, ino, 0, NULL, rdump_entry,
					   &ctx);
		}
	} else if (LINUX_S_ISREG(in.i_mode)) {
		dump_file(ino, path);
	} else if (LINUX_S_ISLNK(in.i_mode) && EXT2_I_SIZE(&in) < 4096) {
		got = 0;
		if (!ext2fs_file_open(cur.fs, ino, 0, &f)) {
			ext2fs_file_read(f, target, sizeof(target) - 1, &got);
			ext2fs_file_close(f);
		}
		if (!got && EXT2_I_SIZE(&in) < sizeof(in.i_block)) {
			got = EXT2_I_SIZE(&in);
			memcpy(target, in.i_block, got);
		}
		target[got] = 0;
		if (symlink(target, path) < 0)
			com_err(prog, errno, "while making link %s", path);
	}
	free(path);
}

void do_rdump(int argc, char **argv, int sci_idx, void *infop)
{
	ext2_ino_t ino;
	const char *base;

	if (argc != 3) {
		fprintf(stderr, "usage: rdump path out_dir\n");
		return;
	}
	if (lookup(argv[1], &ino))
		return;
	base = strrchr(argv[1], '/');
	base = base && base[1] ? base + 1 : (base ? "root" : argv[1]);
	rdump_inode(ino, base, argv[2], 0);
}

void do_cd(int argc, char **argv, int sci_idx, void *infop)
{
	struct ext2_inode_large in;
	ext2_ino_t ino;

	if (argc != 2) {
		fprintf(stderr, "usage: cd path\n");
		return;
	}
	if (lookup(argv[1], &ino) || read_inode(ino, &in))
		return;
	if (!LINUX_S_ISDIR(in.i_mode)) {
		com_err(prog, EXT2_ET_NO_DIRECTORY, "while changing to %s",
			argv[1]);
		return;
	}
	cur.cwd = ino;
}

void do_pwd(int argc, char **argv, int sci_idx, void *infop)
{
	char *name = NULL;

	if (need_fs())
		return;
	if (!ext2fs_get_pathname(cur.fs, cur.cwd, 0, &name)) {
		printf("[pwd]   INODE: %6u  PATH: %s\n", cur.cwd, name);
		ext2fs_free_mem(&name);
	}
}

/* ---- main --------------------------------------------------------------- */

static int request_failed;

/* com_err's usual format; remembers that a request failed (exit 1) */
static void err_hook(const char *whoami, errcode_t code, const char *fmt,
		     va_list args)
{
	request_failed = 1;
	if (whoami)
		fprintf(stderr, "%s: ", whoami);
	if (code)
		fprintf(stderr, "%s ", error_message(code));
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j extjournal] [-R request] [-f cmd_file] "
		"[image]\n", prog);
}

static int run_file(int sci_idx, const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char line[4096];
	int ret = 0;

	if (!f) {
		com_err(prog, errno, "while opening %s", file);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		printf("%s: %s\n", prog, line);
		if (ss_execute_line(sci_idx, line))
			ret = 1;
	}
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	const char *extj = NULL, *cmd_file = NULL;
	char *request = NULL;
	int c, sci_idx, ret = 0, err;

	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	set_com_err_hook(err_hook);
	while ((c = getopt(argc, argv, "j:R:f:hV")) != -1) {
		switch (c) {
		case 'j':
			extj = optarg;
			break;
		case 'R':
			request = optarg;
			break;
		case 'f':
			cmd_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s (libext2fs %s)\n", prog, e2fc_version(),
			       e2fc_ext2fs_version());
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc - 1) {
		usage(stderr);
		return 1;
	}
	sci_idx = ss_create_invocation(prog, E2FC_VERSION, NULL, &debug_cmds, &err);
	if (err) {
		com_err(prog, err, "while creating the command shell");
		return 1;
	}
	ss_add_request_table(sci_idx, &ss_std_requests, 1, &err);
	if (optind == argc - 1 && open_image(argv[optind], extj))
		ret = 1;
	if (request) {
		err = ss_execute_line(sci_idx, request);
		if (err)
			ret = 1;
	} else if (cmd_file) {
		ret |= run_file(sci_idx, cmd_file);
	} else {
		ss_listen(sci_idx);
	}
	ss_delete_invocation(sci_idx);
	close_image();
	return ret || request_failed;
}
