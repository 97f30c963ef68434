// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fsck-fc.c -- e2fsck front end: recover an unclean ext4 image with
 * libe2fc (full jbd2 replay, then the fast commits), then run the system
 * e2fsck for the full check.
 *
 * Exit codes are e2fsck's: 0 clean, 4 recovery needed (-n) or refused
 * (hostile fast-commit data; nothing written), 8 operational error,
 * 16 usage; after a recovery the system e2fsck's own code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <sys/wait.h>
#include "e2fc.h"
#include "libe2fc.h"

#define EXIT_OK		0
#define EXIT_UNCORRECTED 4
#define EXIT_ERROR	8
#define EXIT_USAGE	16

static const char *prog = "e2fsck-fc";

struct opts {
	char		mode;		/* 'p', 'n', 'y' or 0 */
	int		force;
	int		progress_fd;	/* -C fd, -1 none */
	const char	*extj;
	const char	*undo;
	int		journal_only;
	const char	*output;
	unsigned	until_commit;
	int		json;
	const char	*device;
};

struct state {
	struct opts		*o;
	const char		*target;	/* device or --output file */
	char			*jcopy;		/* --output copy of -j */
	ext2_filsys		fs;
	struct e2fc_journal	*j;
	struct e2fc_log		*log;
	struct e2fc_fc		*fc;
	int			needs_recovery;
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
		"Usage: %s [-p|-n|-y] [-f] [-C fd] [-j extjournal] "
		"[-z undo_file]\n"
		"\t[-E journal_only] [--output FILE] [--until-commit N] "
		"[--json] device\n\n"
		" -p                   recover and check without questions\n"
		" -n                   open nothing for writing: print the "
		"replay plan\n"
		" -y                   recover and answer yes to every "
		"question\n"
		" -f                   force the full check\n"
		" -C fd                progress to fd (0: a bar on the "
		"terminal)\n"
		" -j extjournal        external journal device\n"
		" -z undo_file         write an undo file (e2undo)\n"
		" -E journal_only      recover the journal, then stop\n"
		" --output FILE        recover into a copy; the device stays "
		"untouched\n"
		" --until-commit N     replay only the first N fast commits\n"
		" --json               machine-readable report on stdout\n"
		" -h, --help           this help;  -V, --version\n", prog);
}

static void cleanup(struct state *s)
{
	e2fc_fc_free(s->fc);
	e2fc_log_free(s->log);
	e2fc_journal_close(s->j);
	s->fc = NULL;
	s->log = NULL;
	s->j = NULL;
	if (s->fs)
		ext2fs_close_free(&s->fs);
	/* what the replay wrote into memory is on the target by now */
	e2fc_overlay_discard(s->target);
	if (s->o->extj)
		e2fc_overlay_discard(s->jcopy ? s->jcopy : s->o->extj);
}

static int parse_extended(struct opts *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!copy) {
		com_err(prog, EXT2_ET_NO_MEMORY,
			"while parsing the extended options");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "journal_only")) {
			o->journal_only = 1;
		} else {
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
		fprintf(stderr, "%s: only one of the options -p/-a, -n or -y "
			"may be specified\n", prog);
		return -1;
	}
	o->mode = m;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'O' },
		{ "until-commit", required_argument, NULL, 'U' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->progress_fd = -1;
	o->until_commit = ~0U;
	while ((c = getopt_long(argc, argv, "panyfC:j:z:E:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
		case 'a':
		case 'n':
		case 'y':
			if (set_mode(o, c == 'a' ? 'p' : c))
				return -1;
			break;
		case 'f':
			o->force = 1;
			break;
		case 'C':
			o->progress_fd = (int)strtol(optarg, &end, 10);
			if (*end || o->progress_fd < 0)
				return -1;
			break;
		case 'j':
			o->extj = optarg;
			break;
		case 'z':
			o->undo = optarg;
			break;
		case 'E':
			if (parse_extended(o, optarg))
				return -1;
			break;
		case 'O':
			o->output = optarg;
			break;
		case 'U':
			errno = 0;
			o->until_commit = (unsigned)strtoul(optarg, &end, 10);
			if (*end || errno || optarg[0] == '-')
				return -1;
			break;
		case 'J':
			o->json = 1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case 'V':
			printf("%s %s (libext2fs %s)\n", prog, e2fc_version(),
			       e2fc_ext2fs_version());
			exit(EXIT_OK);
		default:
			return -1;
		}
	}
	if (optind != argc - 1)
		return -1;
	o->device = argv[optind];
	if (o->mode == 'n' && (o->undo || o->output)) {
		fprintf(stderr, "%s: -n cannot be used with -z or --output\n",
			prog);
		return -1;
	}
	return 0;
}

/* the transactions a replay applies */
static unsigned log_complete(const struct e2fc_log *log)
{
	return e2fc_log_replayed_trans(log);
}

/* open target and read journal, log and FC area */
static int load(struct state *s, const char *name, io_manager io, int rw)
{
	int flags = EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0);
	const char *extj = s->jcopy ? s->jcopy : s->o->extj;
	struct e2fc_loaded ld;
	const char *what;
	errcode_t err;

	err = ext2fs_open(name, flags, 0, 0, io, &s->fs);
	if (err) {
		com_err(prog, err, "while trying to open %s", name);
		return EXIT_ERROR;
	}
	s->needs_recovery =
		ext2fs_has_feature_journal_needs_recovery(s->fs->super);
	if (!ext2fs_has_feature_journal(s->fs->super))
		return EXIT_OK;
	err = e2fc_load(s->fs, extj, rw ? E2FC_JOPEN_OVERLAY : 0, &ld, &what);
	if (err) {
		com_err(prog, err, "while %s of %s", what, name);
		return EXIT_ERROR;
	}
	s->j = ld.j;
	s->log = ld.log;
	s->fc = ld.fc;
	s->sum.trans = log_complete(s->log);
	s->sum.expected_tid = s->log->expected_tid;
	s->sum.ncommits = s->fc->ncommits;
	s->sum.replay = s->fc->replay_commits;
	s->sum.state = e2fc_fc_state_name(s->fc->state);
	return EXIT_OK;
}

static unsigned fc_planned(const struct state *s)
{
	unsigned n = s->sum.replay;

	return n < s->o->until_commit ? n : s->o->until_commit;
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
	if (fd == 0) {
		if (!isatty(1))
			return;
		w = (int)(40ULL * done / total);
		fprintf(stdout, "\r%s: recovering |%.*s%*s| %3u%%", prog, w,
			"========================================", 40 - w, "",
			(unsigned)(100ULL * done / total));
		if (done == total)
			fputc('\n', stdout);
		fflush(stdout);
		return;
	}
	/* e2fsck's -C fd format: pass current max device */
	n = snprintf(buf, sizeof(buf), "0 %u %u %s\n", done, total,
		     s->o->device);
	if (write(fd, buf, n) < 0)
		s->o->progress_fd = -1;
}

static int prepare_output(struct state *s)
{
	errcode_t err;
	size_t len;

	err = e2fc_copy_sparse(s->o->device, s->o->output);
	if (err) {
		com_err(prog, err, "while copying %s to %s", s->o->device,
			s->o->output);
		return EXIT_ERROR;
	}
	if (s->o->extj) {	/* the journal is reset: copy it too */
		len = strlen(s->o->output) + sizeof(".journal");
		s->jcopy = malloc(len);
		if (!s->jcopy) {
			com_err(prog, EXT2_ET_NO_MEMORY, "while copying %s",
				s->o->extj);
			return EXIT_ERROR;
		}
		snprintf(s->jcopy, len, "%s.journal", s->o->output);
		err = e2fc_copy_sparse(s->o->extj, s->jcopy);
		if (err) {
			com_err(prog, err, "while copying %s to %s",
				s->o->extj, s->jcopy);
			return EXIT_ERROR;
		}
		fprintf(s->out, "%s: external journal copied to %s\n", prog,
			s->jcopy);
	}
	s->target = s->o->output;
	return EXIT_OK;
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

/*
 * The replay runs on the overlay (all writes in memory); e2fc_writeback()
 * then writes the changed blocks to the target through io, in an order
 * that a power cut cannot spoil (lib/ext2fs/fc_writeback.c).
 */
static int recover(struct state *s)
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
	if (err) {
		com_err(prog, err, "while checking the journal superblock of "
			"%s (recovery refused; nothing was written)",
			s->target);
		return EXIT_UNCORRECTED;
	}
	err = e2fc_replay_check(s->fs, s->fc, &bad_commit, &bad_tag);
	if (err) {
		com_err(prog, err, "while checking fast commit %u, tag %u "
			"(recovery refused; nothing was written)", bad_commit,
			bad_tag);
		return EXIT_UNCORRECTED;
	}
	memset(&ro, 0, sizeof(ro));
	ro.until_commit = s->o->until_commit;
	ro.progress = progress;
	ro.progress_arg = s;
	if (s->needs_recovery)
		fprintf(s->out, "%s: recovering journal\n", s->target);
	err = e2fc_recover_writeback(&s->fs, s->j, s->log, s->fc, &ro, io,
				  unix_io_manager, &s->stats, &cs);
	if (err) {
		com_err(prog, err, "while recovering the journal of %s",
			s->target);
		return EXIT_ERROR;
	}
	if (!s->needs_recovery)
		return EXIT_OK;
	fprintf(s->out, "%s: replayed %u transactions (%u blocks, %u "
		"revoked), %u fast commits (%u tags)\n", s->target,
		s->stats.log_trans, s->stats.log_blocks, s->stats.log_revoked,
		s->stats.fc_commits, s->stats.fc_tags);
	if (cs.journaled)
		fprintf(s->out, "%s: wrote %u blocks, first as journal "
			"transaction %u (%u journal blocks)\n", s->target,
			cs.blocks, cs.tid, cs.log_blocks);
	else
		fprintf(s->out, "%s: wrote %u blocks\n", s->target,
			cs.blocks);
	return EXIT_OK;
}

/* run the system e2fsck on the target with our options */
static int run_e2fsck(struct state *s)
{
	char *argv[16], mode[3] = "-?", cfd[16];
	int argc = 0, status;
	pid_t pid;

	argv[argc++] = (char *)E2FSCK_PATH;
	if (s->o->mode) {
		mode[1] = s->o->mode;
		argv[argc++] = mode;
	}
	if (s->o->force)
		argv[argc++] = (char *)"-f";
	if (s->o->progress_fd >= 0) {
		snprintf(cfd, sizeof(cfd), "%d", s->o->progress_fd);
		argv[argc++] = (char *)"-C";
		argv[argc++] = cfd;
	}
	if (s->o->extj) {
		argv[argc++] = (char *)"-j";
		argv[argc++] = s->jcopy ? s->jcopy : (char *)s->o->extj;
	}
	argv[argc++] = (char *)s->target;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		com_err(prog, errno, "while starting %s", E2FSCK_PATH);
		return EXIT_ERROR;
	}
	if (pid == 0) {
		if (s->o->json)		/* keep stdout for the JSON */
			dup2(2, 1);
		execv(E2FSCK_PATH, argv);
		com_err(prog, errno, "while running %s", E2FSCK_PATH);
		_exit(EXIT_ERROR);
	}
	if (waitpid(pid, &status, 0) < 0) {
		com_err(prog, errno, "while waiting for %s", E2FSCK_PATH);
		return EXIT_ERROR;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_ERROR;
}

static void print_json(struct state *s, const char *action, int code)
{
	fputs("{\"device\": ", stdout);
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
	       "\"blocks_allocated\": %llu, \"bitmaps_read\": %u},\n",
	       s->stats.log_trans,
	       s->stats.log_blocks, s->stats.log_revoked, s->stats.fc_commits,
	       s->stats.fc_tags, s->stats.inodes_freed,
	       (unsigned long long)s->stats.blocks_freed,
	       (unsigned long long)s->stats.blocks_allocated,
	       s->stats.bitmaps_read);
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

int main(int argc, char **argv)
{
	struct opts o;
	struct state s;
	int ret;

	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.target = o.device;
	s.out = o.json ? stderr : stdout;
	if (o.mode == 'n') {
		ret = plan_only(&s);
		if (o.json)
			print_json(&s, s.needs_recovery ? "plan" : "none", ret);
		cleanup(&s);
		return ret;
	}
	ret = o.output ? prepare_output(&s) : EXIT_OK;
	if (!ret)
		ret = recover(&s);
	cleanup(&s);
	if (!ret && !o.journal_only)
		ret = run_e2fsck(&s);
	if (o.json)
		print_json(&s, s.stats.log_trans || s.stats.fc_commits ?
			   "recovered" : "none", ret);
	free(s.jcopy);
	return ret;
}
