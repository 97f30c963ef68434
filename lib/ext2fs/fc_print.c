/*
 * fc_print.c -- the one printer of journal, log and fast-commit area, as
 * text for people and as JSON for scripts (schema: doc/e2fcdump-json.md).
 * Every program prints through here; none formats tags on its own.
 */
#include <string.h>
#include <inttypes.h>
#include <e2p/e2p.h>
#include "e2fc.h"

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

/* printable ASCII stays, everything else (and the backslash) is \xNN */
void e2fc_print_name(FILE *f, const uint8_t *name, unsigned len)
{
	unsigned i;

	for (i = 0; i < len; i++) {
		if (name[i] >= 0x20 && name[i] < 0x7f && name[i] != '\\')
			fputc(name[i], f);
		else
			fprintf(f, "\\x%02x", name[i]);
	}
}

void e2fc_print_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* the escaped name (as e2fc_print_name gives it) as a JSON string */
static void json_name(FILE *f, const uint8_t *name, unsigned len)
{
	unsigned i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		if (name[i] >= 0x20 && name[i] < 0x7f && name[i] != '\\' &&
		    name[i] != '"')
			fputc(name[i], f);
		else if (name[i] == '"')
			fputs("\\\"", f);
		else
			fprintf(f, "\\\\x%02x", name[i]);
	}
	fputc('"', f);
}

static void hex_bytes(FILE *f, const uint8_t *p, unsigned len)
{
	while (len--)
		fprintf(f, "%02x", *p++);
}

/* bytes from .. from+len-1 of a TLV (header included); the padding a
 * tag does not hold is zero */
static void hex_tlv(FILE *f, const struct e2fc_tag *t, unsigned from,
		    unsigned len)
{
	unsigned have = EXT4_FC_TL_SIZE + t->held, n = 0;

	if (from < have) {
		n = have - from < len ? have - from : len;
		hex_bytes(f, t->value - EXT4_FC_TL_SIZE + from, n);
	}
	for (; n < len; n++)
		fputs("00", f);
}

static void journal_features(FILE *f, const struct e2fc_jsb *sb,
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
		fputs(n++ ? sep : "", f);
		if (json)
			e2fc_print_json_string(f, name);
		else
			fputs(name, f);
	}
	if (!n && !json)
		fputs("(none)", f);
}

static const char *csum_word(int present, int ok)
{
	if (!present)
		return "none";
	return ok ? "ok" : "BAD";
}

/* ---- text --------------------------------------------------------------- */

static void print_time(FILE *f, const char *what, int64_t sec, uint32_t ns)
{
	fprintf(f, " %s %" PRId64 ".%09u", what, sec, ns);
}

static void print_inode_text(FILE *f, const struct e2fc_inode *in)
{
	unsigned i, n;

	fprintf(f, " mode 0%o uid %u gid %u size %" PRIu64 " links %u"
		" flags 0x%x blocks %" PRIu64, in->mode, in->uid, in->gid,
		in->size, in->links, in->flags, in->blocks);
	print_time(f, "atime", in->atime, in->atime_ns);
	print_time(f, "ctime", in->ctime, in->ctime_ns);
	print_time(f, "mtime", in->mtime, in->mtime_ns);
	if (in->has_crtime)
		print_time(f, "crtime", in->crtime, in->crtime_ns);
	if (in->inline_data) {
		fputs(" inline", f);
		return;
	}
	if (!in->has_extents)
		return;
	if (!in->eh_valid) {
		fputs(" extents (bad header)", f);
		return;
	}
	fprintf(f, " extents depth %u entries %u", in->eh_depth,
		in->eh_entries);
	n = in->eh_entries < 4 ? in->eh_entries : 4;
	for (i = 0; i < n; i++) {
		if (in->eh_depth)
			fprintf(f, " [%u -> index %" PRIu64 "]",
				in->eh_ent[i].lblk, in->eh_ent[i].pblk);
		else
			fprintf(f, " [%u+%u -> %" PRIu64 "%s]",
				in->eh_ent[i].lblk,
				in->eh_ent[i].len > EXT4_FC_EXT_MAX_INIT_LEN ?
				in->eh_ent[i].len - EXT4_FC_EXT_MAX_INIT_LEN :
				in->eh_ent[i].len, in->eh_ent[i].pblk,
				in->eh_ent[i].len > EXT4_FC_EXT_MAX_INIT_LEN ?
				" unwritten" : "");
	}
}

void e2fc_print_tag(FILE *f, const struct e2fc_tag *t)
{
	struct e2fc_inode in;
	const char *name = e2fc_tag_name(t->tag);

	if (name)
		fputs(name, f);
	else
		fprintf(f, "UNKNOWN(%u)", t->tag);
	switch (t->tag) {
	case EXT4_FC_TAG_HEAD:
		fprintf(f, " features 0x%x tid %u", t->u.head.features,
			t->u.head.tid);
		break;
	case EXT4_FC_TAG_ADD_RANGE:
		fprintf(f, " ino %u lblk %u len %u pblk %" PRIu64 "%s",
			t->u.add.ino, t->u.add.lblk, t->u.add.len,
			t->u.add.pblk, t->u.add.unwritten ? " unwritten" : "");
		break;
	case EXT4_FC_TAG_DEL_RANGE:
		fprintf(f, " ino %u lblk %u len %u", t->u.del.ino,
			t->u.del.lblk, t->u.del.len);
		break;
	case EXT4_FC_TAG_CREAT:
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
		fprintf(f, " parent %u ino %u name \"", t->u.dentry.parent,
			t->u.dentry.ino);
		e2fc_print_name(f, t->u.dentry.name, t->u.dentry.name_len);
		fputc('"', f);
		break;
	case EXT4_FC_TAG_INODE:
		fprintf(f, " ino %u", t->u.inode.ino);
		e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &in);
		print_inode_text(f, &in);
		break;
	case EXT4_FC_TAG_PAD:
		fprintf(f, " len %u", t->u.pad.len);
		break;
	case EXT4_FC_TAG_TAIL:
		fprintf(f, " tid %u crc 0x%08x", t->u.tail.tid, t->u.tail.crc);
		break;
	default:
		fprintf(f, " len %u", t->len);
	}
}

static void print_raw(FILE *f, const struct e2fc_tag *t)
{
	unsigned total = EXT4_FC_TL_SIZE + t->len, i;

	for (i = 0; i < total; i += 32) {
		fputs("      raw ", f);
		hex_tlv(f, t, i, total - i < 32 ? total - i : 32);
		fputc('\n', f);
	}
}

static void print_jsb_text(FILE *f, const struct e2fc_journal *j)
{
	const struct e2fc_jsb *sb = &j->sb;

	if (j->external)
		fprintf(f, "Journal: external device %s\n", j->ext_name);
	else
		fprintf(f, "Journal: inode %u\n", j->fs->super->s_journal_inum);
	fprintf(f, "Journal superblock: v%u, block size %u, %u blocks, "
		"first %u, sequence %u, start %u\n",
		sb->blocktype == JBD2_BT_SB_V2 ? 2 : 1, sb->blocksize,
		sb->maxlen, sb->first, sb->sequence, sb->start);
	fputs("Journal features: ", f);
	journal_features(f, sb, " ", 0);
	fputc('\n', f);
	fprintf(f, "Journal checksum: %s", csum_word(sb->csum_present,
						       sb->csum_ok));
	if (sb->csum_present)
		fprintf(f, " (stored 0x%08x, computed 0x%08x)", sb->checksum,
			sb->checksum_computed);
	fputc('\n', f);
	if (sb->num_fc_blks)
		fprintf(f, "Fast-commit area: blocks %u-%u (%u blocks)\n",
			sb->fc_first, sb->maxlen - 1, sb->fc_blocks);
	else
		fputs("Fast-commit area: none\n", f);
}

static void print_log_text(FILE *f, const struct e2fc_log *log)
{
	unsigned i, k;

	fprintf(f, "\nJournal log: start block %u, sequence %u\n",
		log->start_block, log->start_tid);
	for (i = 0; i < log->ntrans; i++) {
		const struct e2fc_log_trans *t = &log->trans[i];

		fprintf(f, "Transaction %u: first block %u, %u descriptor, "
			"%u data, %u revoke records, ", t->tid, t->first_block,
			t->ndesc, t->ndata, t->nrevoked);
		if (t->complete)
			fprintf(f, "commit block %u (checksum %s)\n",
				t->commit_block,
				csum_word(t->commit_csum_present,
					  t->commit_csum_ok));
		else
			fputs("no commit block\n", f);
		for (k = t->first_lb; k < t->first_lb + t->ndata &&
		     k < log->nblocks; k++)
			fprintf(f, "  log block %u -> fs block %" PRIu64
				"%s%s\n", log->blocks[k].log_block,
				log->blocks[k].target,
				log->blocks[k].escaped ? " escaped" : "",
				log->blocks[k].csum_ok ? "" : " BAD-CHECKSUM");
	}
	for (i = 0; i < log->nrevokes; i++)
		fprintf(f, "Revoke: block %" PRIu64 " (tid %u)\n",
			log->revokes[i].block, log->revokes[i].tid);
	fprintf(f, "Log scan stopped at block %u: %s; expected tid %u\n",
		log->end_block, e2fc_log_stop_name(log->stop),
		log->expected_tid);
}

static void print_commit_text(FILE *f, const struct e2fc_fc *fc,
			      const struct e2fc_commit *c, int flags)
{
	unsigned k;

	fprintf(f, "\nCommit %u: tid %u, blocks %u-%u\n", c->index, c->tid,
		c->first_block, c->last_block);
	for (k = c->first_tag; k < c->first_tag + c->ntags; k++) {
		const struct e2fc_tag *t = &fc->tags[k];

		fprintf(f, "  %u+%u ", t->block, t->offset);
		e2fc_print_tag(f, t);
		fputc('\n', f);
		if (flags & E2FC_PRINT_RAW)
			print_raw(f, t);
	}
	if (c->valid)
		fprintf(f, "  verdict: valid (crc 0x%08x)\n", c->crc_stored);
	else if (c->has_tail)
		fprintf(f, "  verdict: not replayable: %s (crc stored 0x%08x,"
			" computed 0x%08x)\n", error_message(c->reason),
			c->crc_stored, c->crc_computed);
	else
		fprintf(f, "  verdict: not replayable: %s\n",
			error_message(c->reason));
}

void e2fc_print_text(FILE *f, const struct e2fc_journal *j,
		     const struct e2fc_log *log, const struct e2fc_fc *fc,
		     int flags)
{
	unsigned i;

	print_jsb_text(f, j);
	if ((flags & E2FC_PRINT_LOG) && log)
		print_log_text(f, log);
	for (i = 0; i < fc->ncommits; i++)
		print_commit_text(f, fc, &fc->commits[i], flags);
	fprintf(f, "\nExpected tid: %u\n", fc->expected_tid);
	fprintf(f, "Fast-commit area: %s\n", e2fc_fc_state_name(fc->state));
	if (fc->stop_reason)
		fprintf(f, "Replay stops at block %u offset %u: %s\n",
			fc->stop_block, fc->stop_offset,
			error_message(fc->stop_reason));
	fprintf(f, "Replayable: %u of %u commits, %u tags\n",
		fc->replay_commits, fc->ncommits, fc->replay_tags);
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

static void json_inode(FILE *f, const struct e2fc_inode *in)
{
	unsigned i, n;

	fprintf(f, "{\"mode\": %u, \"uid\": %u, \"gid\": %u, \"size\": %"
		PRIu64 ", \"links\": %u, \"flags\": %u, \"blocks\": %" PRIu64
		", \"generation\": %u, \"dtime\": %u, \"file_acl\": %" PRIu64,
		in->mode, in->uid, in->gid, in->size, in->links, in->flags,
		in->blocks, in->generation, in->dtime, in->file_acl);
	fprintf(f, ", \"atime\": %" PRId64 ", \"atime_ns\": %u, \"ctime\": %"
		PRId64 ", \"ctime_ns\": %u, \"mtime\": %" PRId64
		", \"mtime_ns\": %u", in->atime, in->atime_ns, in->ctime,
		in->ctime_ns, in->mtime, in->mtime_ns);
	if (in->has_crtime)
		fprintf(f, ", \"crtime\": %" PRId64 ", \"crtime_ns\": %u",
			in->crtime, in->crtime_ns);
	fprintf(f, ", \"extra_isize\": %u, \"inline_data\": %s",
		in->extra_isize, in->inline_data ? "true" : "false");
	if (in->has_extents && !in->inline_data) {
		fprintf(f, ", \"extents\": {\"valid\": %s, \"depth\": %u, "
			"\"entries\": %u, \"max\": %u, \"root\": [",
			in->eh_valid ? "true" : "false", in->eh_depth,
			in->eh_entries, in->eh_max);
		n = in->eh_valid ? (in->eh_entries < 4 ? in->eh_entries : 4) : 0;
		for (i = 0; i < n; i++) {
			uint16_t len = in->eh_ent[i].len;

			fputs(i ? ", " : "", f);
			if (in->eh_depth)
				fprintf(f, "{\"lblk\": %u, \"child\": %" PRIu64
					"}", in->eh_ent[i].lblk,
					in->eh_ent[i].pblk);
			else
				fprintf(f, "{\"lblk\": %u, \"len\": %u, "
					"\"pblk\": %" PRIu64 ", \"unwritten\":"
					" %s}", in->eh_ent[i].lblk,
					len > EXT4_FC_EXT_MAX_INIT_LEN ?
					len - EXT4_FC_EXT_MAX_INIT_LEN : len,
					in->eh_ent[i].pblk,
					len > EXT4_FC_EXT_MAX_INIT_LEN ?
					"true" : "false");
		}
		fputs("]}", f);
	}
	fputs(", \"i_block_hex\": \"", f);
	hex_bytes(f, in->i_block, sizeof(in->i_block));
	fputs("\"}", f);
}

static void json_tag(FILE *f, const struct e2fc_tag *t, int flags)
{
	struct e2fc_inode in;
	const char *name = e2fc_tag_name(t->tag);

	fputs("{\"tag\": ", f);
	e2fc_print_json_string(f, name ? name : "UNKNOWN");
	fprintf(f, ", \"tag_id\": %u, \"value_len\": %u, \"block\": %u, "
		"\"offset\": %u", t->tag, t->len, t->block, t->offset);
	switch (t->tag) {
	case EXT4_FC_TAG_HEAD:
		fprintf(f, ", \"features\": %u, \"tid\": %u",
			t->u.head.features, t->u.head.tid);
		break;
	case EXT4_FC_TAG_ADD_RANGE:
		fprintf(f, ", \"ino\": %u, \"lblk\": %u, \"len\": %u, "
			"\"pblk\": %" PRIu64 ", \"unwritten\": %s",
			t->u.add.ino, t->u.add.lblk, t->u.add.len,
			t->u.add.pblk, t->u.add.unwritten ? "true" : "false");
		break;
	case EXT4_FC_TAG_DEL_RANGE:
		fprintf(f, ", \"ino\": %u, \"lblk\": %u, \"len\": %u",
			t->u.del.ino, t->u.del.lblk, t->u.del.len);
		break;
	case EXT4_FC_TAG_CREAT:
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
		fprintf(f, ", \"parent\": %u, \"ino\": %u, \"name\": ",
			t->u.dentry.parent, t->u.dentry.ino);
		json_name(f, t->u.dentry.name, t->u.dentry.name_len);
		fputs(", \"name_hex\": \"", f);
		hex_bytes(f, t->u.dentry.name, t->u.dentry.name_len);
		fputc('"', f);
		break;
	case EXT4_FC_TAG_INODE:
		fprintf(f, ", \"ino\": %u, \"inode_size\": %u, \"inode\": ",
			t->u.inode.ino, t->u.inode.raw_len);
		e2fc_inode_decode(t->u.inode.raw, t->u.inode.raw_len, &in);
		json_inode(f, &in);
		break;
	case EXT4_FC_TAG_PAD:
		fprintf(f, ", \"pad_len\": %u", t->u.pad.len);
		break;
	case EXT4_FC_TAG_TAIL:
		fprintf(f, ", \"tid\": %u, \"crc\": %u", t->u.tail.tid,
			t->u.tail.crc);
		break;
	}
	if (flags & E2FC_PRINT_RAW) {
		fputs(", \"raw_hex\": \"", f);
		hex_tlv(f, t, 0, EXT4_FC_TL_SIZE + t->len);
		fputc('"', f);
	}
	fputc('}', f);
}

static void json_commit(FILE *f, const struct e2fc_fc *fc,
			const struct e2fc_commit *c, int flags)
{
	unsigned k;

	fprintf(f, "{\"index\": %u, \"tid\": %u, \"first_block\": %u, "
		"\"last_block\": %u, \"has_tail\": %s, \"crc_stored\": %u, "
		"\"crc_computed\": %u, \"valid\": %s, \"reason\": ", c->index,
		c->tid, c->first_block, c->last_block,
		c->has_tail ? "true" : "false", c->crc_stored, c->crc_computed,
		c->valid ? "true" : "false");
	if (c->valid)
		fputs("null", f);
	else
		e2fc_print_json_string(f, e2fc_reason_name(c->reason));
	fputs(", \"tags\": [", f);
	for (k = c->first_tag; k < c->first_tag + c->ntags; k++) {
		fputs(k == c->first_tag ? "\n      " : ",\n      ", f);
		json_tag(f, &fc->tags[k], flags);
	}
	fputs("]}", f);
}

static void json_journal(FILE *f, const struct e2fc_journal *j)
{
	const struct e2fc_jsb *sb = &j->sb;

	fprintf(f, "  \"journal\": {\"external\": %s, \"block_size\": %u, "
		"\"version\": %u, \"maxlen\": %u, \"first\": %u, "
		"\"sequence\": %u, \"start\": %u, \"fc_first\": %u, "
		"\"fc_blocks\": %u, \"checksum\": ",
		j->external ? "true" : "false", sb->blocksize,
		sb->blocktype == JBD2_BT_SB_V2 ? 2 : 1, sb->maxlen, sb->first,
		sb->sequence, sb->start, sb->num_fc_blks ? sb->fc_first : 0,
		sb->fc_blocks);
	e2fc_print_json_string(f, csum_word(sb->csum_present, sb->csum_ok));
	fputs(", \"features\": [", f);
	journal_features(f, sb, ", ", 1);
	fputs("]},\n", f);
}

static void json_log(FILE *f, const struct e2fc_log *log)
{
	unsigned i;

	fprintf(f, "  \"log\": {\"start_block\": %u, \"start_tid\": %u, "
		"\"expected_tid\": %u, \"end_block\": %u, \"stop\": ",
		log->start_block, log->start_tid, log->expected_tid,
		log->end_block);
	e2fc_print_json_string(f, e2fc_log_stop_name(log->stop));
	fputs(", \"transactions\": [", f);
	for (i = 0; i < log->ntrans; i++) {
		const struct e2fc_log_trans *t = &log->trans[i];

		fprintf(f, "%s{\"tid\": %u, \"first_block\": %u, "
			"\"commit_block\": %d, \"descriptors\": %u, "
			"\"data_blocks\": %u, \"revoke_records\": %u, "
			"\"complete\": %s}", i ? ",\n    " : "\n    ", t->tid,
			t->first_block, t->complete ? (int)t->commit_block : -1,
			t->ndesc, t->ndata, t->nrevoked,
			t->complete ? "true" : "false");
	}
	fputs("],\n    \"revokes\": [", f);
	for (i = 0; i < log->nrevokes; i++)
		fprintf(f, "%s{\"block\": %" PRIu64 ", \"tid\": %u}",
			i ? ", " : "", log->revokes[i].block,
			log->revokes[i].tid);
	fputs("]},\n", f);
}

void e2fc_print_json(FILE *f, const struct e2fc_journal *j,
		     const struct e2fc_log *log, const struct e2fc_fc *fc,
		     int flags)
{
	unsigned i;

	fputs("{\n", f);
	json_journal(f, j);
	if ((flags & E2FC_PRINT_LOG) && log)
		json_log(f, log);
	fprintf(f, "  \"fast_commit\": {\"expected_tid\": %u, \"state\": ",
		fc->expected_tid);
	e2fc_print_json_string(f, e2fc_fc_state_name(fc->state));
	fprintf(f, ", \"replay_commits\": %u, \"replay_tags\": %u, "
		"\"stop\": ", fc->replay_commits, fc->replay_tags);
	if (fc->stop_reason) {
		fputs("{\"reason\": ", f);
		e2fc_print_json_string(f, e2fc_reason_name(fc->stop_reason));
		fprintf(f, ", \"block\": %u, \"offset\": %u}", fc->stop_block,
			fc->stop_offset);
	} else {
		fputs("null", f);
	}
	fputs(",\n    \"commits\": [", f);
	for (i = 0; i < fc->ncommits; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		json_commit(f, fc, &fc->commits[i], flags);
	}
	fputs("]}\n}\n", f);
}
