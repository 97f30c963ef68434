/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * libe2fc.h -- the public interface of libe2fc: read the fast-commit area
 * of an ext4 image's jbd2 journal, replay it in memory, read the tree the
 * replay leaves, save it to a new file, or recover the image in place.
 *
 * Installed as <e2fc/libe2fc.h>; link with `pkg-config --libs e2fc`.
 * Every function returns 0 or an error code (errcode_t, as in libext2fs:
 * a libe2fc code from <e2fc/fc_err.h>, a libext2fs code or an errno
 * value); e2fc_error_message() turns it into words.  The library never
 * prints and never exits.  An image handle is used by one thread at a
 * time; several handles, on the same file or not, may be open at once.
 * See libe2fc(3).
 */
#ifndef LIBE2FC_H
#define LIBE2FC_H

#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>
#include "fc_err.h"
#include "e2fc_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* an open image: opaque */
struct e2fc_image;

/* e2fc's version (E2FC_VERSION of the library) and libext2fs's, as the
 * running libraries report them */
const char *e2fc_version(void);
const char *e2fc_ext2fs_version(void);
/* the message of code (com_err's tables of libe2fc and libext2fs are
 * registered on first use) */
const char *e2fc_error_message(errcode_t code);
/* free memory the library handed out (e2fc_image_json, ...) */
void e2fc_free(void *p);

/* ---- open, scan ---------------------------------------------------- */

/*
 * Open path read-only and scan its journal: the jbd2 log and the
 * fast-commit area.  journal: the external journal device, or NULL.
 * flags: 0.  Nothing is written to either file by any function but
 * e2fc_apply().  A file system without a journal opens too (no commits).
 */
errcode_t e2fc_image_open(const char *path, const char *journal, int flags,
			  struct e2fc_image **imgp);
void e2fc_image_close(struct e2fc_image *img);

struct e2fc_image_info {
	int		has_journal;
	int		needs_recovery;	/* the superblock says so */
	int		external_journal;
	uint32_t	journal_blocksize;
	uint32_t	log_transactions;	/* complete, to replay */
	uint32_t	log_blocks;		/* tagged in them */
	uint32_t	expected_tid;		/* first tid without a commit */
	const char	*fc_state;	/* "empty", "stale", "replayable",
					 * "corrupt" */
	uint32_t	fc_first, fc_blocks;	/* the area, journal blocks */
	uint32_t	commits;		/* fast commits found */
	uint32_t	replay_commits;		/* valid prefix */
	uint32_t	replay_tags;
	uint32_t	reserved[8];
};
errcode_t e2fc_image_info(const struct e2fc_image *img,
			  struct e2fc_image_info *info);

/* ---- commits, tags, events ----------------------------------------- */

struct e2fc_commit_info {
	uint32_t	index;
	uint32_t	tid;
	uint32_t	first_block, last_block;	/* journal blocks */
	uint32_t	crc_stored, crc_computed;
	int		has_tail;
	int		valid;		/* would be replayed */
	errcode_t	reason;		/* why not: an E2FC_ERR_FC_* code */
	const char	*reason_name;	/* "crc-mismatch", or NULL */
	uint32_t	ntags;
	uint32_t	reserved[8];
};
/* commit index of the image (0 .. info.commits - 1) */
errcode_t e2fc_image_commit(const struct e2fc_image *img, unsigned index,
			    struct e2fc_commit_info *ci);

struct e2fc_tag_info {
	uint16_t	tag;		/* EXT4_FC_TAG_* (any value if unknown) */
	const char	*name;		/* "ADD_RANGE", or NULL if unknown */
	uint16_t	len;		/* value length */
	uint32_t	block, offset;	/* where its header is */
	const uint8_t	*value;		/* the first held bytes of the value */
	uint16_t	held;		/* the rest (len - held) is zero */
	uint32_t	reserved[8];
};
/* tag index of commit (0 .. ci.ntags - 1); the pointers live as long
 * as img */
errcode_t e2fc_image_tag(const struct e2fc_image *img, unsigned commit,
			 unsigned index, struct e2fc_tag_info *ti);
/* what replaying that tag changes, in words, NUL-terminated in buf
 * (cut to len - 1 bytes); "" for HEAD, PAD and TAIL */
errcode_t e2fc_image_tag_describe(const struct e2fc_image *img,
				  unsigned commit, unsigned index,
				  char *buf, size_t len);

/* the journal and fast-commit area as JSON, the bytes of
 * `e2fcdump --json` (doc/e2fcdump-json.md); *text is NUL-terminated,
 * *len bytes long, freed with e2fc_free */
errcode_t e2fc_image_json(const struct e2fc_image *img, char **text,
			  size_t *len);
/* the events of the fast-commit area as JSON Lines, one event an object
 * a line, as `e2fcdump --events --json` prints them */
errcode_t e2fc_image_events_json(const struct e2fc_image *img, char **text,
				 size_t *len);

/* ---- plan, replay ------------------------------------------------- */

#define E2FC_ALL_COMMITS	(~0U)

struct e2fc_replay_result {
	uint32_t	log_trans;	/* jbd2 transactions replayed */
	uint32_t	log_blocks;	/* blocks written from the log */
	uint32_t	log_revoked;	/* blocks skipped as revoked */
	uint32_t	log_bad_csum;	/* skipped: bad data checksum */
	uint32_t	fc_commits;	/* fast commits replayed */
	uint32_t	fc_tags;	/* their tags applied */
	uint32_t	fc_skipped;	/* tags the kernel skips too */
	uint32_t	inodes_freed;
	uint64_t	blocks_freed, blocks_allocated;
	/* e2fc_image_plan only: the first tag the check refuses */
	uint32_t	bad_commit, bad_tag;
	uint32_t	reserved[8];
};

/*
 * The plan: what a replay of the first until_commit valid fast commits
 * (E2FC_ALL_COMMITS: all) would do, every tag checked against the file
 * system without changing anything.  Fills log_trans, log_blocks,
 * log_revoked, log_bad_csum, fc_commits and fc_tags; returns the first
 * tag's error (bad_commit and bad_tag say which) when the plan must be
 * refused.
 */
errcode_t e2fc_image_plan(const struct e2fc_image *img,
			  unsigned until_commit,
			  struct e2fc_replay_result *plan);
/*
 * Replay the journal into memory: the complete jbd2 transactions, then
 * the first until_commit valid fast commits.  The files are not
 * written; every read afterwards shows the result.  Once per image
 * (EALREADY after); an image that needs no recovery replays nothing.
 * res may be NULL.
 */
errcode_t e2fc_image_replay(struct e2fc_image *img, unsigned until_commit,
			    struct e2fc_replay_result *res);

/* ---- the tree (after a replay: the replayed tree) ----------------- */

struct e2fc_stat {
	uint32_t	ino;
	uint16_t	mode;		/* type and permission bits */
	uint16_t	nlink;
	uint32_t	uid, gid;
	uint64_t	size;
	uint64_t	blocks;		/* 512-byte units */
	int64_t		atime, mtime, ctime, crtime;	/* seconds */
	uint32_t	atime_ns, mtime_ns, ctime_ns, crtime_ns;
	uint32_t	rdev;		/* device files: Linux's encoding */
	uint32_t	flags;		/* EXT4_*_FL */
	uint32_t	reserved[8];
};

/* paths are absolute ("/" is the root); symbolic links in the middle of
 * a path are followed, the last component's is not (lstat) */
errcode_t e2fc_image_lookup(const struct e2fc_image *img, const char *path,
			    uint32_t *ino);
errcode_t e2fc_image_stat(const struct e2fc_image *img, const char *path,
			  struct e2fc_stat *st);
/* read up to len bytes of a regular file from offset; *got: bytes read
 * (0 at the end) */
errcode_t e2fc_image_read(const struct e2fc_image *img, const char *path,
			  uint64_t offset, void *buf, size_t len,
			  size_t *got);
/* the target of a symbolic link, NUL-terminated in buf (ENAMETOOLONG
 * when it does not fit in len bytes); *got: its length */
errcode_t e2fc_image_readlink(const struct e2fc_image *img,
			      const char *path, char *buf, size_t len,
			      size_t *got);
/* called for each entry of a directory but "." and ".."; name is not
 * NUL-terminated; type: EXT2_FT_* (0 when the file system does not
 * record it).  Return non-zero to stop. */
typedef int (*e2fc_readdir_fn)(void *arg, const char *name,
			       unsigned name_len, uint32_t ino, int type);
errcode_t e2fc_image_readdir(const struct e2fc_image *img, const char *path,
			     e2fc_readdir_fn fn, void *arg);

/* ---- out ------------------------------------------------------------ */

/* write the image as it reads now (after a replay: the replayed one) to
 * the new file target, holes kept; target must not exist */
errcode_t e2fc_image_save(const struct e2fc_image *img, const char *target);

/*
 * Recover path in place, as e2fsck-fc does before its check: the replay
 * is made in memory, then written back in an order a power cut cannot
 * spoil (the changed blocks first as one jbd2 transaction).  Refused,
 * with nothing written, when the plan fails its check or the kernel
 * would not load the journal.  res may be NULL.
 */
errcode_t e2fc_apply(const char *path, const char *journal,
		     unsigned until_commit, struct e2fc_replay_result *res);

#ifdef __cplusplus
}
#endif

#endif /* LIBE2FC_H */
