// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fcdump.c -- forensic dump of the ext4 fast-commit area (and the jbd2
 * log) of an image.  Opens the image read-only; never writes.
 *
 * Exit codes (e2fsck conventions): 0 nothing wrong, 1 the fast-commit area
 * is corrupt (invalid commits where a replayable log should continue), or
 * the jbd2 log has data blocks that fail their checksum (the kernel and
 * e2fsck fail its recovery), 8 operational error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include "e2fc.h"
#include "e2fc_version.h"

#define EXIT_OK		0
#define EXIT_CORRUPT	1
#define EXIT_USAGE	16
#define EXIT_ERROR	8

static const char *prog = "e2fcdump";

static const char *e2fc_libext2fs_version(void)
{
	const char *ver = NULL;

	ext2fs_get_library_version(&ver, NULL);
	return ver ? ver : "?";
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-j extjournal] [-o superblock=N] [-o blocksize=N]"
		"\n\t[--json [--hash]] [--all] [--raw] IMAGE\n"
		"       %s --events [--json [--hash]|--csv|--bodyfile] "
		"[-j extjournal] IMAGE\n"
		"  -j, --journal DEV  external journal device\n"
		"  -o superblock=N    read this backup superblock\n"
		"  -o blocksize=N     its block size (any when not given)\n"
		"      --json         machine-readable output "
		"(doc/e2fcdump-json.md)\n"
		"      --hash         with --json: the image's SHA-256 too "
		"(reads all of it)\n"
		"  -e, --events       the timeline of the fast commits, "
		"JSON Lines by default\n"
		"                     (doc/e2fc-events.md)\n"
		"      --csv          with --events: CSV with a header\n"
		"      --bodyfile     with --events: a TSK 3.x bodyfile "
		"(mactime -b)\n"
		"  -a, --all          also the journal superblock's jbd2 log\n"
		"  -r, --raw          also the hex bytes of every tag\n"
		"  -h, --help         this help\n"
		"  -V, --version      version\n"
		"Exit: 0 fine, 1 fast-commit area or journal log corrupt, "
		"8 error, "
		"16 usage.\n", prog, prog);
}

struct dump {
	ext2_filsys		fs;
	struct e2fc_loaded	ld;
	unsigned long		superblock, blocksize;	/* -o */
};

/* -o superblock=N, -o blocksize=N (debugfs's and dumpe2fs's names) */
static int parse_o(struct dump *d, const char *arg)
{
	unsigned long *v = NULL, max = 0;
	const char *val = strchr(arg, '=');
	char *end;

	if (val && !strncmp(arg, "superblock=", 11)) {
		v = &d->superblock;
		max = ~0UL >> 1;
	} else if (val && !strncmp(arg, "blocksize=", 10)) {
		v = &d->blocksize;
		max = 65536;
	}
	if (!v) {
		fprintf(stderr, "%s: unknown -o option: %s\n", prog, arg);
		return -1;
	}
	errno = 0;
	*v = strtoul(val + 1, &end, 0);
	if (!val[1] || *end || errno || val[1] == '-' || !*v || *v > max ||
	    (v == &d->blocksize && (*v < 1024 || (*v & (*v - 1))))) {
		fprintf(stderr, "%s: invalid value in -o %s\n", prog, arg);
		return -1;
	}
	return 0;
}

/* the primary, or -o superblock= (with each block size when no
 * blocksize= is given) */
static errcode_t open_image(struct dump *d, const char *image)
{
	int flags = EXT2_FLAG_64BITS | EXT2_FLAG_JOURNAL_DEV_OK;
	unsigned long bs;
	errcode_t err = EXT2_ET_BAD_MAGIC;

	if (!d->superblock)
		return ext2fs_open(image, flags, 0, 0, unix_io_manager, &d->fs);
	for (bs = 1024; bs <= 65536; bs <<= 1) {
		if (d->blocksize && bs != d->blocksize)
			continue;
		err = ext2fs_open(image, flags, (int)d->superblock, (int)bs,
				  unix_io_manager, &d->fs);
		if (!err)
			break;
	}
	return err;
}

static void dump_free(struct dump *d)
{
	e2fc_unload(&d->ld);
	if (d->fs)
		ext2fs_close_free(&d->fs);
}

static int load(struct dump *d, const char *image, const char *extj)
{
	const char *what;
	errcode_t err;

	err = open_image(d, image);
	if (err) {
		com_err(prog, err, "while opening %s", image);
		return EXIT_ERROR;
	}
	err = e2fc_load(d->fs, extj, 0, &d->ld, &what);
	if (err) {
		com_err(prog, err, "while %s of %s", what, image);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* the dump's load: journal and log; the FC area is read as it is
 * printed (e2fc_dump_text, e2fc_dump_json) */
static int load_log(struct dump *d, const char *image, const char *extj)
{
	errcode_t err;

	err = open_image(d, image);
	if (err) {
		com_err(prog, err, "while opening %s", image);
		return EXIT_ERROR;
	}
	err = e2fc_journal_open(d->fs, extj, 0, &d->ld.j);
	if (err) {
		com_err(prog, err, "while opening the journal of %s", image);
		return EXIT_ERROR;
	}
	err = e2fc_log_scan(d->ld.j, &d->ld.log);
	if (err) {
		com_err(prog, err, "while scanning the journal log of %s",
			image);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static void evidence(struct dump *d, const char *image, int hash,
		     struct e2fc_evidence *ev)
{
	errcode_t err;

	err = e2fc_evidence_input(ev, prog, E2FC_VERSION, image, hash);
	if (err)
		com_err(prog, err, "while reading %s for its evidence metadata",
			image);
	e2fc_evidence_journal(ev, d->ld.j);
}

/* --events: in JSON Lines the evidence first, then the events */
static int print_events(struct dump *d, const char *image, const char *extj,
			enum e2fc_ev_format fmt, int hash)
{
	struct e2fc_events *e = NULL;
	struct e2fc_evidence ev;
	errcode_t err;

	err = e2fc_events_collect(d->fs, &d->ld, image, extj, &e);
	if (err) {
		com_err(prog, err, "while building the events of %s", image);
		return EXIT_ERROR;
	}
	if (e->replay_err)
		com_err(prog, e->replay_err, "while replaying %s in memory "
			"(paths are from the tree before the replay)", image);
	if (fmt == E2FC_EV_JSONL) {
		evidence(d, image, hash, &ev);
		fputs("{\"record\": \"evidence\", ", stdout);
		e2fc_evidence_print_json(stdout, &ev);
		fputs("}\n", stdout);
	}
	err = e2fc_events_print(stdout, e, fmt);
	e2fc_events_free(e);
	return err ? EXIT_ERROR : EXIT_OK;
}

/* logged data blocks with a bad checksum: the recovery fails */
static int log_csum_failed(struct dump *d, const char *image)
{
	unsigned n = e2fc_log_bad_data(d->ld.log);

	if (n)
		com_err(prog, E2FC_ERR_LOG_DATA_CSUM, "in %u blocks of the "
			"journal of %s (the kernel and e2fsck fail its "
			"recovery)", n, image);
	return n != 0;
}

/* the report, text or JSON, printed as the FC area is read (memory of
 * one commit) */
static int dump(struct dump *d, const char *image, int json, int hash,
		int flags)
{
	struct e2fc_evidence ev;
	errcode_t err;
	int ret = EXIT_OK;

	if (json) {
		evidence(d, image, hash, &ev);
		err = e2fc_dump_json(stdout, d->ld.j, d->ld.log, flags, &ev,
				     &d->ld.fc);
	} else {
		err = e2fc_dump_text(stdout, d->ld.j, d->ld.log, flags,
				     &d->ld.fc);
	}
	if (err) {
		com_err(prog, err, "while reading the fast-commit area of %s",
			image);
		return EXIT_ERROR;
	}
	if (d->ld.fc->state == E2FC_FC_CORRUPT)
		ret = EXIT_CORRUPT;
	if (log_csum_failed(d, image))
		ret = EXIT_CORRUPT;
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "journal", required_argument, NULL, 'j' },
		E2FC_LONGOPT_JSON,
		{ "all", no_argument, NULL, 'a' },
		E2FC_LONGOPT_RAW,
		{ "events", no_argument, NULL, 'e' },
		{ "csv", no_argument, NULL, 'C' },
		{ "bodyfile", no_argument, NULL, 'B' },
		{ "hash", no_argument, NULL, 'H' },
		E2FC_LONGOPT_HELP,
		E2FC_LONGOPT_END
	};
	struct dump d = { 0 };
	const char *extj = NULL;
	int c, json = 0, flags = 0, ret, events = 0, hash = 0;
	enum e2fc_ev_format fmt = E2FC_EV_JSONL;

	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	while ((c = getopt_long(argc, argv, "j:o:arehV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			extj = optarg;
			break;
		case 'o':
			if (parse_o(&d, optarg))
				return EXIT_USAGE;
			break;
		case 'J':
			json = 1;
			break;
		case 'a':
			flags |= E2FC_PRINT_LOG;
			break;
		case 'r':
			flags |= E2FC_PRINT_RAW;
			break;
		case 'e':
			events = 1;
			break;
		case 'C':
			fmt = E2FC_EV_CSV;
			break;
		case 'B':
			fmt = E2FC_EV_BODYFILE;
			break;
		case 'H':
			hash = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s (libext2fs %s)\n", prog, E2FC_VERSION,
			       e2fc_libext2fs_version());
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* --csv and --bodyfile only with --events, --hash only with JSON */
	if (optind != argc - 1 || (fmt != E2FC_EV_JSONL && (!events || json))
	    || (hash && (fmt != E2FC_EV_JSONL || !(json || events)))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* a 15,000-commit area prints 60,000 lines: the printer formats
	 * them into its own large buffer and writes that in big chunks;
	 * a stdio buffer on top would only copy every byte once more */
	if (!events)
		setvbuf(stdout, NULL, _IONBF, 0);
	if (events) {
		ret = load(&d, argv[optind], extj);
		if (!ret)
			ret = print_events(&d, argv[optind], extj, fmt, hash);
		if (!ret && d.ld.fc->state == E2FC_FC_CORRUPT)
			ret = EXIT_CORRUPT;
	} else {
		ret = load_log(&d, argv[optind], extj);
		if (!ret)
			ret = dump(&d, argv[optind], json, hash, flags);
	}
	dump_free(&d);
	/* unbuffered: a failed write shows in the error flag, not here */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		com_err(prog, 0, "write error on standard output");
		ret = EXIT_ERROR;
	}
	return ret;
}
