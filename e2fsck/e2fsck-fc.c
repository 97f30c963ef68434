// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fsck-fc.c -- e2fsck front end: recover an unclean ext4 image with
 * libe2fc (full jbd2 replay, then the fast commits), then run the system
 * e2fsck for the full check.
 *
 * Exit codes are e2fsck's: 0 clean, 4 recovery needed (-n) or refused
 * (hostile fast-commit data; nothing written), 8 operational error
 * (also: mounted, no terminal, journal that cannot be replayed), 16 usage,
 * 32 stopped by a signal; after a recovery the system e2fsck's own code.
 * Nothing is written before the checks in fcsk_safe.c have passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "fcsk.h"
#include "libe2fc.h"

const char *fcsk_prog = "e2fsck-fc";
#define prog fcsk_prog

static int said_why;	/* a usage error was explained: no usage text */
static int args_exit = EXIT_USAGE;	/* EXIT_ERROR: out of memory */

#define MAX_PASS	64

struct opts {
	char		mode;		/* 'p', 'n', 'y' or 0 */
	int		force;
	int		progress_fd;	/* -C fd, -1 none */
	const char	*progress_arg;	/* -C as given, for the e2fsck pass */
	const char	*extj;
	const char	*undo;
	int		journal_only;
	const char	*output;
	int		overwrite;	/* --overwrite: replace --output */
	unsigned	until_commit;
	int		json;
	blk64_t		superblock;	/* -b, 0 the primary */
	unsigned	blocksize;	/* -B, 0 any */
	char		*ext_pass;	/* -E options for the e2fsck pass */
	const char	*pass[MAX_PASS];	/* other e2fsck options */
	int		npass;
	const char	*device;
};

struct state {
	struct opts		*o;
	const char		*target;	/* device or --output file */
	char			*jcopy;		/* --output copy of -j */
	char			*undo2;		/* the e2fsck pass's undo */
	ext2_filsys		fs;
	struct e2fc_journal	*j;
	struct e2fc_log		*log;
	struct e2fc_fc		*fc;
	int			needs_recovery;
	int			lock_fd;
	int			made_output;	/* we created --output */
	blk64_t			sb_used;	/* backup superblock read */
	unsigned		bs_used;
	int			wrote;		/* e2fc wrote the target */
	int			csum_error;	/* log blocks failed their
						 * checksum: recovery failed */
	struct e2fc_replay_stats stats;
	FILE			*out;		/* messages: stdout, or stderr
						 * with --json */
	struct {			/* kept for --json after closing */
		unsigned	trans, expected_tid, ncommits, replay;
		const char	*state;
	} sum;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-p|-a|-n|-y] [-f] [-C fd] [-j extjournal] "
		"[-z undo_file]\n"
		"\t[-b superblock] [-B blocksize] [-E extended-options] "
		"[--output FILE [--overwrite]]\n"
		"\t[--until-commit N] [--json] [e2fsck options] device\n\n"
		" -p, -a               recover and check without questions\n"
		" -n                   open nothing for writing: print the "
		"replay plan\n"
		" -y                   recover and answer yes to every "
		"question\n"
		" -f                   force the full check\n"
		" -C fd                progress to fd (0: a bar on the "
		"terminal)\n"
		" -j extjournal        external journal device\n"
		" -z undo_file         one undo file for the whole run "
		"(e2undo)\n"
		" -b superblock        use this backup superblock\n"
		" -B blocksize         its block size\n"
		" -E journal_only      recover the journal, then stop\n"
		" --output FILE        recover into a copy; the device stays "
		"untouched\n"
		" --overwrite          let --output replace an existing "
		"file\n"
		" --until-commit N     replay only the first N fast commits\n"
		" --json               machine-readable report on stdout\n"
		" -h, --help           this help;  -V, --version\n"
		"Other e2fsck options (-c -d -D -F -k -l -L -r -t -v -E ...) "
		"go to the e2fsck pass.\n", prog);
}

static void cleanup(struct state *s)
{
	e2fc_fc_free(s->fc);
	e2fc_log_free(s->log);
	e2fc_journal_close(s->j);
	s->fc = NULL;
	s->log = NULL;
	s->j = NULL;
	/* read-only, or an overlay already written back (or refused):
	 * nothing of it is to be written */
	e2fc_fs_discard(&s->fs);
}

/* e2fsck 1.47's extended options; all but journal_only go to its pass */
static int e2fsck_extended(const char *tok)
{
	static const char *const names[] = {
		"bmap2extent", "check_encoding", "clear_all_uninit_bits",
		"discard", "ea_ver", "fixes_only", "fragcheck",
		"inode_count_fullmap", "log_filename", "no_inode_count_fullmap",
		"no_optimize_extents", "nodiscard", "optimize_extents",
		"problem_log", "readahead_kb", "unshare_blocks", NULL
	};
	size_t len = strcspn(tok, "=");
	int i;

	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == len && !strncmp(tok, names[i], len))
			return 1;
	return 0;
}

static int add_ext_pass(struct opts *o, const char *tok)
{
	size_t len = (o->ext_pass ? strlen(o->ext_pass) + 1 : 0) +
		     strlen(tok) + 1;
	char *p = realloc(o->ext_pass, len);

	if (!p)
		return -1;
	if (o->ext_pass)
		strcat(p, ",");
	else
		p[0] = 0;
	strcat(p, tok);
	o->ext_pass = p;
	return 0;
}

static int parse_extended(struct opts *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!copy) {
		said_why = 1;
		args_exit = EXIT_ERROR;
		com_err(prog, EXT2_ET_NO_MEMORY,
			"while parsing the extended options");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "journal_only")) {
			o->journal_only = 1;
		} else if (e2fsck_extended(tok)) {
			ret = add_ext_pass(o, tok);
		} else {
			said_why = 1;
			fprintf(stderr, "%s: unknown extended option: %s\n",
				prog, tok);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}

static int set_mode(struct opts *o, char m)
{
	if (o->mode && o->mode != m) {
		said_why = 1;
		fprintf(stderr, "%s: only one of the options -p/-a, -n or -y "
			"may be specified\n", prog);
		return -1;
	}
	o->mode = m;
	return 0;
}

/* a number in [min, max]; else say why */
static int parse_num(const char *opt, const char *arg,
		     unsigned long long min, unsigned long long max,
		     unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 0);
	if (!*arg || *end || arg[0] == '-' || errno || *v < min || *v > max) {
		said_why = 1;
		fprintf(stderr, "%s: invalid argument to %s: \"%s\" (a number "
			"from %llu to %llu)\n", prog, opt, arg, min, max);
		return -1;
	}
	return 0;
}

/* -C fd: e2fsck takes a negative fd too (util-linux fsck's -C -N when it
 * checks in parallel: no progress until SIGUSR1); we show none then */
static int parse_progress(struct opts *o, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v > INT_MAX || v < -INT_MAX) {
		said_why = 1;
		fprintf(stderr, "%s: invalid argument to -C: \"%s\" (a file "
			"descriptor number)\n", prog, arg);
		return -1;
	}
	o->progress_arg = arg;
	o->progress_fd = v >= 0 ? (int)v : -1;
	return 0;
}

static int parse_blocksize(struct opts *o, const char *arg)
{
	unsigned long long v;

	if (parse_num("-B", arg, 1024, 65536, &v))
		return -1;
	if (v & (v - 1)) {
		said_why = 1;
		fprintf(stderr, "%s: invalid argument to -B: \"%s\" (a power "
			"of two from 1024 to 65536)\n", prog, arg);
		return -1;
	}
	o->blocksize = (unsigned)v;
	return 0;
}

static int add_pass(struct opts *o, int c, const char *arg)
{
	static char flags[128][3];

	if (o->npass + 2 > MAX_PASS) {
		said_why = 1;
		fprintf(stderr, "%s: too many options\n", prog);
		return -1;
	}
	flags[c][0] = '-';
	flags[c][1] = (char)c;
	o->pass[o->npass++] = flags[c];
	if (arg)
		o->pass[o->npass++] = arg;
	return 0;
}

/* -f, --overwrite, --json */
static int set_flag(struct opts *o, int c)
{
	*(c == 'f' ? &o->force : c == 'W' ? &o->overwrite : &o->json) = 1;
	return 0;
}

/* -j, -z and --output name a file */
static int set_file(struct opts *o, int c, const char *arg)
{
	*(c == 'j' ? &o->extj : c == 'z' ? &o->undo : &o->output) = arg;
	return 0;
}

static int parse_opt(struct opts *o, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case 'p': case 'a': case 'n': case 'y':
		return set_mode(o, c == 'a' ? 'p' : c);
	case 'f': case 'W': case 'J':
		return set_flag(o, c);
	case 'j': case 'z': case 'O':
		return set_file(o, c, arg);
	case 'C':
		return parse_progress(o, arg);
	case 'E':
		return parse_extended(o, arg);
	case 'b':
		if (parse_num("-b", arg, 1, ~0ULL >> 1, &v))
			return -1;
		o->superblock = v;
		return 0;
	case 'B':
		return parse_blocksize(o, arg);
	case 'U':
		if (parse_num("--until-commit", arg, 0, UINT32_MAX, &v))
			return -1;
		o->until_commit = (unsigned)v;
		return 0;
	case 'I': case 'P': case 'l': case 'L': case 'N': case 'M':
		return add_pass(o, c, arg);
	case 'r': case 'c': case 'd': case 'v': case 't': case 'F':
	case 'D': case 'k': case 's': case 'S':
		return add_pass(o, c, NULL);
	default:
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'O' },
		{ "overwrite", no_argument, NULL, 'W' },
		E2FC_LONGOPT_UNTIL,
		E2FC_LONGOPT_JSON,
		E2FC_LONGOPT_HELP,
		E2FC_LONGOPT_END
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->progress_fd = -1;
	o->until_commit = ~0U;
	while ((c = getopt_long(argc, argv,
				"panyrcC:B:dE:fvtFVM:b:I:j:P:l:L:N:SsDkz:h",
				longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(EXIT_OK);
		}
		if (c == 'V') {
			printf("%s %s (libext2fs %s)\n", prog, e2fc_version(),
			       e2fc_ext2fs_version());
			exit(EXIT_OK);
		}
		if (parse_opt(o, c, optarg))
			return -1;
	}
	if (optind != argc - 1)
		return -1;
	o->device = argv[optind];
	if (o->mode == 'n' && (o->undo || o->output)) {
		said_why = 1;
		fprintf(stderr, "%s: -n cannot be used with -z or --output\n",
			prog);
		return -1;
	}
	if (o->overwrite && !o->output) {
		said_why = 1;
		fprintf(stderr, "%s: --overwrite needs --output\n", prog);
		return -1;
	}
	return 0;
}

/* the transactions a replay applies */
static unsigned log_complete(const struct e2fc_log *log)
{
	return e2fc_log_replayed_trans(log);
}

static int primary_bad(errcode_t err)
{
	return err == EXT2_ET_BAD_MAGIC || err == EXT2_ET_SB_CSUM_INVALID ||
	       err == EXT2_ET_CORRUPT_SUPERBLOCK;
}

/* e2fsck's search: the first backup (group 1) for each block size */
static errcode_t open_backup(struct state *s, const char *name, int flags,
			     io_manager io)
{
	unsigned bs;
	blk64_t sb;
	errcode_t err = EXT2_ET_BAD_MAGIC;

	for (bs = 1024; bs <= 65536; bs <<= 1) {
		if (s->o->blocksize && bs != s->o->blocksize)
			continue;
		sb = (blk64_t)bs * 8 + (bs == 1024);
		err = ext2fs_open(name, flags, (int)sb, bs, io, &s->fs);
		if (!err) {
			s->sb_used = sb;
			s->bs_used = bs;
			return 0;
		}
	}
	return err;
}

/* the primary superblock, or -b, or (not under -p, as e2fsck) a backup
 * when the primary is unreadable */
static errcode_t open_fs(struct state *s, const char *name, int flags,
			 io_manager io)
{
	errcode_t err;

	if (s->o->superblock) {
		if (!s->o->blocksize)
			return open_backup(s, name, flags, io);
		s->sb_used = s->o->superblock;
		s->bs_used = s->o->blocksize;
		return ext2fs_open(name, flags, (int)s->sb_used, s->bs_used,
				   io, &s->fs);
	}
	err = e2fc_fs_open(name, flags, 0, 0, io, &s->fs);
	if (!primary_bad(err) || s->o->mode == 'p')
		return err;
	fprintf(s->out, "%s: Superblock invalid, trying backup blocks...\n",
		prog);
	if (open_backup(s, name, flags, io))
		return err;
	fprintf(s->out, "%s: using the backup superblock %llu (block size "
		"%u)\n", name, (unsigned long long)s->sb_used, s->bs_used);
	return 0;
}

/*
 * A backup superblock never says needs_recovery: the journal superblock
 * says whether there is a log (e2fsck: "run journal anyway").  For the
 * replay the primary superblock and group 0's descriptors are rebuilt
 * from the backup in the overlay first; the write-back writes them.
 */
static errcode_t backup_view(struct state *s, int rw)
{
	ext2_filsys fs = s->fs;

	if (!s->sb_used || !s->j || !s->j->sb.start)
		return 0;
	s->needs_recovery = 1;
	if (!rw)
		return 0;
	ext2fs_set_feature_journal_needs_recovery(fs->super);
	fs->now = fs->super->s_wtime;
	fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	ext2fs_mark_super_dirty(fs);
	return ext2fs_flush(fs);
}

/* the journal itself is broken (not a missing or wrong -j, not an I/O
 * error): e2fsck alone would repair it */
static int journal_broken(errcode_t err)
{
	return err == E2FC_ERR_JSB_MAGIC || err == E2FC_ERR_JSB_VERSION ||
	       err == E2FC_ERR_JSB_GEOMETRY || err == E2FC_ERR_JSB_BLOCKSIZE ||
	       err == E2FC_ERR_JOURNAL_SHORT || err == E2FC_ERR_JOURNAL_HOLE ||
	       err == E2FC_ERR_JOURNAL_OVERLAP ||
	       err == E2FC_ERR_UNSUPP_JOURNAL_FEATURE;
}

/* the journal cannot be read at all: say why; e2fsck alone decides */
static int unreplayable(struct state *s, const char *name, errcode_t err,
			const char *what)
{
	com_err(prog, err, "while %s of %s", what, name);
	if (!journal_broken(err))
		return EXIT_ERROR;
	fprintf(s->out, "%s: the journal cannot be replayed; %s\n", name,
		s->o->mode == 'n' || s->o->journal_only ? "nothing done" :
		"the e2fsck pass checks the file system as e2fsck alone "
		"would");
	return s->o->mode == 'n' || s->o->journal_only ? EXIT_ERROR : -1;
}

/* open target and read journal, log and FC area; -1: hand the file
 * system to the e2fsck pass without a replay */
static int load(struct state *s, const char *name, io_manager io, int rw)
{
	int flags = EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0);
	const char *extj = s->jcopy ? s->jcopy : s->o->extj;
	struct e2fc_loaded ld;
	const char *what;
	errcode_t err;

	err = open_fs(s, name, flags, io);
	if (err) {
		com_err(prog, err, "while trying to open %s", name);
		return EXIT_ERROR;
	}
	s->needs_recovery =
		ext2fs_has_feature_journal_needs_recovery(s->fs->super);
	if (!ext2fs_has_feature_journal(s->fs->super))
		return EXIT_OK;
	err = e2fc_load(s->fs, extj, rw ? E2FC_JOPEN_OVERLAY : 0, &ld, &what);
	if (err)
		return unreplayable(s, name, err, what);
	s->j = ld.j;
	s->log = ld.log;
	s->fc = ld.fc;
	s->sum.trans = log_complete(s->log);
	s->sum.expected_tid = s->log->expected_tid;
	s->sum.ncommits = s->fc->ncommits;
	s->sum.replay = s->fc->replay_commits;
	s->sum.state = e2fc_fc_state_name(s->fc->state);
	err = backup_view(s, rw);
	if (err) {
		com_err(prog, err, "while rebuilding the primary superblock "
			"of %s from the backup", name);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static unsigned fc_planned(const struct state *s)
{
	unsigned n = s->sum.replay;

	return n < s->o->until_commit ? n : s->o->until_commit;
}

/* the orphans the replay of the log leaves (fc_orphan.c) */
static void print_plan_orphans(struct state *s)
{
	unsigned nl = 0, nf = 0;

	if (e2fc_orphans_count(s->fs, s->j, s->log, &nl, &nf) ||
	    (!nl && !nf))
		return;
	fprintf(s->out, "  orphans: %u on the orphan list, %u in the orphan "
		"file: links 0 freed, others truncated to their size\n",
		nl, nf);
}

/* what the replay does with the blocks of t (e2fc_log_block_fate) */
static void print_plan_trans(struct state *s, const struct e2fc_log_trans *t)
{
	blk64_t nblocks = ext2fs_blocks_count(s->fs->super);
	unsigned b, n[E2FC_LB_OUTSIDE + 1] = { 0 };

	for (b = t->first_lb; b < t->first_lb + t->ndata; b++)
		n[e2fc_log_block_fate(s->log, &s->log->blocks[b], nblocks)]++;
	fprintf(s->out, "  transaction %u: write %u blocks (%u revoked",
		t->tid, n[E2FC_LB_WRITE], n[E2FC_LB_REVOKED]);
	if (n[E2FC_LB_BAD_CSUM])
		fprintf(s->out, ", %u with a bad checksum",
			n[E2FC_LB_BAD_CSUM]);
	if (n[E2FC_LB_OUTSIDE])
		fprintf(s->out, ", %u past the end", n[E2FC_LB_OUTSIDE]);
	fputs(")\n", s->out);
}

static void print_plan(struct state *s)
{
	const struct e2fc_log *log = s->log;
	const struct e2fc_fc *fc = s->fc;
	FILE *f = s->out;
	unsigned i, k, n = fc_planned(s);

	fprintf(f, "%s: needs recovery: %u journal transactions, %u of %u "
		"fast commits (area %s)\n", s->o->device, log_complete(log),
		n, fc ? fc->ncommits : 0,
		fc ? e2fc_fc_state_name(fc->state) : "none");
	fputs("Replay plan:\n", f);
	for (i = 0; i < log_complete(log); i++)
		print_plan_trans(s, &log->trans[i]);
	for (i = 0; i < n; i++) {
		const struct e2fc_commit *c = &fc->commits[i];

		fprintf(f, "  fast commit %u (tid %u):\n", i, c->tid);
		for (k = c->first_tag; k < c->first_tag + c->ntags; k++) {
			uint16_t tag = fc->tags[k].tag;

			if (tag == EXT4_FC_TAG_HEAD || tag == EXT4_FC_TAG_PAD ||
			    tag == EXT4_FC_TAG_TAIL)
				continue;
			fputs("    ", f);
			e2fc_describe_tag(f, &fc->tags[k]);
			fputc('\n', f);
		}
	}
	print_plan_orphans(s);
	n = e2fc_log_bad_data(log);
	if (n)
		fprintf(f, "  %u journal blocks fail their checksum: skipped; "
			"the recovery would fail and mark the file system "
			"not clean\n", n);
	fputs("Recovery needed; nothing was written.\n", f);
}

static void progress(void *arg, unsigned done, unsigned total)
{
	struct state *s = arg;
	int fd = s->o->progress_fd;
	char buf[128];
	int n, w;

	if (fd < 0 || !total)
		return;
	if (fd == 0) {		/* the bar; stdout holds the JSON */
		FILE *f = s->o->json ? stderr : stdout;

		if (!isatty(fileno(f)))
			return;
		w = (int)(40ULL * done / total);
		fprintf(f, "\r%s: recovering |%.*s%*s| %3u%%", prog, w,
			"========================================", 40 - w, "",
			(unsigned)(100ULL * done / total));
		if (done == total)
			fputc('\n', f);
		fflush(f);
		return;
	}
	if (fd == 1 && s->o->json)
		fd = 2;
	/* e2fsck's -C fd format: pass current max device */
	n = snprintf(buf, sizeof(buf), "0 %u %u %s\n", done, total,
		     s->o->device);
	if (write(fd, buf, n) < 0)
		s->o->progress_fd = -1;
}

static int output_refused(const struct state *s, const char *name)
{
	struct stat st;

	if (fcsk_same_file(name, s->o->device) ||
	    fcsk_same_file(name, s->o->extj)) {
		fprintf(stderr, "%s: %s is %s; refusing to write it\n", prog,
			name, fcsk_same_file(name, s->o->device) ?
			"the file system being recovered" :
			"its external journal");
		return EXIT_ERROR;
	}
	if (lstat(name, &st) < 0)
		return EXIT_OK;
	if (!s->o->overwrite) {
		fprintf(stderr, "%s: %s exists; give --overwrite to replace "
			"it\n", prog, name);
		return EXIT_ERROR;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s is not a regular file; refusing to "
			"replace it\n", prog, name);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static char *journal_copy_name(const char *output)
{
	size_t len = strlen(output) + sizeof(".journal");
	char *name = malloc(len);

	if (name)
		snprintf(name, len, "%s.journal", output);
	return name;
}

/* --output never writes onto an input; checked before anything opens */
static int check_output(struct state *s)
{
	int ret = output_refused(s, s->o->output);

	if (ret || !s->o->extj)
		return ret;
	s->jcopy = journal_copy_name(s->o->output);
	if (!s->jcopy) {
		com_err(prog, EXT2_ET_NO_MEMORY, "while naming the copy of %s",
			s->o->extj);
		return EXIT_ERROR;
	}
	return output_refused(s, s->jcopy);
}

static void remove_output(struct state *s)
{
	if (!s->made_output)
		return;
	unlink(s->o->output);
	if (s->jcopy)
		unlink(s->jcopy);
	s->made_output = 0;
}

static int copy_to(struct state *s, const char *src, const char *dst)
{
	errcode_t err;

	if (s->o->overwrite && unlink(dst) < 0 && errno != ENOENT) {
		com_err(prog, errno, "while removing %s", dst);
		return EXIT_ERROR;
	}
	s->made_output = 1;
	err = e2fc_copy_sparse(src, dst);
	if (err) {
		com_err(prog, err, "while copying %s to %s", src, dst);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int prepare_output(struct state *s)
{
	int ret = copy_to(s, s->o->device, s->o->output);

	if (!ret && s->o->extj) {	/* the journal is reset: copy it too */
		ret = copy_to(s, s->o->extj, s->jcopy);
		if (!ret)
			fprintf(s->out, "%s: external journal copied to %s\n",
				prog, s->jcopy);
	}
	if (ret)
		remove_output(s);
	else
		s->target = s->o->output;
	return ret;
}

static io_manager writer_io(struct state *s)
{
	errcode_t err;

	if (!s->o->undo)
		return unix_io_manager;
	if (unlink(s->o->undo) < 0 && errno != ENOENT) {
		com_err(prog, errno, "while removing old undo file %s",
			s->o->undo);
		return NULL;
	}
	err = set_undo_io_backing_manager(unix_io_manager);
	if (!err)
		err = set_undo_io_backup_file((char *)s->o->undo);
	if (err) {
		com_err(prog, err, "while setting up undo file %s",
			s->o->undo);
		return NULL;
	}
	fprintf(s->out, "Overwriting existing filesystem; this can be undone "
		"using the command:\n    e2undo %s %s\n\n", s->o->undo,
		s->target);
	return undo_io_manager;
}

/* what the orphan processing after the replay did (fc_orphan.c) */
static void print_orphans(struct state *s)
{
	const struct e2fc_replay_stats *st = &s->stats;

	if (st->orphans_freed || st->orphans_truncated)
		fprintf(s->out, "%s: orphans: %u freed, %u truncated\n",
			s->target, st->orphans_freed, st->orphans_truncated);
	if (st->orphans_bad)
		fprintf(s->out, "%s: orphans: %u skipped (%s: inode %u), left "
			"to e2fsck\n", s->target, st->orphans_bad,
			error_message(st->orphan_err), st->orphan_ino);
}

/* e2fsck's preen form of a refusal it cannot settle alone (exit 4) */
static int preen_halt(struct state *s, int ret)
{
	if (s->o->mode == 'p' && ret == EXIT_UNCORRECTED)
		fprintf(stderr, "\n\n%s: UNEXPECTED INCONSISTENCY; RUN fsck "
			"MANUALLY.\n\t(i.e., without -a or -p options)\n",
			s->o->device);
	return ret;
}

static int refuse(struct state *s, errcode_t err, const char *what,
		  unsigned bc, unsigned bt)
{
	if (what)
		com_err(prog, err, "while checking the journal superblock of "
			"%s (recovery refused; nothing was written)",
			s->target);
	else
		com_err(prog, err, "while checking fast commit %u, tag %u "
			"(recovery refused; nothing was written)", bc, bt);
	return preen_halt(s, EXIT_UNCORRECTED);
}

/* the replay made in memory would leave the file system inconsistent
 * (fc_verify.c): refused as corrupt fast commits are */
static int refuse_result(struct state *s, errcode_t err, int log_written)
{
	com_err(prog, err, "in inode %u after replaying the fast commits of "
		"%s (recovery refused; %s)", s->stats.verify_ino, s->target,
		log_written ? "only the full transactions were written" :
		"nothing was written");
	return preen_halt(s, EXIT_UNCORRECTED);
}

static void print_done(struct state *s, const struct e2fc_writeback_stats *cs)
{
	fprintf(s->out, "%s: replayed %u transactions (%u blocks, %u "
		"revoked), %u fast commits (%u tags)\n", s->target,
		s->stats.log_trans, s->stats.log_blocks, s->stats.log_revoked,
		s->stats.fc_commits, s->stats.fc_tags);
	print_orphans(s);
	if (cs->journaled)
		fprintf(s->out, "%s: wrote %u blocks, first as journal "
			"transaction %u (%u journal blocks)\n", s->target,
			cs->blocks, cs->tid, cs->log_blocks);
	else
		fprintf(s->out, "%s: wrote %u blocks\n", s->target,
			cs->blocks);
}

/*
 * Logged blocks failed their checksum: skipped, the rest replayed, the
 * recovery failed, as in the kernel (the mount fails) and e2fsck (the file
 * system is marked not clean, then checked in full, even with -E
 * journal_only): the e2fsck pass sees the state e2fc_recover() left.
 */
static void csum_failed(struct state *s)
{
	com_err(prog, E2FC_ERR_LOG_DATA_CSUM, "while recovering the journal "
		"of %s (%u blocks skipped; the file system is marked not "
		"clean)", s->target, s->stats.log_bad_csum);
	s->csum_error = 1;
}

/* the log ends at a corrupt commit block: the same, with no block
 * skipped (the kernel's "journal transaction N is corrupt") */
static void commit_failed(struct state *s)
{
	com_err(prog, E2FC_ERR_LOG_COMMIT_CSUM, "in transaction %u while "
		"recovering the journal of %s (not replayed; the file system "
		"is marked not clean)", s->stats.log_failed_commit - 1,
		s->target);
	s->csum_error = 1;
}

static int stopped(struct state *s)
{
	fprintf(s->out, "%s: stopped by signal %d; nothing was written\n",
		s->target, (int)fcsk_stop);
	return EXIT_CANCELED;
}

/* the replay changed something (on the device or an external journal) */
static int wrote_overlay(const struct state *s)
{
	return e2fc_overlay_units(s->fs->io) ||
	       (s->j && s->j->external && e2fc_overlay_units(s->j->ext_io));
}

/*
 * The replay runs on the overlay (all writes in memory); e2fc_writeback()
 * then writes the changed blocks to the target through io, in an order
 * that a power cut cannot spoil (lib/ext2fs/fc_writeback.c).  A signal
 * before the write-back (during the replay in memory) stops the run with
 * nothing written; one during it is acted on after it.  Returns -1 when the journal cannot be replayed
 * and the e2fsck pass is to have the file system as it is.
 */
/* check the plan (*plan: its metadata map, the caller's to free), then
 * recover */
static int recover_plan(struct state *s, struct meta_map **plan)
{
	struct e2fc_replay_opts ro;
	struct e2fc_writeback_stats cs;
	unsigned bad_commit = 0, bad_tag = 0;
	io_manager io = writer_io(s);
	errcode_t err;
	int ret;

	if (!io)
		return EXIT_ERROR;
	ret = load(s, s->target, e2fc_overlay_io_manager, 1);
	if (ret)
		return ret;
	if (!s->j || (!s->needs_recovery && !s->j->sb.start))
		return EXIT_OK;
	if (!s->needs_recovery)
		fprintf(s->out, "%s: the superblock is clean but the journal "
			"holds a log: clearing it without replay\n",
			s->target);
	err = e2fc_journal_check_write(s->j);
	if (err)
		return refuse(s, err, "jsb", 0, 0);
	err = e2fc_replay_check_map(s->fs, s->fc, &bad_commit, &bad_tag, plan);
	if (err)
		return refuse(s, err, NULL, bad_commit, bad_tag);
	memset(&ro, 0, sizeof(ro));
	ro.until_commit = s->o->until_commit;
	ro.plan_checked = 1;	/* just above: one metadata map a run */
	ro.plan_meta = *plan;
	ro.progress = progress;
	ro.progress_arg = s;
	if (s->needs_recovery)
		fprintf(s->out, "%s: recovering journal\n", s->target);
	memset(&cs, 0, sizeof(cs));
	/* a log too big to hold in memory goes to the device first (as a
	 * power cut there, a signal then is acted on after the write-back) */
	err = e2fc_log_prewrite(s->fs, s->j, s->log, s->fc, io, &ro,
				&s->stats);
	if (!err)
		err = e2fc_recover(&s->fs, s->j, s->log, s->fc, &ro,
				   &s->stats);
	if (!err && fcsk_stop && !ro.log_applied)
		return stopped(s);	/* the replay is only in memory yet */
	if (!err && wrote_overlay(s))
		err = e2fc_writeback(s->fs, s->j, s->log,
				     s->stats.fc_commits > 0, io,
				     unix_io_manager, &cs);
	if (err && e2fc_verify_error(err))
		return refuse_result(s, err, ro.log_applied);
	if (err) {
		com_err(prog, err, "while recovering the journal of %s",
			s->target);
		return EXIT_ERROR;
	}
	s->wrote = cs.blocks || s->stats.log_cleared;
	if (s->needs_recovery)
		print_done(s, &cs);
	if (s->stats.log_bad_csum)
		csum_failed(s);
	if (s->stats.log_failed_commit)
		commit_failed(s);
	return EXIT_OK;
}

/* recover_plan, with the plan's metadata map freed after */
static int recover(struct state *s)
{
	struct meta_map *plan = NULL;
	int ret = recover_plan(s, &plan);

	e2fc_meta_free(&plan);
	return ret;
}

/* the e2fsck pass's command line: our options, then those it alone uses */
static int e2fsck_argv(struct state *s, const char **argv, char *mode,
		       char *sb, char *bs)
{
	int argc = 0, i;

	argv[argc++] = E2FSCK_PATH;
	if (s->o->mode) {
		mode[1] = s->o->mode;
		argv[argc++] = mode;
	}
	if (s->o->force)
		argv[argc++] = "-f";
	if (s->o->progress_arg) {
		argv[argc++] = "-C";
		argv[argc++] = s->o->progress_arg;
	}
	if (s->o->extj) {
		argv[argc++] = "-j";
		argv[argc++] = s->jcopy ? s->jcopy : s->o->extj;
	}
	if (s->sb_used && !s->wrote) {	/* the primary is still unreadable */
		argv[argc++] = "-b";
		argv[argc++] = sb;
		argv[argc++] = "-B";
		argv[argc++] = bs;
	}
	if (s->undo2) {
		argv[argc++] = "-z";
		argv[argc++] = s->undo2;
	}
	if (s->o->ext_pass) {
		argv[argc++] = "-E";
		argv[argc++] = s->o->ext_pass;
	}
	for (i = 0; i < s->o->npass; i++)
		argv[argc++] = s->o->pass[i];
	argv[argc++] = s->target;
	argv[argc] = NULL;
	return argc;
}

static int wait_e2fsck(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			com_err(prog, errno, "while waiting for %s",
				E2FSCK_PATH);
			return EXIT_ERROR;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return fcsk_stop ? EXIT_CANCELED : EXIT_ERROR;
}

/* run the system e2fsck on the target with our options */
static int run_e2fsck(struct state *s)
{
	const char *argv[24 + MAX_PASS];
	char mode[3] = "-?", sb[32], bs[16];
	pid_t pid;
	int ret;

	snprintf(sb, sizeof(sb), "%llu", (unsigned long long)s->sb_used);
	snprintf(bs, sizeof(bs), "%u", s->bs_used);
	e2fsck_argv(s, argv, mode, sb, bs);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		com_err(prog, errno, "while starting %s", E2FSCK_PATH);
		return EXIT_ERROR;
	}
	if (pid == 0) {
		if (s->o->json)		/* keep stdout for the JSON */
			dup2(2, 1);
		execv(E2FSCK_PATH, (char **)argv);
		com_err(prog, errno, "while running %s", E2FSCK_PATH);
		_exit(EXIT_ERROR);
	}
	fcsk_child = pid;
	if (fcsk_stop)		/* arrived between fork and here */
		kill(pid, fcsk_stop);
	ret = wait_e2fsck(pid);
	fcsk_child = 0;
	return ret;
}

/* --json: read before anything is written (e2fc_evidence_get) */
static struct e2fc_evidence evidence;

static void print_json(struct state *s, const char *action, int code)
{
	fputs("{", stdout);
	e2fc_evidence_print_json(stdout, &evidence);
	fputs(",\n \"device\": ", stdout);
	e2fc_print_json_string(stdout, s->o->device);
	fputs(", \"output\": ", stdout);
	if (s->o->output)
		e2fc_print_json_string(stdout, s->o->output);
	else
		fputs("null", stdout);
	printf(", \"needs_recovery\": %s, \"action\": \"%s\",\n",
	       s->needs_recovery ? "true" : "false", action);
	printf(" \"journal\": {\"transactions\": %u, \"expected_tid\": %u},\n",
	       s->sum.trans, s->sum.expected_tid);
	printf(" \"fast_commit\": {\"state\": \"%s\", \"commits\": %u, "
	       "\"replay_commits\": %u, \"planned_commits\": %u},\n",
	       s->sum.state ? s->sum.state : "empty", s->sum.ncommits,
	       s->sum.replay, fc_planned(s));
	printf(" \"replayed\": {\"transactions\": %u, \"blocks\": %u, "
	       "\"revoked\": %u, \"fc_commits\": %u, \"fc_tags\": %u, "
	       "\"inodes_freed\": %u, \"blocks_freed\": %llu, "
	       "\"blocks_allocated\": %llu, \"bitmaps_read\": %u, "
	       "\"orphans_freed\": %u, \"orphans_truncated\": %u, "
	       "\"orphans_bad\": %u},\n",
	       s->stats.log_trans,
	       s->stats.log_blocks, s->stats.log_revoked, s->stats.fc_commits,
	       s->stats.fc_tags, s->stats.inodes_freed,
	       (unsigned long long)s->stats.blocks_freed,
	       (unsigned long long)s->stats.blocks_allocated,
	       s->stats.bitmaps_read, s->stats.orphans_freed,
	       s->stats.orphans_truncated, s->stats.orphans_bad);
	printf(" \"exit\": %d}\n", code);
}

static int plan_only(struct state *s)
{
	int ret = load(s, s->o->device, unix_io_manager, 0);
	errcode_t err;

	if (ret)
		return ret;
	if (!s->needs_recovery || !s->j) {
		if (s->o->journal_only) {
			fprintf(s->out, "%s: journal is clean\n",
				s->o->device);
			return EXIT_OK;
		}
		cleanup(s);
		return run_e2fsck(s);
	}
	print_plan(s);
	err = e2fc_journal_check_write(s->j);
	if (err)
		com_err(prog, err, "while checking the journal superblock "
			"(recovery would be refused)");
	if (s->fc) {
		unsigned bc = 0, bt = 0;

		err = e2fc_replay_check(s->fs, s->fc, &bc, &bt);
		if (err)
			com_err(prog, err, "while checking fast commit %u, "
				"tag %u (recovery would be refused)", bc, bt);
	}
	return EXIT_UNCORRECTED;
}

/* -C fd names an open file descriptor (e2fsck checks it too, later) */
static int check_progress_fd(const struct opts *o)
{
	long fd = o->progress_arg ? labs(strtol(o->progress_arg, NULL, 10)) :
		  0;

	if (!fd || fcntl((int)fd, F_GETFD) >= 0)
		return EXIT_OK;
	com_err(prog, errno, "while checking the -C file descriptor %ld",
		fd);
	return EXIT_ERROR;
}

/* everything that can refuse the run, before anything is written */
static int checks(struct state *s)
{
	const struct opts *o = s->o;
	int readonly = o->mode == 'n' || o->output, mf = 0;
	int ret = check_progress_fd(o);

	if (!ret && o->output)
		ret = check_output(s);
	if (!ret && o->undo)
		ret = fcsk_check_undo_path(o->undo, o->device, o->extj);
	if (!ret)
		ret = fcsk_check_mount(o->device, readonly, &mf);
	if (!ret)
		ret = fcsk_check_terminal(o->mode);
	if (!ret)
		s->lock_fd = fcsk_lock(o->device, readonly, mf, &ret);
	return ret;
}

static void unlock(struct state *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

static char *pass_undo_name(const char *undo)
{
	size_t len = strlen(undo) + sizeof(".e2fsck");
	char *name = malloc(len);

	if (name) {
		snprintf(name, len, "%s.e2fsck", undo);
		unlink(name);
	}
	return name;
}

/* one undo file: the e2fsck pass's folded into ours */
static int merge_undo(struct state *s, int ret)
{
	errcode_t err = fcsk_undo_merge(s->o->undo, s->undo2, s->target);

	if (err) {
		com_err(prog, err, "while writing the undo file %s",
			s->o->undo);
		return ret | EXIT_ERROR;
	}
	fprintf(s->out, "%s: the whole run can be undone with:\n    e2undo "
		"%s %s\n", prog, s->o->undo, s->target);
	return ret;
}

static int plan_run(struct state *s)
{
	int ret = plan_only(s);

	if (s->o->json)
		print_json(s, s->needs_recovery ? "plan" : "none", ret);
	cleanup(s);
	unlock(s);
	return ret;
}

static int recover_run(struct state *s)
{
	const struct opts *o = s->o;
	int ret = o->output ? prepare_output(s) : EXIT_OK;

	if (!ret && fcsk_stop)
		ret = EXIT_CANCELED;
	if (!ret)
		ret = recover(s);
	cleanup(s);
	unlock(s);
	if (ret == -1 ||
	    (!ret && (!o->journal_only || s->csum_error) && !fcsk_stop)) {
		if (o->undo && !(s->undo2 = pass_undo_name(o->undo))) {
			com_err(prog, EXT2_ET_NO_MEMORY, "while naming the "
				"undo file of the e2fsck pass");
			ret = EXIT_ERROR;
		} else {
			ret = run_e2fsck(s);
		}
	} else if (!ret && fcsk_stop) {
		ret = EXIT_CANCELED;	/* recovered; no e2fsck pass */
	}
	if (o->undo && (ret < EXIT_ERROR || s->wrote || s->undo2))
		ret = merge_undo(s, ret);
	if (ret >= EXIT_ERROR && !s->wrote)
		remove_output(s);
	if (o->json)
		print_json(s, s->stats.log_trans || s->stats.fc_commits ?
			   "recovered" : "none", ret);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct state s;
	int ret;

	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	if (parse_args(argc, argv, &o)) {
		if (!said_why)
			usage(stderr);
		return args_exit;
	}
	if (o.json)	/* a device it cannot read fails below, not here */
		e2fc_evidence_get(&evidence, prog, e2fc_version(), o.device,
				  o.extj, 0);
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.target = o.device;
	s.out = o.json ? stderr : stdout;
	fcsk_out = s.out;
	s.lock_fd = -1;
	if (o.mode == 'p')	/* preen form: every line names the device */
		fcsk_prog = o.device;
	fcsk_signals();
	ret = checks(&s);
	if (ret) {
		if (o.json)
			print_json(&s, "refused", ret);
		free(s.jcopy);
		return ret;
	}
	ret = o.mode == 'n' ? plan_run(&s) : recover_run(&s);
	free(s.jcopy);
	free(s.undo2);
	free(o.ext_pass);
	return ret;
}
