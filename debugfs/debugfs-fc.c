// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * debugfs-fc.c -- a debugfs-like shell for the fast-commit area: dump the
 * journal (logdump), replay it into memory (fc_replay) and look at the
 * result with debugfs's own requests, which print what debugfs 1.47.0
 * prints.  The image is opened through the overlay io manager: it is
 * never written; overlay_save writes the replayed image to a new file.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <sys/stat.h>
#include "debugfs-fc.h"
#include "libe2fc.h"

extern ss_request_table debug_cmds;

struct dfc_state cur;
const char *prog = "debugfs-fc";

/* ---- open and close ----------------------------------------------------- */

void dfc_close(void)
{
	/* the overlay (what was replayed) goes with the last channel */
	if (cur.fs)
		ext2fs_close_free(&cur.fs);
	free(cur.image);
	free(cur.extj);
	cur.fs = NULL;
	cur.image = cur.extj = NULL;
	cur.replayed = 0;
}

/* (re)open cur.image through the overlay as debugfs opens a device:
 * bitmaps read unless catastrophic mode; io_opts shares the overlay of
 * an open channel */
static int open_fs(const char *io_opts)
{
	int flags = cur.open_flags;
	errcode_t err;

	if (cur.catastrophic)
		flags |= EXT2_FLAG_SKIP_MMP | EXT2_FLAG_IGNORE_SB_ERRORS;
again:
	err = ext2fs_open2(cur.image, io_opts, flags, cur.superblock,
			   cur.blocksize, e2fc_overlay_io_manager, &cur.fs);
	if (err == EXT2_ET_SB_CSUM_INVALID &&
	    !(flags & EXT2_FLAG_IGNORE_CSUM_ERRORS)) {
		flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
		printf("Checksum errors in superblock!  Retrying...\n");
		goto again;
	}
	if (err) {
		com_err(prog, err, "while trying to open %s", cur.image);
		cur.fs = NULL;
		return -1;
	}
	if (cur.catastrophic)
		return 0;
	err = ext2fs_read_bitmaps(cur.fs);
	if (err) {
		com_err(cur.image, err, "while reading allocation bitmaps");
		ext2fs_close_free(&cur.fs);
		return -1;
	}
	return 0;
}

int dfc_open(const char *image, const char *extj)
{
	dfc_close();
	if (cur.superblock && !cur.blocksize) {
		com_err(image, 0, "if you specify the superblock, you must "
			"also specify the block size");
		return -1;
	}
	cur.image = strdup(image);
	cur.extj = extj ? strdup(extj) : NULL;
	if (!cur.image || (extj && !cur.extj)) {
		com_err(prog, ENOMEM, "while opening %s", image);
		dfc_close();
		return -1;
	}
	if (open_fs(NULL)) {
		dfc_close();
		return -1;
	}
	cur.root = cur.cwd = EXT2_ROOT_INO;
	return 0;
}

static void open_usage(void)
{
	com_err(0, 0, "Usage: open [-c] [-n] [-b blocksize] [-s superblock] "
		"[-j extjournal] image");
}

/*
 * The options open and the command line share (-b -c -j -n -s), parsed
 * into cur and *extj.  Returns 1 for one of them, -1 when its argument
 * is bad (reported as cmd's), 0 for any other option.
 */
static int open_option(int c, const char *cmd, const char **extj)
{
	switch (c) {
	case 'c':
		cur.catastrophic = 1;
		return 1;
	case 'n':
		cur.open_flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
		return 1;
	case 'b':
		return dfc_parse_blk(optarg, cmd, "block size",
				     &cur.blocksize) ? -1 : 1;
	case 's':
		return dfc_parse_blk(optarg, cmd, "superblock block number",
				     &cur.superblock) ? -1 : 1;
	case 'j':
		*extj = optarg;
		return 1;
	}
	return 0;
}

void do_open(int argc, char **argv, int sci_idx, void *infop)
{
	const char *extj = NULL;
	int c, r;

	cur.open_flags = EXT2_FLAG_64BITS | EXT2_FLAG_SOFTSUPP_FEATURES |
		EXT2_FLAG_RW;
	cur.catastrophic = 0;
	cur.superblock = cur.blocksize = 0;
	dfc_reset_getopt();
	while ((c = getopt(argc, argv, "cnb:s:j:")) != -1) {
		r = open_option(c, argv[0], &extj);
		if (r < 0)
			return;
		if (!r) {
			open_usage();
			return;
		}
	}
	if (optind != argc - 1) {
		open_usage();
		return;
	}
	dfc_open(argv[optind], extj);
}

void do_close(int argc, char **argv, int sci_idx, void *infop)
{
	if (!dfc_check_open(argv[0]))
		dfc_close();
}

/* ---- journal ------------------------------------------------------------ */

static int parse_until(const char *arg, unsigned *n)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || arg[0] == '-' || arg[0] == '+') {
		com_err("fc_replay", 0, "--until-commit takes a number of "
			"fast commits, not '%s'", arg);
		return -1;
	}
	if (errno || v >= UINT_MAX) {
		com_err("fc_replay", 0, "--until-commit %s is out of range "
			"(at most %u)", arg, UINT_MAX - 1);
		return -1;
	}
	*n = v;
	return 0;
}

/* after the replay the file system is opened again on the same overlay,
 * as debugfs would open the recovered copy (bitmaps read in full);
 * e2fc_recover flushed everything: the old handle is freed without a
 * close, which would count the replay in s_kbytes_written */
static int reopen(void)
{
	io_channel hold = cur.fs->io;
	const char *opts = e2fc_overlay_reopen_options(hold);
	int ret;

	io_channel_bumpcount(hold);
	cur.fs->flags &= ~EXT2_FLAG_DIRTY;
	ext2fs_free(cur.fs);
	cur.fs = NULL;
	ret = open_fs(opts);
	io_channel_close(hold);
	return ret;
}

/* the replay in memory, then the file system opened again on it */
static int replay(const struct e2fc_replay_opts *ro,
		  struct e2fc_replay_stats *st)
{
	struct e2fc_loaded s;
	const char *what;
	errcode_t err;

	err = e2fc_load(cur.fs, cur.extj, E2FC_JOPEN_OVERLAY | E2FC_JOPEN_RW,
			&s, &what);
	if (err) {
		com_err(prog, err, "while %s", what);
		return -1;
	}
	err = e2fc_recover(&cur.fs, s.j, s.log, s.fc, ro, st);
	e2fc_unload(&s);
	if (err && e2fc_verify_error(err)) {
		com_err(prog, err, "in inode %u while replaying the journal "
			"(in memory; replay refused)", st->verify_ino);
		return -1;
	}
	if (err) {
		com_err(prog, err, "while replaying the journal (in memory)");
		return -1;
	}
	return reopen();
}

void do_fc_replay(int argc, char **argv, int sci_idx, void *infop)
{
	static const struct option lo[] = {
		{ "until-commit", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct e2fc_replay_opts ro;
	struct e2fc_replay_stats st;
	int c;

	memset(&ro, 0, sizeof(ro));
	ro.until_commit = ~0U;
	dfc_reset_getopt();
	while ((c = getopt_long(argc, argv, "u:", lo, NULL)) != -1) {
		if (c != 'u' || parse_until(optarg, &ro.until_commit))
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (dfc_check_open(argv[0]))
		return;
	if (!ext2fs_has_feature_journal_needs_recovery(cur.fs->super)) {
		printf("%s: the journal is clean: nothing to replay\n",
		       cur.image);
		return;
	}
	memset(&st, 0, sizeof(st));
	if (replay(&ro, &st)) {
		dfc_close();
		return;
	}
	cur.replayed = 1;
	cur.root = cur.cwd = EXT2_ROOT_INO;
	printf("replayed in memory: %u transactions (%u blocks), %u fast "
	       "commits (%u tags); %s is unchanged\n", st.log_trans,
	       st.log_blocks, st.fc_commits, st.fc_tags, cur.image);
	return;
usage:
	com_err(0, 0, "Usage: fc_replay [--until-commit N]");
}

/* ---- overlay_save ------------------------------------------------------- */

/* the blocks the overlay holds, read through it, onto the copy */
static errcode_t save_overlay(const char *dst)
{
	unsigned bs = cur.fs->blocksize;
	blk64_t *list;
	size_t i, n;
	errcode_t err;
	char *buf;
	int fd;

	err = e2fc_overlay_blocks(cur.fs->io, bs, &list, &n);
	if (err)
		return err;
	buf = malloc(bs);
	fd = open(dst, O_WRONLY);
	if (!buf || fd < 0)
		err = buf ? errno : ENOMEM;
	for (i = 0; i < n && !err; i++) {
		err = io_channel_read_blk64(cur.fs->io, list[i], 1, buf);
		if (!err && pwrite(fd, buf, bs, (off_t)list[i] * bs) !=
		    (ssize_t)bs)
			err = errno ? errno : ENOSPC;
	}
	if (fd >= 0 && fsync(fd) && !err)
		err = errno;
	if (fd >= 0 && close(fd) && !err)
		err = errno;
	free(buf);
	ext2fs_free_mem(&list);
	return err;
}

void do_overlay_save(int argc, char **argv, int sci_idx, void *infop)
{
	const char *dst;
	errcode_t err;
	int fd;

	if (dfc_args(argc, argv, 2, 2, NULL, "<new image file>", 0))
		return;
	dst = argv[1];
	/* a new file only: never the image, never anything that exists */
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		com_err(argv[0], errno, "while creating %s (overlay_save "
			"writes a new file only)", dst);
		return;
	}
	close(fd);
	err = e2fc_copy_sparse(cur.image, dst);
	if (!err)
		err = save_overlay(dst);
	if (err) {
		com_err(argv[0], err, "while writing %s", dst);
		unlink(dst);
	}
}

/* ---- main --------------------------------------------------------------- */

static int request_failed;

/* com_err's usual format; remembers that a request failed (exit 1) */
static void err_hook(const char *whoami, errcode_t code, const char *fmt,
		     va_list args)
{
	request_failed = 1;
	fflush(stdout);
	if (whoami)
		fprintf(stderr, "%s: ", whoami);
	if (code)
		fprintf(stderr, "%s ", error_message(code));
	if (fmt)
		vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s [-b blocksize] [-s superblock] [-f cmd_file] "
		"[-R request]... [-j extjournal] [-n] [-c] [-V] [image]\n",
		prog);
}

/* one request line; a write error on stdout is reported once */
static int run_line(int sci_idx, char *line)
{
	static int write_failed;
	int err = ss_execute_line(sci_idx, line);

	if (err) {
		ss_perror(sci_idx, err, line);
		request_failed = 1;
	}
	if ((fflush(stdout) || ferror(stdout)) && !write_failed) {
		write_failed = 1;
		com_err(prog, errno ? errno : EIO,
			"while writing the output of %s", line);
	}
	return err ? 1 : 0;
}

static int run_file(int sci_idx, const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char line[BUFSIZ];
	int ret = 0;

	if (!f) {
		com_err(prog, errno, "while opening %s", file);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			fputs(line, stdout);
			continue;
		}
		line[strcspn(line, "\r\n")] = 0;
		printf("%s: %s\n", prog, line);
		ret |= run_line(sci_idx, line);
	}
	if (f != stdin)
		fclose(f);
	return ret;
}

struct action {
	int	file;		/* -f (else -R) */
	char	*arg;
};

static int parse_opts(int argc, char **argv, const char **extj,
		      struct action *acts, int *nacts)
{
	int c, r;

	cur.open_flags = EXT2_FLAG_64BITS | EXT2_FLAG_SOFTSUPP_FEATURES |
		EXT2_FLAG_RW;
	while ((c = getopt(argc, argv, "b:cf:hj:nR:s:V")) != -1) {
		r = open_option(c, prog, extj);
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (c) {
		case 'R':
		case 'f':
			acts[*nacts].file = c == 'f';
			acts[(*nacts)++].arg = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			/* as debugfs -V: on stderr, the library line last */
			fprintf(stderr, "%s %s (libext2fs %s)\n\tUsing %s\n",
				prog, e2fc_version(), e2fc_ext2fs_version(),
				error_message(EXT2_ET_BASE));
			exit(0);
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc - 1) {
		usage(stderr);
		return 1;
	}
	return 0;
}

static int run(int sci_idx, struct action *acts, int n)
{
	int i, ret = 0;

	if (!n) {
		ss_listen(sci_idx);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (acts[i].file) {
			ret |= run_file(sci_idx, acts[i].arg);
		} else {
			ret |= run_line(sci_idx, acts[i].arg);
		}
	}
	return ret;
}

int main(int argc, char **argv)
{
	const char *extj = NULL, *slash;
	struct action *acts;
	int sci_idx, ret = 0, err, nacts = 0;

	slash = strrchr(argv[0], '/');
	prog = slash ? slash + 1 : argv[0];
	argv[0] = (char *)prog;	/* getopt's messages name it so */
	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	set_com_err_hook(err_hook);
	acts = calloc(argc, sizeof(*acts));
	if (!acts || parse_opts(argc, argv, &extj, acts, &nacts)) {
		free(acts);
		return 1;
	}
	sci_idx = ss_create_invocation(prog, E2FC_VERSION, NULL, &debug_cmds,
				       &err);
	if (err) {
		com_err(prog, err, "while creating the command shell");
		free(acts);
		return 1;
	}
	ss_add_request_table(sci_idx, &ss_std_requests, 1, &err);
	if (optind == argc - 1 && dfc_open(argv[optind], extj))
		ret = 1;
	ret |= run(sci_idx, acts, nacts);
	ss_delete_invocation(sci_idx);
	dfc_close();
	free(acts);
	if (fclose(stdout) && !ret) {
		fprintf(stderr, "%s: %s while writing the output\n", prog,
			strerror(errno));
		ret = 1;
	}
	return ret || request_failed;
}
