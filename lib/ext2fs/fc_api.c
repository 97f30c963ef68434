// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * fc_api.c -- the public interface of libe2fc (libe2fc.h): opaque image
 * handles over the internal library (e2fc.h).  The image is opened
 * through the overlay io manager, so a replay stays in memory; only
 * e2fc_apply() writes, through e2fc_recover_writeback().
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fc_api_int.h"

/* ---- library ------------------------------------------------------- */

const char *e2fc_version(void)
{
	return E2FC_VERSION;
}

const char *e2fc_ext2fs_version(void)
{
	const char *ver = NULL;

	ext2fs_get_library_version(&ver, NULL);
	return ver ? ver : "unknown";
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void add_tables(void)
{
	initialize_e2fc_error_table();
	initialize_ext2_error_table();
}

static void tables(void)
{
	pthread_once(&tables_once, add_tables);
}

const char *e2fc_error_message(errcode_t code)
{
	tables();
	return error_message(code);
}

void e2fc_free(void *p)
{
	free(p);
}

/* ---- open, scan ---------------------------------------------------- */

void e2fc_image_close(struct e2fc_image *img)
{
	if (!img)
		return;
	e2fc_unload(&img->ld);
	/* the overlays go with their channels */
	e2fc_fs_discard(&img->fs);
	free(img->path);
	free(img->journal);
	free(img);
}

errcode_t e2fc_image_open(const char *path, const char *journal, int flags,
			  struct e2fc_image **imgp)
{
	int oflags = EXT2_FLAG_64BITS | EXT2_FLAG_RW;
	struct e2fc_image *img;
	const char *what;
	errcode_t err;

	*imgp = NULL;
	if (!path || flags)
		return EXT2_ET_INVALID_ARGUMENT;
	tables();
	img = calloc(1, sizeof(*img));
	if (!img)
		return EXT2_ET_NO_MEMORY;
	img->path = strdup(path);
	img->journal = journal ? strdup(journal) : NULL;
	if (!img->path || (journal && !img->journal)) {
		err = EXT2_ET_NO_MEMORY;
		goto fail;
	}
	err = ext2fs_open(path, oflags, 0, 0, e2fc_overlay_io_manager,
			  &img->fs);
	if (err || !ext2fs_has_feature_journal(img->fs->super))
		goto out;
	err = e2fc_load(img->fs, journal, E2FC_JOPEN_OVERLAY | E2FC_JOPEN_RW,
			&img->ld, &what);
out:
	if (!err) {
		*imgp = img;
		return 0;
	}
fail:
	e2fc_image_close(img);
	return err;
}

static unsigned complete_trans(const struct e2fc_log *log, unsigned *blocks)
{
	unsigned i, n = 0;

	*blocks = 0;
	for (i = 0; log && i < log->ntrans; i++) {
		if (!log->trans[i].complete)
			continue;
		n++;
		*blocks += log->trans[i].ndata;
	}
	return n;
}

errcode_t e2fc_image_info(const struct e2fc_image *img,
			  struct e2fc_image_info *info)
{
	const struct e2fc_fc *fc = img->ld.fc;
	unsigned blocks;

	memset(info, 0, sizeof(*info));
	info->has_journal = ext2fs_has_feature_journal(img->fs->super);
	info->needs_recovery =
		ext2fs_has_feature_journal_needs_recovery(img->fs->super);
	info->fc_state = e2fc_fc_state_name(E2FC_FC_EMPTY);
	if (!img->ld.j)
		return 0;
	info->external_journal = img->ld.j->external;
	info->journal_blocksize = img->ld.j->blocksize;
	info->log_transactions = complete_trans(img->ld.log, &blocks);
	info->log_blocks = blocks;
	info->expected_tid = img->ld.log->expected_tid;
	info->fc_state = e2fc_fc_state_name(fc->state);
	info->fc_first = img->ld.j->sb.fc_first;
	info->fc_blocks = img->ld.j->sb.fc_blocks;
	info->commits = fc->ncommits;
	info->replay_commits = fc->replay_commits;
	info->replay_tags = fc->replay_tags;
	return 0;
}

/* ---- commits, tags ------------------------------------------------ */

static const struct e2fc_commit *commit_at(const struct e2fc_image *img,
					   unsigned index)
{
	const struct e2fc_fc *fc = img->ld.fc;

	return fc && index < fc->ncommits ? &fc->commits[index] : NULL;
}

static const struct e2fc_tag *tag_at(const struct e2fc_image *img,
				     unsigned commit, unsigned index)
{
	const struct e2fc_commit *c = commit_at(img, commit);

	if (!c || index >= c->ntags)
		return NULL;
	return &img->ld.fc->tags[c->first_tag + index];
}

errcode_t e2fc_image_commit(const struct e2fc_image *img, unsigned index,
			    struct e2fc_commit_info *ci)
{
	const struct e2fc_commit *c = commit_at(img, index);

	memset(ci, 0, sizeof(*ci));
	if (!c)
		return EXT2_ET_INVALID_ARGUMENT;
	ci->index = c->index;
	ci->tid = c->tid;
	ci->first_block = c->first_block;
	ci->last_block = c->last_block;
	ci->crc_stored = c->crc_stored;
	ci->crc_computed = c->crc_computed;
	ci->has_tail = c->has_tail;
	ci->valid = c->valid;
	ci->reason = c->reason;
	ci->reason_name = e2fc_reason_name(c->reason);
	ci->ntags = c->ntags;
	return 0;
}

errcode_t e2fc_image_tag(const struct e2fc_image *img, unsigned commit,
			 unsigned index, struct e2fc_tag_info *ti)
{
	const struct e2fc_tag *t = tag_at(img, commit, index);

	memset(ti, 0, sizeof(*ti));
	if (!t)
		return EXT2_ET_INVALID_ARGUMENT;
	ti->tag = t->tag;
	ti->name = e2fc_tag_name(t->tag);
	ti->len = t->len;
	ti->block = t->block;
	ti->offset = t->offset;
	ti->value = t->value;
	ti->held = t->held;
	return 0;
}

errcode_t e2fc_image_tag_describe(const struct e2fc_image *img,
				  unsigned commit, unsigned index,
				  char *buf, size_t len)
{
	const struct e2fc_tag *t = tag_at(img, commit, index);
	FILE *f;

	if (!t || !buf || !len)
		return EXT2_ET_INVALID_ARGUMENT;
	memset(buf, 0, len);
	f = fmemopen(buf, len, "w");
	if (!f)
		return errno;
	setvbuf(f, NULL, _IONBF, 0);
	e2fc_describe_tag(f, t);
	fclose(f);
	buf[len - 1] = 0;
	return 0;
}

/* ---- JSON ------------------------------------------------------------ */

static errcode_t mem_open(FILE **f, char **text, size_t *len)
{
	*text = NULL;
	*len = 0;
	*f = open_memstream(text, len);
	return *f ? 0 : errno;
}

static errcode_t mem_close(FILE *f, errcode_t err, char **text,
			   size_t *len)
{
	if (ferror(f) && !err)
		err = EXT2_ET_NO_MEMORY;
	if (fclose(f) && !err)
		err = errno;
	if (err) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return err;
}

errcode_t e2fc_image_json(const struct e2fc_image *img, char **text,
			  size_t *len)
{
	errcode_t err;
	FILE *f;

	if (!img->ld.j)
		return E2FC_ERR_NO_JOURNAL;
	err = mem_open(&f, text, len);
	if (err)
		return err;
	e2fc_print_json(f, img->ld.j, img->ld.log, img->ld.fc, 0);
	return mem_close(f, 0, text, len);
}

/* the events of the FC area, JSON Lines, through the events printer
 * (fc_events*.c), which opens the image on its own */
errcode_t e2fc_image_events_json(const struct e2fc_image *img, char **text,
				 size_t *len)
{
	errcode_t err;
	FILE *f;

	err = mem_open(&f, text, len);
	if (err)
		return err;
	err = e2fc_events_print_file(img->path, img->journal, E2FC_EV_JSONL,
				     f);
	return mem_close(f, err, text, len);
}
