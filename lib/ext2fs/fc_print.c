// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_print.c -- the one printer of journal, log and fast-commit area, as
 * text for people and as JSON for scripts (schema: doc/e2fcdump-json.md).
 * Every program prints through here; none formats tags on its own.  The
 * formatting of numbers, times and strings is in fc_fmt.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <e2p/e2p.h>
#include "e2fc.h"
#include "fc_fmt.h"

/* ---- shared helpers ---------------------------------------------------- */

static const struct {
	errcode_t	code;
	const char	*name;
} reason_names[] = {
	{ E2FC_ERR_FC_STALE,		"stale" },
	{ E2FC_ERR_FC_TID,		"tid-mismatch" },
	{ E2FC_ERR_FC_CRC,		"crc-mismatch" },
	{ E2FC_ERR_FC_BAD_LEN,		"bad-length" },
	{ E2FC_ERR_FC_UNKNOWN_TAG,	"unknown-tag" },
	{ E2FC_ERR_FC_TRUNCATED,	"truncated" },
	{ E2FC_ERR_FC_HEAD_FEATURE,	"head-features" },
	{ E2FC_ERR_FC_NO_TAIL,		"no-tail" },
	{ E2FC_ERR_FC_AFTER_STOP,	"after-stop" },
	{ E2FC_ERR_FC_MISPLACED_HEAD,	"misplaced-head" },
	{ E2FC_ERR_BAD_NAME,		"bad-name" },
};

const char *e2fc_reason_name(errcode_t code)
{
	unsigned i;

	if (!code)
		return NULL;
	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
		if (reason_names[i].code == code)
			return reason_names[i].name;
	return "other";
}

/* the literal key (", \"name\": " in JSON, " name " in text) then the
 * value */
#define kv_u32(o, key, v)	do { ob_lit(o, key); ob_u32(o, v); } while (0)
#define kv_u64(o, key, v)	do { ob_lit(o, key); ob_u64(o, v); } while (0)
#define kv_s64(o, key, v)	do { ob_lit(o, key); ob_s64(o, v); } while (0)
#define kv_bool(o, key, v)	do { ob_lit(o, key); ob_bool(o, v); } while (0)

static void ob_bool(struct ob *o, int v)
{
	if (v)
		ob_lit(o, "true");
	else
		ob_lit(o, "false");
}

/* fmt with each %u replaced by the next argument (unsigned): a line of
 * numbers in the text form without the cost of printf */
static void ob_fmtu(struct ob *o, const char *fmt, ...)
{
	const char *p;
	va_list ap;

	/* one pass over fmt (a strstr per number and a strlen at the end
	 * were 2% of a text dump) */
	va_start(ap, fmt);
	for (p = fmt; *p; p++) {
		if (p[0] != '%' || p[1] != 'u')
			continue;
		ob_mem(o, fmt, p - fmt);
		ob_u32(o, va_arg(ap, unsigned));
		fmt = ++p + 1;
	}
	va_end(ap);
	ob_mem(o, fmt, p - fmt);
}

void e2fc_print_name(FILE *f, const uint8_t *name, unsigned len)
{
	char buf[1024];
	struct ob o;

	ob_init(&o, f, buf, sizeof(buf));
	ob_name(&o, name, len);
	ob_flush(&o);
}

void e2fc_print_json_string(FILE *f, const char *s)
{
	char buf[512];
	struct ob o;

	ob_init(&o, f, buf, sizeof(buf));
	ob_json_string(&o, s);
	ob_flush(&o);
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
static void ob_uuid(struct ob *o, const uint8_t *u)
{
	static const unsigned char part[] = { 4, 2, 2, 2, 6 };
	unsigned i;

	ob_putc(o, '"');
	for (i = 0; i < sizeof(part); u += part[i++]) {
		if (i)
			ob_putc(o, '-');
		ob_hex_bytes(o, u, part[i]);
	}
	ob_putc(o, '"');
}

static void ob_json_or_empty(struct ob *o, const char *s)
{
	ob_json_string(o, s ? s : "");
}

/* the members "schema_version" and "evidence" (fc_evidence.c) */
static void json_evidence(struct ob *o, const struct e2fc_evidence *ev)
{
	const char *libver = NULL;

	ext2fs_get_library_version(&libver, NULL);
	kv_u32(o, "\"schema_version\": ", E2FC_JSON_SCHEMA_VERSION);
	ob_lit(o, ", \"evidence\": {\"tool\": ");
	ob_json_or_empty(o, ev->tool);
	ob_lit(o, ", \"tool_version\": ");
	ob_json_or_empty(o, ev->tool_version);
	ob_lit(o, ", \"libext2fs_version\": ");
	ob_json_or_empty(o, libver);
	ob_lit(o, ", \"input\": ");
	ob_json_or_empty(o, ev->input);
	kv_u64(o, ", \"input_size\": ", ev->input_size);
	ob_lit(o, ", \"sha256\": ");
	if (ev->have_sha256) {
		ob_putc(o, '"');
		ob_hex_bytes(o, ev->sha256, sizeof(ev->sha256));
		ob_putc(o, '"');
	} else {
		ob_lit(o, "null");
	}
	ob_lit(o, ", \"journal_uuid\": ");
	if (ev->have_journal)
		ob_uuid(o, ev->journal_uuid);
	else
		ob_lit(o, "null");
	ob_lit(o, ", \"journal_errno\": ");
	if (ev->have_journal)
		ob_s64(o, ev->journal_errno);
	else
		ob_lit(o, "null");
	ob_putc(o, '}');
}

void e2fc_evidence_print_json(FILE *f, const struct e2fc_evidence *ev)
{
	char buf[1024];
	struct ob o;

	ob_init(&o, f, buf, sizeof(buf));
	json_evidence(&o, ev);
	ob_flush(&o);
}

/* bytes from .. from+len-1 of a TLV (header included); the padding a
 * tag does not hold is zero */
static void hex_tlv(struct ob *o, const struct e2fc_tag *t, unsigned from,
		    unsigned len)
{
	unsigned have = EXT4_FC_TL_SIZE + t->held, n = 0;

	if (from < have) {
		n = have - from < len ? have - from : len;
		ob_hex_bytes(o, t->value - EXT4_FC_TL_SIZE + from, n);
	}
	ob_hex_zeros(o, len - n);
}

static void journal_features(struct ob *o, const struct e2fc_jsb *sb,
			     const char *sep, int json)
{
	static const struct {
		int		compat;
		uint32_t	mask;
	} all[] = {
		{ E2P_FEATURE_COMPAT, JBD2_FEATURE_COMPAT_CHECKSUM },
		{ E2P_FEATURE_INCOMPAT, JBD2_FEATURE_INCOMPAT_REVOKE },
		{ E2P_FEATURE_INCOMPAT, JBD2_FEATURE_INCOMPAT_64BIT },
		{ E2P_FEATURE_INCOMPAT, JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT },
		{ E2P_FEATURE_INCOMPAT, JBD2_FEATURE_INCOMPAT_CSUM_V2 },
		{ E2P_FEATURE_INCOMPAT, JBD2_FEATURE_INCOMPAT_CSUM_V3 },
		{ E2P_FEATURE_INCOMPAT, JBD2_FEATURE_INCOMPAT_FAST_COMMIT },
	};
	unsigned i, n = 0, bit;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		uint32_t word = all[i].compat == E2P_FEATURE_COMPAT ?
				sb->feature_compat : sb->feature_incompat;
		const char *name;

		if (!(word & all[i].mask))
			continue;
		for (bit = 0; !(all[i].mask & (1U << bit)); bit++)
			;
		/* libe2p 1.47.0 has no name for fast_commit */
		if (all[i].mask == JBD2_FEATURE_INCOMPAT_FAST_COMMIT &&
		    all[i].compat == E2P_FEATURE_INCOMPAT)
			name = "journal_fast_commit";
		else
			name = e2p_jrnl_feature2string(all[i].compat, 1U << bit);
		if (n++)
			ob_str(o, sep);
		if (json)
			ob_json_string(o, name);
		else
			ob_str(o, name);
	}
	if (!n && !json)
		ob_lit(o, "(none)");
}

static const char *csum_word(int present, int ok)
{
	if (!present)
		return "none";
	return ok ? "ok" : "BAD";
}

/* ---- text --------------------------------------------------------------- */

static void print_inode_text(struct ob *o, const struct e2fc_inode *in)
{
	unsigned i, n;

	ob_lit(o, " mode 0");
	ob_oct32(o, in->mode);
	kv_u32(o, " uid ", in->uid);
	kv_u32(o, " gid ", in->gid);
	kv_u64(o, " size ", in->size);
	kv_u32(o, " links ", in->links);
	ob_lit(o, " flags 0x");
	ob_hex32w(o, in->flags, 0);
	kv_u64(o, " blocks ", in->blocks);
	ob_time(o, "atime", 5, in->atime, in->atime_ns);
	ob_time(o, "ctime", 5, in->ctime, in->ctime_ns);
	ob_time(o, "mtime", 5, in->mtime, in->mtime_ns);
	if (in->has_crtime)
		ob_time(o, "crtime", 6, in->crtime, in->crtime_ns);
	if (in->inline_data) {
		ob_lit(o, " inline");
		return;
	}
	if (!in->has_extents)
		return;
	if (!in->eh_valid) {
		ob_lit(o, " extents (bad header)");
		return;
	}
	kv_u32(o, " extents depth ", in->eh_depth);
	kv_u32(o, " entries ", in->eh_entries);
	n = in->eh_entries < 4 ? in->eh_entries : 4;
	for (i = 0; i < n; i++) {
		uint16_t len = in->eh_ent[i].len;

		kv_u32(o, " [", in->eh_ent[i].lblk);
		if (in->eh_depth) {
			kv_u64(o, " -> index ", in->eh_ent[i].pblk);
			ob_putc(o, ']');
			continue;
		}
		ob_putc(o, '+');
		ob_u32(o, len > EXT4_FC_EXT_MAX_INIT_LEN ?
		       len - EXT4_FC_EXT_MAX_INIT_LEN : len);
		kv_u64(o, " -> ", in->eh_ent[i].pblk);
		if (len > EXT4_FC_EXT_MAX_INIT_LEN)
			ob_lit(o, " unwritten");
		ob_putc(o, ']');
	}
}

/*
 * A tag's fields, the one list both the text and the JSON printer walk.
 * text or json NULL: the field is left out of that form.
 */
enum field_kind {
	F_DEC,		/* a number: decimal in both forms */
	F_HEX,		/* text 0x%x, JSON decimal */
	F_CRC,		/* text 0x%08x, JSON decimal */
	F_FLAG,		/* text the bare key when set, JSON a boolean */
	F_NAME,		/* bytes p, v long: text quoted, JSON + name_hex */
	F_INODE,	/* the inode of INODE tag p: text its fields, JSON an
			 * object */
};

struct tag_field {
	const char		*text, *json;
	unsigned		json_len;	/* strlen(json): folded where
						 * put_field is inlined */
	enum field_kind		kind;
	uint64_t		v;
	const void		*p;
};

#define TAG_FIELDS_MAX	6

static unsigned put_field(struct tag_field *f, const char *text,
			  const char *json, enum field_kind kind, uint64_t v)
{
	f->text = text;
	f->json = json;
	f->json_len = json ? strlen(json) : 0;
	f->kind = kind;
	f->v = v;
	f->p = NULL;
	return 1;
}

static unsigned range_fields(struct tag_field *f, uint32_t ino,
			     uint32_t lblk, uint32_t len)
{
	put_field(&f[0], "ino", "ino", F_DEC, ino);
	put_field(&f[1], "lblk", "lblk", F_DEC, lblk);
	put_field(&f[2], "len", "len", F_DEC, len);
	return 3;
}

static unsigned dentry_fields(struct tag_field *f, const struct e2fc_tag *t)
{
	put_field(&f[0], "parent", "parent", F_DEC, t->u.dentry.parent);
	put_field(&f[1], "ino", "ino", F_DEC, t->u.dentry.ino);
	put_field(&f[2], "name", "name", F_NAME, t->u.dentry.name_len);
	f[2].p = t->u.dentry.name;
	return 3;
}

static unsigned inode_fields(struct tag_field *f, const struct e2fc_tag *t)
{
	put_field(&f[0], "ino", "ino", F_DEC, t->u.inode.ino);
	put_field(&f[1], NULL, "inode_size", F_DEC, t->u.inode.raw_len);
	put_field(&f[2], "inode", "inode", F_INODE, 0);
	f[2].p = t;
	return 3;
}

/* the fields of tag t into f[TAG_FIELDS_MAX] */
static unsigned tag_fields(const struct e2fc_tag *t, struct tag_field *f)
{
	unsigned n;

	switch (t->tag) {
	case EXT4_FC_TAG_HEAD:
		put_field(&f[0], "features", "features", F_HEX,
			  t->u.head.features);
		return 1 + put_field(&f[1], "tid", "tid", F_DEC,
				     t->u.head.tid);
	case EXT4_FC_TAG_ADD_RANGE:
		n = range_fields(f, t->u.add.ino, t->u.add.lblk, t->u.add.len);
		n += put_field(&f[n], "pblk", "pblk", F_DEC, t->u.add.pblk);
		return n + put_field(&f[n], "unwritten", "unwritten", F_FLAG,
				     t->u.add.unwritten);
	case EXT4_FC_TAG_DEL_RANGE:
		return range_fields(f, t->u.del.ino, t->u.del.lblk,
				    t->u.del.len);
	case EXT4_FC_TAG_CREAT:
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
		return dentry_fields(f, t);
	case EXT4_FC_TAG_INODE:
		return inode_fields(f, t);
	case EXT4_FC_TAG_PAD:
		return put_field(f, "len", "pad_len", F_DEC, t->u.pad.len);
	case EXT4_FC_TAG_TAIL:
		put_field(&f[0], "tid", "tid", F_DEC, t->u.tail.tid);
		return 1 + put_field(&f[1], "crc", "crc", F_CRC,
				     t->u.tail.crc);
	}
	/* an unknown tag: its length (JSON has value_len for all) */
	return put_field(f, "len", NULL, F_DEC, t->len);
}

static void json_inode(struct ob *o, const struct e2fc_inode *in);

/*
 * The inode of INODE tag t, text or JSON.  The same inode is often logged
 * twice in a row (15k image: 6,005 of its 21,047 INODE tags repeat the
 * one before): the last one printed is kept and copied.
 */
static void inode_out(struct ob *o, const struct e2fc_tag *t, int json)
{
	const uint8_t *raw = t->u.inode.raw;
	unsigned len = t->u.inode.raw_len;
	struct e2fc_inode in;

	if (ob_memo_hit(o, json, raw, len))
		return;
	e2fc_inode_decode(raw, len, &in);
	ob_memo_begin(o);
	if (json)
		json_inode(o, &in);
	else
		print_inode_text(o, &in);
	ob_memo_end(o, json, raw, len);
}

static void text_field(struct ob *o, const struct tag_field *f)
{
	if (f->kind == F_INODE) {
		inode_out(o, f->p, 0);
		return;
	}
	if (f->kind == F_FLAG && !f->v)
		return;
	ob_putc(o, ' ');
	ob_str(o, f->text);
	switch (f->kind) {
	case F_DEC:
		ob_putc(o, ' ');
		ob_u64(o, f->v);
		break;
	case F_HEX:
	case F_CRC:
		ob_lit(o, " 0x");
		ob_hex32w(o, f->v, f->kind == F_CRC ? 8 : 0);
		break;
	case F_NAME:
		ob_lit(o, " \"");
		ob_name(o, f->p, f->v);
		ob_putc(o, '"');
		break;
	default:
		break;
	}
}

static void print_tag(struct ob *o, const struct e2fc_tag *t)
{
	struct tag_field f[TAG_FIELDS_MAX];
	const char *name = e2fc_tag_name(t->tag);
	unsigned i, n = tag_fields(t, f);

	if (name) {
		ob_str(o, name);
	} else {
		kv_u32(o, "UNKNOWN(", t->tag);
		ob_putc(o, ')');
	}
	for (i = 0; i < n; i++)
		if (f[i].text)
			text_field(o, &f[i]);
}

static void print_raw(struct ob *o, const struct e2fc_tag *t)
{
	unsigned total = EXT4_FC_TL_SIZE + t->len, i;

	for (i = 0; i < total; i += 32) {
		ob_lit(o, "      raw ");
		hex_tlv(o, t, i, total - i < 32 ? total - i : 32);
		ob_putc(o, '\n');
	}
}

/* what (" (stored 0x"), then the stored and the computed checksum */
static void stored_computed(struct ob *o, const char *what, uint32_t stored,
			    uint32_t computed)
{
	ob_str(o, what);
	ob_hex32w(o, stored, 8);
	ob_lit(o, ", computed 0x");
	ob_hex32w(o, computed, 8);
	ob_putc(o, ')');
}

static void print_jsb_text(struct ob *o, const struct e2fc_journal *j)
{
	const struct e2fc_jsb *sb = &j->sb;

	if (j->external) {
		ob_lit(o, "Journal: external device ");
		ob_str(o, j->ext_name);
	} else {
		kv_u32(o, "Journal: inode ", j->fs->super->s_journal_inum);
	}
	ob_lit(o, "\nJournal superblock: v");
	ob_u32(o, sb->blocktype == JBD2_BT_SB_V2 ? 2 : 1);
	ob_fmtu(o, ", block size %u, %u blocks, first %u, sequence %u, "
		"start %u", sb->blocksize, sb->maxlen, sb->first, sb->sequence,
		sb->start);
	ob_lit(o, "\nJournal features: ");
	journal_features(o, sb, " ", 0);
	ob_lit(o, "\nJournal checksum: ");
	ob_str(o, csum_word(sb->csum_present, sb->csum_ok));
	if (sb->csum_present)
		stored_computed(o, " (stored 0x", sb->checksum,
				sb->checksum_computed);
	if (sb->num_fc_blks) {
		kv_u32(o, "\nFast-commit area: blocks ", sb->fc_first);
		ob_putc(o, '-');
		ob_u32(o, sb->maxlen - 1);
		kv_u32(o, " (", sb->fc_blocks);
		ob_lit(o, " blocks)\n");
	} else {
		ob_lit(o, "\nFast-commit area: none\n");
	}
}

static void print_log_text(struct ob *o, const struct e2fc_log *log)
{
	unsigned i, k;

	kv_u32(o, "\nJournal log: start block ", log->start_block);
	kv_u32(o, ", sequence ", log->start_tid);
	ob_putc(o, '\n');
	for (i = 0; i < log->ntrans; i++) {
		const struct e2fc_log_trans *t = &log->trans[i];

		ob_fmtu(o, "Transaction %u: first block %u, %u descriptor, "
			"%u data, %u revoke records, ", t->tid, t->first_block,
			t->ndesc, t->ndata, t->nrevoked);
		if (t->complete) {
			kv_u32(o, "commit block ", t->commit_block);
			ob_lit(o, " (checksum ");
			ob_str(o, csum_word(t->commit_csum_present,
					    t->commit_csum_ok));
			ob_lit(o, ")\n");
		} else {
			ob_lit(o, "no commit block\n");
		}
		for (k = t->first_lb; k < t->first_lb + t->ndata &&
		     k < log->nblocks; k++) {
			kv_u32(o, "  log block ", log->blocks[k].log_block);
			kv_u64(o, " -> fs block ", log->blocks[k].target);
			if (log->blocks[k].escaped)
				ob_lit(o, " escaped");
			if (!log->blocks[k].csum_ok)
				ob_lit(o, " BAD-CHECKSUM");
			ob_putc(o, '\n');
		}
	}
	for (i = 0; i < log->nrevokes; i++) {
		kv_u64(o, "Revoke: block ", log->revokes[i].block);
		kv_u32(o, " (tid ", log->revokes[i].tid);
		ob_lit(o, ")\n");
	}
	kv_u32(o, "Log scan stopped at block ", log->end_block);
	ob_lit(o, ": ");
	ob_str(o, e2fc_log_stop_name(log->stop));
	kv_u32(o, "; expected tid ", log->expected_tid);
	ob_putc(o, '\n');
}

static void print_commit_text(struct ob *o, const struct e2fc_fc *fc,
			      const struct e2fc_commit *c, int flags)
{
	unsigned k;

	ob_fmtu(o, "\nCommit %u: tid %u, blocks %u-%u\n", c->index, c->tid,
		c->first_block, c->last_block);
	for (k = c->first_tag; k < c->first_tag + c->ntags; k++) {
		const struct e2fc_tag *t = &fc->tags[k];

		kv_u32(o, "  ", t->block);
		ob_putc(o, '+');
		ob_u32(o, t->offset);
		ob_putc(o, ' ');
		print_tag(o, t);
		ob_putc(o, '\n');
		if (flags & E2FC_PRINT_RAW)
			print_raw(o, t);
	}
	if (c->valid) {
		ob_lit(o, "  verdict: valid (crc 0x");
		ob_hex32w(o, c->crc_stored, 8);
		ob_lit(o, ")\n");
		return;
	}
	ob_lit(o, "  verdict: not replayable: ");
	ob_str(o, error_message(c->reason));
	if (c->has_tail)
		stored_computed(o, " (crc stored 0x", c->crc_stored,
				c->crc_computed);
	ob_putc(o, '\n');
}

/*
 * Both reports write through one buffer: the body formats into it and
 * ob_close() flushes it to f.  ev, the evidence header, is for JSON.
 */
typedef void (*report_fn)(struct ob *o, const struct e2fc_journal *j,
			  const struct e2fc_log *log, const struct e2fc_fc *fc,
			  int flags, const struct e2fc_evidence *ev);

static void print_report(FILE *f, report_fn body,
			 const struct e2fc_journal *j,
			 const struct e2fc_log *log, const struct e2fc_fc *fc,
			 int flags, const struct e2fc_evidence *ev)
{
	char small[1024];
	struct ob o;

	ob_open(&o, f, small, sizeof(small));
	body(&o, j, log, fc, flags, ev);
	ob_close(&o, small);
}

static void text_head(struct ob *o, const struct e2fc_journal *j,
		      const struct e2fc_log *log, int flags)
{
	print_jsb_text(o, j);
	if ((flags & E2FC_PRINT_LOG) && log)
		print_log_text(o, log);
}

/* after the commits: the area's verdict */
static void text_tail(struct ob *o, const struct e2fc_fc *fc)
{
	kv_u32(o, "\nExpected tid: ", fc->expected_tid);
	ob_lit(o, "\nFast-commit area: ");
	ob_str(o, e2fc_fc_state_name(fc->state));
	ob_putc(o, '\n');
	if (fc->stop_reason) {
		kv_u32(o, "Replay stops at block ", fc->stop_block);
		kv_u32(o, " offset ", fc->stop_offset);
		ob_lit(o, ": ");
		ob_str(o, error_message(fc->stop_reason));
		ob_putc(o, '\n');
	}
	ob_fmtu(o, "Replayable: %u of %u commits, %u tags\n",
		fc->replay_commits, fc->ncommits, fc->replay_tags);
}

static void report_text(struct ob *o, const struct e2fc_journal *j,
			const struct e2fc_log *log, const struct e2fc_fc *fc,
			int flags, const struct e2fc_evidence *ev)
{
	unsigned i;

	(void)ev;
	text_head(o, j, log, flags);
	for (i = 0; i < fc->ncommits; i++)
		print_commit_text(o, fc, &fc->commits[i], flags);
	text_tail(o, fc);
}

void e2fc_print_text(FILE *f, const struct e2fc_journal *j,
		     const struct e2fc_log *log, const struct e2fc_fc *fc,
		     int flags)
{
	print_report(f, report_text, j, log, fc, flags, NULL);
}

/*
 * What replaying a tag changes, in words (e2fsck-fc -n's plan).  Returns 0
 * for tags that change nothing (HEAD, PAD, TAIL).
 */
int e2fc_describe_tag(FILE *f, const struct e2fc_tag *t)
{
	struct e2fc_inode in;

	switch (t->tag) {
	case EXT4_FC_TAG_INODE:
		e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &in);
		fprintf(f, "rewrite inode %u: mode 0%o, size %" PRIu64
			", links %u", t->u.inode.ino, in.mode, in.size,
			in.links);
		return 1;
	case EXT4_FC_TAG_ADD_RANGE:
		fprintf(f, "map inode %u logical blocks %u-%" PRIu64
			" to %" PRIu64 "-%" PRIu64 "%s", t->u.add.ino,
			t->u.add.lblk,
			(uint64_t)t->u.add.lblk + t->u.add.len - 1,
			t->u.add.pblk, t->u.add.pblk + t->u.add.len - 1,
			t->u.add.unwritten ? " (unwritten)" : "");
		return 1;
	case EXT4_FC_TAG_DEL_RANGE:
		fprintf(f, "unmap inode %u logical blocks %u-%" PRIu64
			" and free them", t->u.del.ino, t->u.del.lblk,
			(uint64_t)t->u.del.lblk + t->u.del.len - 1);
		return 1;
	case EXT4_FC_TAG_CREAT:
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
		fputs(t->tag == EXT4_FC_TAG_UNLINK ? "remove entry \"" :
		      "add entry \"", f);
		e2fc_print_name(f, t->u.dentry.name, t->u.dentry.name_len);
		fprintf(f, "\" (inode %u) %s directory %u%s", t->u.dentry.ino,
			t->tag == EXT4_FC_TAG_UNLINK ? "from" : "in",
			t->u.dentry.parent,
			t->tag == EXT4_FC_TAG_CREAT ? ", new inode" :
			t->tag == EXT4_FC_TAG_LINK ? ", one more link" :
			", one link less");
		return 1;
	}
	return 0;
}

/* ---- JSON --------------------------------------------------------------- */

static void json_inode(struct ob *o, const struct e2fc_inode *in)
{
	unsigned i, n;

	kv_u32(o, "{\"mode\": ", in->mode);
	kv_u32(o, ", \"uid\": ", in->uid);
	kv_u32(o, ", \"gid\": ", in->gid);
	kv_u64(o, ", \"size\": ", in->size);
	kv_u32(o, ", \"links\": ", in->links);
	kv_u32(o, ", \"flags\": ", in->flags);
	kv_u64(o, ", \"blocks\": ", in->blocks);
	kv_u32(o, ", \"generation\": ", in->generation);
	kv_u32(o, ", \"dtime\": ", in->dtime);
	kv_u64(o, ", \"file_acl\": ", in->file_acl);
	kv_s64(o, ", \"atime\": ", in->atime);
	kv_u32(o, ", \"atime_ns\": ", in->atime_ns);
	kv_s64(o, ", \"ctime\": ", in->ctime);
	kv_u32(o, ", \"ctime_ns\": ", in->ctime_ns);
	kv_s64(o, ", \"mtime\": ", in->mtime);
	kv_u32(o, ", \"mtime_ns\": ", in->mtime_ns);
	if (in->has_crtime) {
		kv_s64(o, ", \"crtime\": ", in->crtime);
		kv_u32(o, ", \"crtime_ns\": ", in->crtime_ns);
	}
	kv_u32(o, ", \"extra_isize\": ", in->extra_isize);
	kv_bool(o, ", \"inline_data\": ", in->inline_data);
	if (in->has_extents && !in->inline_data) {
		kv_bool(o, ", \"extents\": {\"valid\": ", in->eh_valid);
		kv_u32(o, ", \"depth\": ", in->eh_depth);
		kv_u32(o, ", \"entries\": ", in->eh_entries);
		kv_u32(o, ", \"max\": ", in->eh_max);
		ob_lit(o, ", \"root\": [");
		n = in->eh_valid ? (in->eh_entries < 4 ? in->eh_entries : 4) : 0;
		for (i = 0; i < n; i++) {
			uint16_t len = in->eh_ent[i].len;

			if (i)
				ob_lit(o, ", ");
			kv_u32(o, "{\"lblk\": ", in->eh_ent[i].lblk);
			if (in->eh_depth) {
				kv_u64(o, ", \"child\": ", in->eh_ent[i].pblk);
				ob_putc(o, '}');
				continue;
			}
			kv_u32(o, ", \"len\": ",
			       len > EXT4_FC_EXT_MAX_INIT_LEN ?
			       len - EXT4_FC_EXT_MAX_INIT_LEN : len);
			kv_u64(o, ", \"pblk\": ", in->eh_ent[i].pblk);
			kv_bool(o, ", \"unwritten\": ",
				len > EXT4_FC_EXT_MAX_INIT_LEN);
			ob_putc(o, '}');
		}
		ob_lit(o, "]}");
	}
	ob_lit(o, ", \"i_block_hex\": \"");
	ob_hex_bytes(o, in->i_block, sizeof(in->i_block));
	ob_lit(o, "\"}");
}

/* device byte offset of logical journal block blk, offset off */
static uint64_t phys_offset(const struct e2fc_journal *j, uint32_t blk,
			    uint32_t off)
{
	blk64_t pblk;

	if (!e2fc_journal_bmap(j, blk, &pblk))
		return 0;
	return (uint64_t)pblk * j->blocksize + off;
}

static void json_field(struct ob *o, const struct tag_field *f)
{
	ob_lit(o, ", \"");
	ob_mem(o, f->json, f->json_len);
	ob_lit(o, "\": ");
	switch (f->kind) {
	case F_FLAG:
		ob_bool(o, f->v);
		break;
	case F_NAME:
		ob_json_bytes(o, f->p, f->v);
		ob_lit(o, ", \"name_hex\": \"");
		ob_hex_bytes(o, f->p, f->v);
		ob_putc(o, '"');
		break;
	case F_INODE:
		inode_out(o, f->p, 1);
		break;
	default:
		ob_u64(o, f->v);
	}
}

/* the start of a known tag's JSON object, up to its value_len: one copy
 * for what every tag of that kind prints alike */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define JSON_HEAD(name)	[EXT4_FC_TAG_##name] = "{\"tag\": \"" #name \
			"\", \"tag_id\": " STR(EXT4_FC_TAG_##name) \
			", \"value_len\": ",
static const char *const json_heads[EXT4_FC_TAG_MAX + 1] = {
	EXT4_FC_TAGS(JSON_HEAD)
};
#undef JSON_HEAD

static void json_tag(struct ob *o, const struct e2fc_journal *j,
		     const struct e2fc_tag *t, int flags)
{
	struct tag_field f[TAG_FIELDS_MAX];
	unsigned i, n;

	if (t->tag <= EXT4_FC_TAG_MAX && json_heads[t->tag]) {
		ob_str(o, json_heads[t->tag]);
	} else {
		kv_u32(o, "{\"tag\": \"UNKNOWN\", \"tag_id\": ", t->tag);
		ob_lit(o, ", \"value_len\": ");
	}
	ob_u32(o, t->len);
	kv_u32(o, ", \"block\": ", t->block);
	kv_u32(o, ", \"offset\": ", t->offset);
	kv_u64(o, ", \"phys_offset\": ", phys_offset(j, t->block, t->offset));
	n = tag_fields(t, f);
	for (i = 0; i < n; i++)
		if (f[i].json)
			json_field(o, &f[i]);
	if (flags & E2FC_PRINT_RAW) {
		ob_lit(o, ", \"raw_hex\": \"");
		hex_tlv(o, t, 0, EXT4_FC_TL_SIZE + t->len);
		ob_putc(o, '"');
	}
	ob_putc(o, '}');
}

static void json_commit(struct ob *o, const struct e2fc_journal *j,
			const struct e2fc_fc *fc, const struct e2fc_commit *c,
			int flags)
{
	unsigned k;

	kv_u32(o, "{\"index\": ", c->index);
	kv_u32(o, ", \"tid\": ", c->tid);
	kv_u32(o, ", \"first_block\": ", c->first_block);
	kv_u32(o, ", \"last_block\": ", c->last_block);
	kv_bool(o, ", \"has_tail\": ", c->has_tail);
	kv_u32(o, ", \"crc_stored\": ", c->crc_stored);
	kv_u32(o, ", \"crc_computed\": ", c->crc_computed);
	kv_bool(o, ", \"valid\": ", c->valid);
	ob_lit(o, ", \"reason\": ");
	if (c->valid)
		ob_lit(o, "null");
	else
		ob_json_string(o, e2fc_reason_name(c->reason));
	ob_lit(o, ", \"tags\": [");
	for (k = c->first_tag; k < c->first_tag + c->ntags; k++) {
		if (k == c->first_tag)
			ob_lit(o, "\n      ");
		else
			ob_lit(o, ",\n      ");
		json_tag(o, j, &fc->tags[k], flags);
	}
	ob_lit(o, "]}");
}

static void json_journal(struct ob *o, const struct e2fc_journal *j)
{
	const struct e2fc_jsb *sb = &j->sb;

	kv_bool(o, "  \"journal\": {\"external\": ", j->external);
	kv_u32(o, ", \"block_size\": ", sb->blocksize);
	kv_u32(o, ", \"version\": ", sb->blocktype == JBD2_BT_SB_V2 ? 2 : 1);
	kv_u32(o, ", \"maxlen\": ", sb->maxlen);
	kv_u32(o, ", \"first\": ", sb->first);
	kv_u32(o, ", \"sequence\": ", sb->sequence);
	kv_u32(o, ", \"start\": ", sb->start);
	kv_u32(o, ", \"fc_first\": ", sb->num_fc_blks ? sb->fc_first : 0);
	kv_u32(o, ", \"fc_blocks\": ", sb->fc_blocks);
	ob_lit(o, ", \"checksum\": ");
	ob_json_string(o, csum_word(sb->csum_present, sb->csum_ok));
	ob_lit(o, ", \"features\": [");
	journal_features(o, sb, ", ", 1);
	ob_lit(o, "]},\n");
}

static void json_log(struct ob *o, const struct e2fc_log *log)
{
	unsigned i;

	kv_u32(o, "  \"log\": {\"start_block\": ", log->start_block);
	kv_u32(o, ", \"start_tid\": ", log->start_tid);
	kv_u32(o, ", \"expected_tid\": ", log->expected_tid);
	kv_u32(o, ", \"end_block\": ", log->end_block);
	ob_lit(o, ", \"stop\": ");
	ob_json_string(o, e2fc_log_stop_name(log->stop));
	ob_lit(o, ", \"transactions\": [");
	for (i = 0; i < log->ntrans; i++) {
		const struct e2fc_log_trans *t = &log->trans[i];

		if (i)
			ob_lit(o, ",\n    ");
		else
			ob_lit(o, "\n    ");
		kv_u32(o, "{\"tid\": ", t->tid);
		kv_u32(o, ", \"first_block\": ", t->first_block);
		/* %d of (int)commit_block, or -1 */
		ob_lit(o, ", \"commit_block\": ");
		if (t->complete && (int)t->commit_block >= 0) {
			ob_u32(o, t->commit_block);
		} else {
			ob_putc(o, '-');
			ob_u32(o, t->complete ?
			       0U - t->commit_block : 1U);
		}
		kv_u32(o, ", \"descriptors\": ", t->ndesc);
		kv_u32(o, ", \"data_blocks\": ", t->ndata);
		kv_u32(o, ", \"revoke_records\": ", t->nrevoked);
		kv_bool(o, ", \"complete\": ", t->complete);
		ob_putc(o, '}');
	}
	ob_lit(o, "],\n    \"revokes\": [");
	for (i = 0; i < log->nrevokes; i++) {
		if (i)
			ob_lit(o, ", ");
		kv_u64(o, "{\"block\": ", log->revokes[i].block);
		kv_u32(o, ", \"tid\": ", log->revokes[i].tid);
		ob_putc(o, '}');
	}
	ob_lit(o, "]},\n");
}

/* where the FC blocks read are on the device: runs of contiguous blocks */
static void json_block_map(struct ob *o, const struct e2fc_journal *j,
			   const struct e2fc_fc *fc)
{
	uint32_t b, count, end = fc->fc_first + fc->nblocks;
	blk64_t contig, pblk;
	unsigned n = 0;

	ob_lit(o, "\"block_map\": [");
	for (b = fc->fc_first; b < end; b += count) {
		contig = e2fc_journal_bmap(j, b, &pblk);
		if (!contig)
			break;
		count = contig < end - b ? contig : end - b;
		if (n++)
			ob_lit(o, ", ");
		kv_u32(o, "{\"block\": ", b);
		kv_u32(o, ", \"count\": ", count);
		kv_u64(o, ", \"phys_offset\": ", pblk * j->blocksize);
		ob_putc(o, '}');
	}
	ob_putc(o, ']');
}

/*
 * The JSON report in three parts, so that it can be written as the area
 * is read: the head (evidence, journal, log, where the area is) up to the
 * opening of the commits array, each commit, then the area's verdict.
 */
static void json_head(struct ob *o, const struct e2fc_journal *j,
		      const struct e2fc_log *log, const struct e2fc_fc *fc,
		      int flags, const struct e2fc_evidence *ev)
{
	ob_lit(o, "{\n");
	if (ev) {
		ob_lit(o, "  ");
		json_evidence(o, ev);
		ob_lit(o, ",\n");
	}
	json_journal(o, j);
	if ((flags & E2FC_PRINT_LOG) && log)
		json_log(o, log);
	ob_lit(o, "  \"fast_commit\": {");
	json_block_map(o, j, fc);
	ob_lit(o, ",\n    \"commits\": [");
}

/* commit number n of the array (0: the first) */
static void json_item(struct ob *o, const struct e2fc_journal *j,
		      const struct e2fc_fc *fc, const struct e2fc_commit *c,
		      unsigned n, int flags)
{
	if (n)
		ob_lit(o, ",\n    ");
	else
		ob_lit(o, "\n    ");
	json_commit(o, j, fc, c, flags);
}

static void json_tail(struct ob *o, const struct e2fc_fc *fc)
{
	kv_u32(o, "],\n    \"expected_tid\": ", fc->expected_tid);
	ob_lit(o, ", \"state\": ");
	ob_json_string(o, e2fc_fc_state_name(fc->state));
	kv_u32(o, ", \"replay_commits\": ", fc->replay_commits);
	kv_u32(o, ", \"replay_tags\": ", fc->replay_tags);
	ob_lit(o, ", \"stop\": ");
	if (fc->stop_reason) {
		ob_lit(o, "{\"reason\": ");
		ob_json_string(o, e2fc_reason_name(fc->stop_reason));
		kv_u32(o, ", \"block\": ", fc->stop_block);
		kv_u32(o, ", \"offset\": ", fc->stop_offset);
		ob_putc(o, '}');
	} else {
		ob_lit(o, "null");
	}
	ob_lit(o, "}\n}\n");
}

static void report_json(struct ob *o, const struct e2fc_journal *j,
			const struct e2fc_log *log, const struct e2fc_fc *fc,
			int flags, const struct e2fc_evidence *ev)
{
	unsigned i;

	json_head(o, j, log, fc, flags, ev);
	for (i = 0; i < fc->ncommits; i++)
		json_item(o, j, fc, &fc->commits[i], i, flags);
	json_tail(o, fc);
}

void e2fc_print_json(FILE *f, const struct e2fc_journal *j,
		     const struct e2fc_log *log, const struct e2fc_fc *fc,
		     int flags)
{
	e2fc_print_json_ev(f, j, log, fc, flags, NULL);
}

void e2fc_print_json_ev(FILE *f, const struct e2fc_journal *j,
			const struct e2fc_log *log, const struct e2fc_fc *fc,
			int flags, const struct e2fc_evidence *ev)
{
	print_report(f, report_json, j, log, fc, flags, ev);
}

/* ---- e2fcdump's reports: a commit at a time ------------------------ */

struct dump_ctx {
	struct ob			*o;
	const struct e2fc_journal	*j;
	const struct e2fc_log		*log;
	const struct e2fc_evidence	*ev;
	int				flags;
	int				json;
	unsigned			n;	/* commits printed */
};

/* the JSON head needs the area's place, which the scan gives */
static void dump_head(struct dump_ctx *d, const struct e2fc_fc *fc)
{
	if (d->json && !d->n)
		json_head(d->o, d->j, d->log, fc, d->flags, d->ev);
}

static errcode_t dump_commit(const struct e2fc_fc *fc,
			     const struct e2fc_commit *c, void *arg)
{
	struct dump_ctx *d = arg;

	dump_head(d, fc);
	if (d->json)
		json_item(d->o, d->j, fc, c, d->n, d->flags);
	else
		print_commit_text(d->o, fc, c, d->flags);
	d->n++;
	return 0;
}

/*
 * The report of e2fc_print_text or e2fc_print_json_ev, byte for byte,
 * without holding the area's tags: each commit is printed as the scan
 * closes it (e2fc_fc_scan_each), so memory stays that of one commit
 * however large the area.  *fcp gets the verdict (no tags), which both
 * reports print after the commits.  On an error before anything reached
 * f, nothing is printed.
 */
static errcode_t dump(FILE *f, struct e2fc_journal *j,
		      const struct e2fc_log *log, int flags, int json,
		      const struct e2fc_evidence *ev, struct e2fc_fc **fcp)
{
	char small[1024];
	struct ob o;
	struct dump_ctx d = { &o, j, log, ev, flags, json, 0 };
	errcode_t err;

	*fcp = NULL;
	ob_open(&o, f, small, sizeof(small));
	if (!json)
		text_head(&o, j, log, flags);
	/* the padding is only ever shown as raw bytes */
	err = e2fc_fc_scan_each(j, log, (flags & E2FC_PRINT_RAW) ? 0 :
				E2FC_SCAN_NO_PAD, dump_commit, &d, fcp);
	if (!err && json) {
		dump_head(&d, *fcp);
		json_tail(&o, *fcp);
	} else if (!err) {
		text_tail(&o, *fcp);
	} else if (!o.flushed) {
		o.p = o.buf;
	}
	ob_close(&o, small);
	return err;
}

errcode_t e2fc_dump_text(FILE *f, struct e2fc_journal *j,
			 const struct e2fc_log *log, int flags,
			 struct e2fc_fc **fcp)
{
	return dump(f, j, log, flags, 0, NULL, fcp);
}

errcode_t e2fc_dump_json(FILE *f, struct e2fc_journal *j,
			 const struct e2fc_log *log, int flags,
			 const struct e2fc_evidence *ev, struct e2fc_fc **fcp)
{
	return dump(f, j, log, flags, 1, ev, fcp);
}
