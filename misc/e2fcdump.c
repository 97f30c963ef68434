// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fcdump.c -- forensic dump of the ext4 fast-commit area (and the jbd2
 * log) of an image.  Opens the image read-only; never writes.
 *
 * Exit codes (e2fsck conventions): 0 nothing wrong, 1 the fast-commit area
 * is corrupt (invalid commits where a replayable log should continue),
 * 8 operational error.
 */
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
		"Usage: %s [-j extjournal] [--json] [--all] [--raw] IMAGE\n"
		"  -j, --journal DEV  external journal device\n"
		"      --json         machine-readable output "
		"(doc/e2fcdump-json.md)\n"
		"  -a, --all          also the journal superblock's jbd2 log\n"
		"  -r, --raw          also the hex bytes of every tag\n"
		"  -h, --help         this help\n"
		"  -V, --version      version\n"
		"Exit: 0 fine, 1 fast-commit area corrupt, 8 error.\n", prog);
}

struct dump {
	ext2_filsys		fs;
	struct e2fc_loaded	ld;
};

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

	err = ext2fs_open(image, EXT2_FLAG_64BITS | EXT2_FLAG_JOURNAL_DEV_OK,
			  0, 0, unix_io_manager, &d->fs);
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "journal", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "all", no_argument, NULL, 'a' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct dump d = { 0 };
	const char *extj = NULL;
	int c, json = 0, flags = 0, ret;

	initialize_e2fc_error_table();
	initialize_ext2_error_table();
	while ((c = getopt_long(argc, argv, "j:arhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			extj = optarg;
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
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* a 15,000-commit area prints 60,000 lines: the printer formats
	 * them into its own large buffer and writes that in big chunks;
	 * a stdio buffer on top would only copy every byte once more */
	setvbuf(stdout, NULL, _IONBF, 0);
	ret = load(&d, argv[optind], extj);
	if (ret == EXIT_OK) {
		if (json)
			e2fc_print_json(stdout, d.ld.j, d.ld.log, d.ld.fc,
					flags);
		else
			e2fc_print_text(stdout, d.ld.j, d.ld.log, d.ld.fc,
					flags);
		if (d.ld.fc->state == E2FC_FC_CORRUPT)
			ret = EXIT_CORRUPT;
	}
	dump_free(&d);
	/* unbuffered: a failed write shows in the error flag, not here */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		com_err(prog, 0, "write error on standard output");
		ret = EXIT_ERROR;
	}
	return ret;
}
