/*
 * events.c -- fc_events: the timeline of the fast-commit area (which
 * file was created, linked, renamed, written, truncated, deleted, in
 * which commit), as e2fcdump --events prints it.
 */
#include <getopt.h>
#include "debugfs-fc.h"

void do_fc_events(int argc, char **argv, int sci_idx, void *infop)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "bodyfile", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	enum e2fc_ev_format fmt = E2FC_EV_JSONL;
	errcode_t err;
	int c;

	dfc_reset_getopt();
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'c')
			fmt = E2FC_EV_CSV;
		else if (c == 'b')
			fmt = E2FC_EV_BODYFILE;
		else if (c != 'j')
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (dfc_check_open(argv[0]))
		return;
	/* from the image as it is on disk, whatever was replayed here */
	fflush(stdout);
	err = e2fc_events_print_file(cur.image, cur.extj, fmt, stdout);
	if (err)
		com_err(argv[0], err, "while listing the events of %s",
			cur.image);
	return;
usage:
	com_err(0, 0, "Usage: fc_events [--json|--csv|--bodyfile]");
}
