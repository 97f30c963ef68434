/*
 * fc_events_print.c -- the timeline as JSON Lines, CSV or a TSK 3.x
 * bodyfile (doc/e2fc-events.md), and the one-call entry point
 * e2fc_events_print_file().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "e2fc.h"

static const char *const change_names[] = {
	"mode", "uid", "gid", "size", "links", "atime", "mtime", "ctime",
	"crtime", "flags",
};

/* ---- JSON Lines ---------------------------------------------------------- */

static void json_time(FILE *f, const char *what, int64_t sec, uint32_t ns)
{
	fprintf(f, ", \"%s\": %" PRId64 ", \"%s_ns\": %" PRIu32, what, sec,
		what, ns);
}

/* seconds and nanoseconds of change bit i of in */
static void time_of(const struct e2fc_inode *in, unsigned i, int64_t *s,
		    uint32_t *ns)
{
	switch (1U << i) {
	case E2FC_EV_CH_ATIME:
		*s = in->atime, *ns = in->atime_ns;
		break;
	case E2FC_EV_CH_MTIME:
		*s = in->mtime, *ns = in->mtime_ns;
		break;
	case E2FC_EV_CH_CTIME:
		*s = in->ctime, *ns = in->ctime_ns;
		break;
	default:
		*s = in->has_crtime ? in->crtime : 0;
		*ns = in->has_crtime ? in->crtime_ns : 0;
	}
}

static uint64_t field_of(const struct e2fc_inode *in, unsigned i)
{
	switch (1U << i) {
	case E2FC_EV_CH_MODE:
		return in->mode;
	case E2FC_EV_CH_UID:
		return in->uid;
	case E2FC_EV_CH_GID:
		return in->gid;
	case E2FC_EV_CH_SIZE:
		return in->size;
	case E2FC_EV_CH_LINKS:
		return in->links;
	default:
		return in->flags;
	}
}

static int is_time_bit(unsigned i)
{
	return (1U << i) & (E2FC_EV_CH_ATIME | E2FC_EV_CH_MTIME |
			    E2FC_EV_CH_CTIME | E2FC_EV_CH_CRTIME);
}

static void json_changes(FILE *f, const struct e2fc_event *ev)
{
	unsigned i, n = 0;
	int64_t s0, s1;
	uint32_t n0, n1;

	if (!ev->have_old) {
		fputs(", \"changes\": null", f);
		return;
	}
	fputs(", \"changes\": {", f);
	for (i = 0; i < 10; i++) {
		if (!(ev->changed & (1U << i)))
			continue;
		fprintf(f, "%s\"%s\": ", n++ ? ", " : "", change_names[i]);
		if (is_time_bit(i)) {
			time_of(&ev->old, i, &s0, &n0);
			time_of(&ev->state, i, &s1, &n1);
			fprintf(f, "[[%" PRId64 ", %" PRIu32 "], [%" PRId64
				", %" PRIu32 "]]", s0, n0, s1, n1);
		} else {
			fprintf(f, "[%" PRIu64 ", %" PRIu64 "]",
				field_of(&ev->old, i), field_of(&ev->state, i));
		}
	}
	fputc('}', f);
}

static void json_ranges(FILE *f, const struct e2fc_event *ev)
{
	unsigned i;

	fputs(", \"ranges\": [", f);
	for (i = 0; i < ev->nranges; i++) {
		const struct e2fc_ev_range *r = &ev->ranges[i];

		fprintf(f, "%s{\"offset\": %" PRIu64 ", \"length\": %" PRIu64,
			i ? ", " : "", r->offset, r->length);
		if (ev->action == E2FC_EV_WRITE)
			fprintf(f, ", \"pblk\": %" PRIu64 ", \"unwritten\": %s",
				r->pblk, r->unwritten ? "true" : "false");
		fputc('}', f);
	}
	fputc(']', f);
}

static void iso_time(char *buf, size_t len, int64_t sec, uint32_t ns)
{
	time_t t = sec;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ns);
}

static void json_state(FILE *f, const struct e2fc_event *ev)
{
	const struct e2fc_inode *in = &ev->state;
	char when[64];

	if (!ev->have_state) {
		fputs(", \"datetime\": null", f);
		return;
	}
	fprintf(f, ", \"mode\": %u, \"uid\": %u, \"gid\": %u, \"size\": %"
		PRIu64 ", \"links\": %u, \"flags\": %u", in->mode, in->uid,
		in->gid, in->size, in->links, in->flags);
	json_time(f, "atime", in->atime, in->atime_ns);
	json_time(f, "mtime", in->mtime, in->mtime_ns);
	json_time(f, "ctime", in->ctime, in->ctime_ns);
	if (in->has_crtime)
		json_time(f, "crtime", in->crtime, in->crtime_ns);
	/* timeline tools (timesketch) take datetime and timestamp_desc */
	iso_time(when, sizeof(when), in->ctime, in->ctime_ns);
	fprintf(f, ", \"datetime\": \"%s\", \"timestamp_desc\": "
		"\"Inode Change Time (fast commit)\"", when);
}

static void json_message(FILE *f, const struct e2fc_event *ev)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&msg, &len);

	if (!m)
		return;
	fprintf(m, "fast commit %u (tid %u%s): %s %s", ev->commit, ev->tid,
		ev->stale ? ", stale" : ev->replayed ? "" : ", not replayed",
		e2fc_ev_action_name(ev->action), ev->path);
	if (ev->action == E2FC_EV_RENAME)
		fprintf(m, " from %s", ev->old_path);
	fclose(m);
	fputs(", \"message\": ", f);
	e2fc_print_json_string(f, msg ? msg : "");
	free(msg);
}

static void print_jsonl(FILE *f, const struct e2fc_event *ev)
{
	fprintf(f, "{\"record\": \"event\", \"commit\": %u, \"tid\": %u, "
		"\"stale\": %s, \"replayed\": %s, \"action\": \"%s\", "
		"\"ino\": %u, \"path\": ", ev->commit, ev->tid,
		ev->stale ? "true" : "false", ev->replayed ? "true" : "false",
		e2fc_ev_action_name(ev->action), ev->ino);
	e2fc_print_json_string(f, ev->path);
	if (ev->name) {
		fprintf(f, ", \"parent\": %u, \"name\": ", ev->parent);
		e2fc_print_json_string(f, ev->name);
	}
	if (ev->action == E2FC_EV_RENAME) {
		fputs(", \"old_path\": ", f);
		e2fc_print_json_string(f, ev->old_path);
		fprintf(f, ", \"old_parent\": %u, \"old_name\": ",
			ev->old_parent);
		e2fc_print_json_string(f, ev->old_name);
	}
	if (ev->action == E2FC_EV_WRITE || ev->action == E2FC_EV_PUNCH ||
	    ev->action == E2FC_EV_TRUNCATE)
		json_ranges(f, ev);
	if (ev->action == E2FC_EV_TRUNCATE)
		fprintf(f, ", \"old_size\": %" PRIu64, ev->old.size);
	if (ev->action == E2FC_EV_INODE)
		json_changes(f, ev);
	fprintf(f, ", \"phys_offset\": %" PRIu64, ev->phys_offset);
	json_state(f, ev);
	json_message(f, ev);
	fputs("}\n", f);
}

/* ---- CSV ----------------------------------------------------------------- */

/* RFC 4180: quoted when it holds a comma, quote or line break */
static void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_detail(FILE *f, const struct e2fc_event *ev)
{
	unsigned i, n = 0;

	for (i = 0; i < ev->nranges; i++)
		fprintf(f, "%s%" PRIu64 "+%" PRIu64 "%s", i ? " " : "",
			ev->ranges[i].offset, ev->ranges[i].length,
			ev->ranges[i].unwritten ? "u" : "");
	if (ev->action == E2FC_EV_TRUNCATE)
		fprintf(f, "%ssize %" PRIu64 "->%" PRIu64, ev->nranges ? " " : "",
			ev->old.size, ev->state.size);
	if (ev->action != E2FC_EV_INODE)
		return;
	for (i = 0; i < 10; i++)
		if (ev->changed & (1U << i))
			fprintf(f, "%s%s", n++ ? " " : "", change_names[i]);
}

static void csv_time(FILE *f, int have, int64_t s, uint32_t ns)
{
	if (have)
		fprintf(f, ",%" PRId64 ".%09" PRIu32, s, ns);
	else
		fputc(',', f);
}

static void print_csv(FILE *f, const struct e2fc_event *ev)
{
	const struct e2fc_inode *in = &ev->state;
	int h = ev->have_state;

	fprintf(f, "%u,%u,%s,%s,%s,%u,", ev->commit, ev->tid,
		ev->stale ? "true" : "false", ev->replayed ? "true" : "false",
		e2fc_ev_action_name(ev->action), ev->ino);
	csv_field(f, ev->path);
	fputc(',', f);
	csv_field(f, ev->old_path);
	if (h)
		fprintf(f, ",%o,%u,%u,%" PRIu64 ",%u", in->mode, in->uid,
			in->gid, in->size, in->links);
	else
		fputs(",,,,,", f);
	csv_time(f, h, in->atime, in->atime_ns);
	csv_time(f, h, in->mtime, in->mtime_ns);
	csv_time(f, h, in->ctime, in->ctime_ns);
	csv_time(f, h && in->has_crtime, in->crtime, in->crtime_ns);
	fprintf(f, ",%" PRIu64 ",", ev->phys_offset);
	csv_detail(f, ev);
	fputc('\n', f);
}

/* ---- TSK 3.x bodyfile ---------------------------------------------------- */

static char type_char(uint16_t mode)
{
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:	return 'r';
	case LINUX_S_IFDIR:	return 'd';
	case LINUX_S_IFLNK:	return 'l';
	case LINUX_S_IFCHR:	return 'c';
	case LINUX_S_IFBLK:	return 'b';
	case LINUX_S_IFIFO:	return 'p';
	case LINUX_S_IFSOCK:	return 's';
	}
	return '-';
}

/* "r/rrw-r--r--" as fls -m writes it */
static void mode_string(char out[13], uint16_t mode)
{
	static const char rwx[] = "rwxrwxrwx";
	unsigned i;

	out[0] = out[2] = type_char(mode);
	out[1] = '/';
	for (i = 0; i < 9; i++)
		out[3 + i] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & LINUX_S_ISUID)
		out[5] = mode & 0100 ? 's' : 'S';
	if (mode & LINUX_S_ISGID)
		out[8] = mode & 0010 ? 's' : 'S';
	if (mode & LINUX_S_ISVTX)
		out[11] = mode & 0001 ? 't' : 'T';
	out[12] = 0;
}

/* '|' separates the fields: written as \x7c in a name */
static void body_name(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\x7c", f);
		else
			fputc(*s, f);
	}
}

static void print_body(FILE *f, const struct e2fc_event *ev)
{
	const struct e2fc_inode *in = &ev->state;
	char mode[13];
	int h = ev->have_state;

	mode_string(mode, h ? in->mode : 0);
	fputs("0|", f);
	body_name(f, ev->path);
	fprintf(f, " (fast commit %u tid %u: %s", ev->commit, ev->tid,
		e2fc_ev_action_name(ev->action));
	if (ev->action == E2FC_EV_RENAME) {
		fputs(" from ", f);
		body_name(f, ev->old_path);
	}
	fputs(ev->stale ? ", stale)" : ev->replayed ? ")" :
	      ", not replayed)", f);
	fprintf(f, "|%u|%s|%u|%u|%" PRIu64 "|%" PRId64 "|%" PRId64 "|%"
		PRId64 "|%" PRId64 "\n", ev->ino, mode, h ? in->uid : 0,
		h ? in->gid : 0, h ? in->size : 0, h ? in->atime : 0,
		h ? in->mtime : 0, h ? in->ctime : 0,
		h && in->has_crtime ? in->crtime : 0);
}

/* ---- entry points -------------------------------------------------------- */

errcode_t e2fc_events_print(FILE *f, const struct e2fc_events *e,
			    enum e2fc_ev_format fmt)
{
	unsigned i;

	if (fmt == E2FC_EV_CSV)
		fputs("commit,tid,stale,replayed,action,ino,path,old_path,"
		      "mode,uid,gid,size,links,atime,mtime,ctime,crtime,"
		      "phys_offset,detail\n", f);
	for (i = 0; i < e->n; i++) {
		if (fmt == E2FC_EV_CSV)
			print_csv(f, &e->ev[i]);
		else if (fmt == E2FC_EV_BODYFILE)
			print_body(f, &e->ev[i]);
		else
			print_jsonl(f, &e->ev[i]);
	}
	if (fflush(f) == EOF || ferror(f))
		return errno ? errno : EIO;
	return 0;
}

errcode_t e2fc_events_print_file(const char *image, const char *ext_journal,
				 enum e2fc_ev_format fmt, FILE *out)
{
	struct e2fc_events *e = NULL;
	struct e2fc_loaded ld;
	ext2_filsys fs;
	const char *what;
	errcode_t err;

	err = ext2fs_open(image, EXT2_FLAG_64BITS | EXT2_FLAG_JOURNAL_DEV_OK,
			  0, 0, unix_io_manager, &fs);
	if (err)
		return err;
	err = e2fc_load(fs, ext_journal, 0, &ld, &what);
	if (!err) {
		err = e2fc_events_collect(fs, &ld, image, ext_journal, &e);
		e2fc_unload(&ld);
	}
	if (!err)
		err = e2fc_events_print(out, e, fmt);
	e2fc_events_free(e);
	ext2fs_close_free(&fs);
	return err;
}
