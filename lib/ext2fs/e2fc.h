/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * e2fc.h -- libe2fc: offline inspection and replay of the ext4 fast-commit
 * area of the jbd2 journal, on top of the system libext2fs.
 *
 * The library never prints and never exits: functions return errcode_t
 * (codes from fc_err.et or libext2fs) and fill plain host-endian structs.
 */
#ifndef E2FC_H
#define E2FC_H

#include <stdio.h>
#include <ext2fs/ext2fs.h>
#include "e2fc_disk.h"
#include "fc_err.h"

/* ===================================================================== */
/* crc32c.c: raw crc32c (Castagnoli, reflected, no pre/post inversion)    */
/* ===================================================================== */
uint32_t e2fc_crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t e2fc_crc32c_sw(uint32_t crc, const void *buf, size_t len);
/* 1 when the hardware path (SSE4.2) is in use */
int e2fc_crc32c_hw_available(void);
/* out[i]: the crc32c from seed of quarter i of buf, the four computed
 * side by side (len a multiple of 32; else out[0] is buf's, the others
 * seed) */
void e2fc_crc32c_x4(uint32_t seed, const void *buf, size_t len,
		    uint32_t out[4]);
/* e2fc_crc32c(crc, buf, len), four streams at once for 1 KiB and more
 * (their results joined by the crc's linearity) */
uint32_t e2fc_crc32c_wide(uint32_t crc, const void *buf, size_t len);

/* ===================================================================== */
/* journal.c: find the journal, decode its superblock, map its blocks     */
/* ===================================================================== */
struct e2fc_jsb {
	uint32_t	blocktype;	/* 3 = v1, 4 = v2 */
	uint32_t	blocksize;
	uint32_t	maxlen;
	uint32_t	first;
	uint32_t	sequence;
	uint32_t	start;		/* 0: clean */
	int32_t		errno_val;
	uint32_t	feature_compat;
	uint32_t	feature_incompat;
	uint32_t	feature_ro_compat;
	uint8_t		uuid[16];
	uint32_t	nr_users;
	uint8_t		checksum_type;
	uint32_t	num_fc_blks_raw;	/* as stored (0 = default) */
	uint32_t	checksum;		/* as stored */
	uint32_t	checksum_computed;
	int		csum_present;	/* csum v2/v3: superblock has a checksum */
	int		csum_ok;	/* valid only when csum_present */
	/* derived */
	uint32_t	num_fc_blks;	/* 0 without FAST_COMMIT, else n */
	uint32_t	log_end;	/* exclusive end of the normal log */
	uint32_t	fc_first;	/* first FC block written (log_end + 1) */
	uint32_t	fc_blocks;	/* FC blocks usable: fc_first .. maxlen-1 */
	uint32_t	csum_seed;	/* crc32c(~0, uuid) for csum v2/v3 */
};

/* decode a 1024-byte jbd2 superblock; checks magic, version, geometry */
errcode_t e2fc_jsb_decode(const void *buf, struct e2fc_jsb *sb);
static inline int e2fc_jsb_has_incompat(const struct e2fc_jsb *sb, uint32_t f)
{
	return sb->blocktype == JBD2_BT_SB_V2 && (sb->feature_incompat & f);
}
static inline int e2fc_jsb_csum_v23(const struct e2fc_jsb *sb)
{
	return e2fc_jsb_has_incompat(sb, JBD2_FEATURE_INCOMPAT_CSUM_V2 |
					 JBD2_FEATURE_INCOMPAT_CSUM_V3);
}

struct e2fc_journal {
	ext2_filsys	fs;
	int		external;	/* journal on a separate device */
	io_channel	ext_io;		/* the external device (owned) */
	char		*ext_name;
	unsigned	blocksize;
	struct e2fc_jsb	sb;
	/* logical journal block -> physical block (fs blocks, or device
	 * blocks of ext_io): sorted runs covering 0 .. maxlen-1 exactly */
	struct e2fc_jrun *runs;
	unsigned	nruns;
};

/* journal blocks lblk .. lblk+len-1 are physical blocks pblk .. pblk+len-1;
 * neighbouring runs are never physically contiguous (they are merged) */
struct e2fc_jrun {
	uint32_t	lblk;
	uint32_t	len;
	blk64_t		pblk;
};

/* the physical block of logical journal block lblk in *pblk; returns how
 * many blocks from lblk on are physically contiguous (the rest of its
 * run), 0 when lblk is outside the journal (*pblk is then 0) */
blk64_t e2fc_journal_bmap(const struct e2fc_journal *j, blk64_t lblk,
			  blk64_t *pblk);
/* the physical block of logical journal block lblk (0: outside it) */
blk64_t e2fc_journal_pblk(const struct e2fc_journal *j, blk64_t lblk);

/* ---- the group descriptors in huge pages (fc_gdt.c) ---- */

/*
 * ext2fs_open, with the group descriptors read into an array in huge
 * pages (fc_gdt.c; ext2fs_free frees it as its own).  With a superblock
 * number, EXT2_FLAG_SUPER_ONLY or EXT2_FLAG_IMAGE_FILE, and on big-endian
 * hosts, exactly ext2fs_open.
 */
errcode_t e2fc_fs_open(const char *name, int flags, int superblock,
		       unsigned int block_size, io_manager manager,
		       ext2_filsys *ret_fs);
/*
 * Close *fsp without writing anything: for an fs opened through
 * e2fc_overlay_io_manager (its writes die with the overlay) or one
 * e2fc_writeback has written back.  ext2fs_close would flush it into the
 * overlay first, a walk over every group (a tenth of a 64 TiB replay).
 */
void e2fc_fs_discard(ext2_filsys *fsp);

/* flags for e2fc_journal_open */
#define E2FC_JOPEN_RW		0x1	/* open the external device read-write */
#define E2FC_JOPEN_OVERLAY	0x2	/* open the external device through
					 * the overlay io manager: writes stay
					 * in memory */

/*
 * Find the journal of fs: the journal inode, or the external device
 * ext_journal (required when the fs has s_journal_dev / a zero
 * s_journal_inum with has_journal; its UUID is checked against
 * s_journal_uuid).  Reads and decodes the superblock and builds the map.
 */
errcode_t e2fc_journal_open(ext2_filsys fs, const char *ext_journal,
			    int flags, struct e2fc_journal **jp);
void e2fc_journal_close(struct e2fc_journal *j);
/* read count logical journal blocks starting at lblk (contiguous runs are
 * read with one io call) */
errcode_t e2fc_journal_read(struct e2fc_journal *j, blk64_t lblk,
			    unsigned count, void *buf);
errcode_t e2fc_journal_write(struct e2fc_journal *j, blk64_t lblk,
			     unsigned count, const void *buf);
/* the same through another channel open on the journal's device (io must
 * have the journal's block size): write = 1 writes */
errcode_t e2fc_journal_io(struct e2fc_journal *j, io_channel io, blk64_t lblk,
			  unsigned count, void *buf, int write);
/* set s_start and s_sequence in a raw jbd2 superblock, with its checksum */
void e2fc_jsb_set_start(uint8_t *buf, uint32_t start, uint32_t sequence);
/* may this journal be replayed and reset?  Not with a bad superblock
 * checksum (E2FC_ERR_JSB_CSUM) or an unknown read-only compatible
 * feature (E2FC_ERR_JSB_RO_COMPAT): the kernel refuses to load those */
errcode_t e2fc_journal_check_write(const struct e2fc_journal *j);
/* rewrite the jbd2 superblock: start = 0 and sequence = next_tid (journal
 * reset after recovery, making the FC area stale); recomputes checksum */
errcode_t e2fc_journal_reset(struct e2fc_journal *j, uint32_t next_tid);

/* ===================================================================== */
/* jbd2_log.c: scan the full log                                          */
/* ===================================================================== */
enum e2fc_log_stop {
	E2FC_LOG_CLEAN,		/* s_start == 0: nothing to scan */
	E2FC_LOG_NO_MAGIC,	/* block without the jbd2 magic */
	E2FC_LOG_SEQUENCE,	/* header with an unexpected sequence */
	E2FC_LOG_BAD_TYPE,	/* unknown block type */
	E2FC_LOG_CSUM,		/* descriptor/commit/revoke checksum bad */
	E2FC_LOG_TRUNCATED,	/* transaction without a commit block */
	E2FC_LOG_WRAPPED,	/* went all the way round */
};
const char *e2fc_log_stop_name(enum e2fc_log_stop s);

/* one block a descriptor tag says to write to the file system */
struct e2fc_log_block {
	uint64_t	target;		/* file-system block */
	uint32_t	log_block;	/* where its data is in the journal */
	uint32_t	tid;
	unsigned	escaped:1;	/* restore the jbd2 magic on replay */
	unsigned	csum_ok:1;	/* data checksum matched (or none) */
	uint32_t	csum_stored;	/* csum v2/v3 tag checksum */
};

struct e2fc_log_revoke {
	uint64_t	block;
	uint32_t	tid;
};

struct e2fc_log_trans {
	uint32_t	tid;
	uint32_t	first_block;	/* first log block (descriptor) */
	uint32_t	commit_block;	/* log block of the commit, or ~0U */
	unsigned	ndesc;		/* descriptor blocks */
	unsigned	ndata;		/* data blocks */
	unsigned	nrevoke_blocks;
	unsigned	nrevoked;	/* revoke records */
	unsigned	first_lb;	/* index into e2fc_log.blocks */
	int		complete;	/* has a valid commit block */
	int		commit_csum_present;
	int		commit_csum_ok;
	uint64_t	commit_sec;
	uint32_t	commit_nsec;
};

struct e2fc_revoke_hash;

struct e2fc_log {
	uint32_t		start_tid;	/* s_sequence */
	uint32_t		start_block;	/* s_start */
	uint32_t		expected_tid;	/* first tid without a commit */
	uint32_t		end_block;	/* log block where the scan stopped */
	enum e2fc_log_stop	stop;
	unsigned		ntrans;
	struct e2fc_log_trans	*trans;	/* complete ones, then at most one
					 * incomplete at the end */
	unsigned		nblocks;
	struct e2fc_log_block	*blocks;	/* in log order */
	unsigned		nrevokes;
	struct e2fc_log_revoke	*revokes;
	unsigned		bad_csums;	/* data blocks with bad checksums */
	struct e2fc_revoke_hash	*rh;	/* jbd2_log.c's index of the revokes
					 * (NULL: none, as in a log made by
					 * hand) */
};

errcode_t e2fc_log_scan(struct e2fc_journal *j, struct e2fc_log **logp);
/* the log block after blk, wrapping from the end of the log to s_first */
uint32_t e2fc_log_next(const struct e2fc_jsb *sb, uint32_t blk);
/* bytes of one descriptor tag (without the UUID) */
unsigned e2fc_jbd2_tag_bytes(const struct e2fc_jsb *sb);
/* one descriptor tag, decoded; read and written in the journal's format */
struct e2fc_jbd2_tag {
	uint64_t	target;		/* block number */
	uint32_t	flags;		/* JBD2_FLAG_* */
	uint32_t	csum;		/* csum v3; v2: low 16 bits */
};
void e2fc_jbd2_tag_get(const struct e2fc_jsb *sb, const uint8_t *p,
		       struct e2fc_jbd2_tag *t);
void e2fc_jbd2_tag_put(const struct e2fc_jsb *sb, uint8_t *p,
		       const struct e2fc_jbd2_tag *t);
/* csum v2/v3 checksums: descriptor/revoke tail, commit block, data block
 * (v2: the low 16 bits) */
uint32_t e2fc_jbd2_tail_csum(const struct e2fc_jsb *sb, const uint8_t *b,
			     unsigned bs);
uint32_t e2fc_jbd2_commit_csum(const struct e2fc_jsb *sb, const uint8_t *b,
			       unsigned bs);
uint32_t e2fc_jbd2_data_csum(const struct e2fc_jsb *sb, const uint8_t *data,
			     unsigned bs, uint32_t seq);

/* jbd2_write.c: append one complete transaction to the log */
/* journal blocks a transaction of n data blocks takes */
uint32_t e2fc_txn_blocks(const struct e2fc_jsb *sb, uint32_t n);
/* the block after the valid log: where the next transaction goes */
uint32_t e2fc_log_head(const struct e2fc_journal *j,
		       const struct e2fc_log *log);
/* free log blocks a new transaction may use without overwriting the
 * valid log */
uint32_t e2fc_log_free_blocks(const struct e2fc_journal *j,
			      const struct e2fc_log *log);
/* write a transaction with tid holding the n blocks targets[] at log block
 * at, through io (open on the journal's device, journal block size);
 * read(arg, target, buf) gives each block's contents.  The descriptors
 * and data are flushed before the commit block is written, and the commit
 * block is flushed. */
errcode_t e2fc_txn_write(struct e2fc_journal *j, io_channel io, uint32_t at,
			 uint32_t tid, const blk64_t *targets, uint32_t n,
			 errcode_t (*read)(void *arg, blk64_t target,
					   void *buf),
			 void *arg, uint64_t commit_sec, uint32_t commit_nsec);
void e2fc_log_free(struct e2fc_log *log);
/*
 * Which log blocks a replay writes -- the one statement of the rule, for
 * the replay, the write-back and the -n plan.  A replay applies the
 * transactions before the first incomplete one (e2fc_log_replayed_trans
 * of them), block by block in log order; the fate of each: */
enum e2fc_lb_fate {
	E2FC_LB_WRITE,		/* written to its target */
	E2FC_LB_REVOKED,	/* revoked by its own or a later transaction */
	E2FC_LB_BAD_CSUM,	/* its data checksum fails: skipped */
	E2FC_LB_OUTSIDE,	/* target past the end of the fs: skipped */
};
unsigned e2fc_log_replayed_trans(const struct e2fc_log *log);
enum e2fc_lb_fate e2fc_log_block_fate(const struct e2fc_log *log,
				      const struct e2fc_log_block *b,
				      blk64_t fs_blocks);
/* one block the replayed part of a log writes: its target, and its index
 * in log->blocks (the later, the newer) */
struct e2fc_lb_ref {
	blk64_t		target;
	unsigned	idx;
};
/*
 * The newest copy of every target the data blocks of the replayed
 * transactions write (E2FC_LB_WRITE), sorted by target; counts (NULL, or
 * E2FC_LB_OUTSIDE + 1 of them) gets every such data block by its fate.
 */
errcode_t e2fc_log_writes(const struct e2fc_log *log, blk64_t nblocks,
			  struct e2fc_lb_ref **refs, unsigned *nref,
			  unsigned *counts);
/* the last copy of target a replay writes (the last one wins), or NULL */
const struct e2fc_log_block *e2fc_log_last_write(const struct e2fc_log *log,
						blk64_t target,
						blk64_t fs_blocks);
/* 1 if block is revoked by a record of a transaction with tid >= blk_tid
 * (the jbd2 rule); uses a hash built by e2fc_log_scan */
int e2fc_log_is_revoked(const struct e2fc_log *log, uint64_t block,
			uint32_t blk_tid);
/* data blocks of the replayed transactions that are not revoked and fail
 * their checksum: the kernel and e2fsck skip each one, replay the rest
 * (the FC area too) and then fail the recovery */
unsigned e2fc_log_bad_data(const struct e2fc_log *log);

/* ===================================================================== */
/* fc_scan.c: decode the fast-commit area                                 */
/* ===================================================================== */

/* decoded on-disk inode (from an INODE tag) */
struct e2fc_inode {
	uint16_t	mode;
	uint32_t	uid, gid;
	uint64_t	size;
	uint16_t	links;
	uint32_t	flags;
	uint64_t	blocks;		/* i_blocks (raw, with i_blocks_hi) */
	uint32_t	generation;
	uint32_t	dtime;
	uint64_t	file_acl;
	int64_t		atime, ctime, mtime, crtime;	/* seconds */
	uint32_t	atime_ns, ctime_ns, mtime_ns, crtime_ns;
	int		has_crtime;
	uint16_t	extra_isize;
	uint32_t	checksum;	/* lo | hi << 16 (hi when present) */
	/* i_block: extent header and root entries, or inline data */
	int		has_extents;	/* EXT4_EXTENTS_FL */
	int		inline_data;	/* EXT4_INLINE_DATA_FL */
	int		eh_valid;	/* extent header magic ok */
	uint16_t	eh_entries, eh_max, eh_depth;
	struct {
		uint32_t	lblk;	/* ee_block / ei_block */
		uint16_t	len;	/* leaf: length (unwritten bit kept) */
		uint64_t	pblk;	/* leaf: start; index: child block */
	} eh_ent[4];
	uint8_t		i_block[60];	/* raw i_block */
};

struct e2fc_tag {
	uint16_t	tag;		/* EXT4_FC_TAG_* (any value if unknown) */
	uint16_t	len;		/* value length */
	uint32_t	block;		/* logical journal block of its header */
	uint32_t	offset;		/* byte offset of its header in the block */
	/* value bytes held at value (the header is the 4 bytes before it):
	 * len, except for a PAD or TAIL whose padding (the value after the
	 * TAIL's tid and crc, all of a PAD's) is all zero and was left out
	 * by e2fc_fc_scan: bytes held .. len-1 are then zero */
	uint16_t	held;
	const uint8_t	*value;		/* into e2fc_fc.area (e2fc_fc_scan_buf)
					 * or e2fc_fc's own copy (e2fc_fc_scan) */
	union {
		struct { uint32_t features, tid; } head;
		struct {
			uint64_t pblk;
			uint32_t ino, lblk;
			uint16_t len;		/* without the unwritten bit */
			uint16_t unwritten;
		} add;
		struct { uint32_t ino, lblk, len; } del;
		struct {
			uint32_t parent, ino;
			uint16_t name_len;
			const uint8_t *name;	/* not NUL-terminated */
		} dentry;
		struct {
			uint32_t ino;
			uint16_t raw_len;	/* bytes of raw inode */
			const uint8_t *raw;	/* e2fc_inode_decode() it */
		} inode;
		struct { uint32_t len; } pad;
		struct { uint32_t tid, crc; } tail;
	} u;
};

enum e2fc_fc_state {
	E2FC_FC_EMPTY,		/* no FC area, or nothing in it */
	E2FC_FC_STALE,		/* area left from an older transaction */
	E2FC_FC_REPLAYABLE,	/* >= 1 valid commit, nothing invalid */
	E2FC_FC_CORRUPT,	/* holds invalid commits */
};
const char *e2fc_fc_state_name(enum e2fc_fc_state s);

struct e2fc_commit {
	unsigned	index;
	uint32_t	tid;		/* from its TAIL (or HEAD if no tail) */
	uint32_t	first_block, last_block;
	uint32_t	crc_stored, crc_computed;
	int		has_tail;
	int		valid;		/* would be replayed */
	errcode_t	reason;		/* 0 when valid, else E2FC_ERR_FC_* */
	unsigned	first_tag, ntags;	/* slice of e2fc_fc.tags */
};

struct e2fc_fc {
	uint32_t		expected_tid;
	enum e2fc_fc_state	state;
	uint32_t		fc_first;	/* first FC block */
	uint32_t		nblocks;	/* FC blocks read */
	uint32_t		blocksize;
	/* nblocks * blocksize bytes given to e2fc_fc_scan_buf; NULL after
	 * e2fc_fc_scan, which reads the area in chunks and keeps only the
	 * bytes of the tags (in store) */
	uint8_t			*area;
	void			*store;		/* private */
	unsigned		ntags;
	struct e2fc_tag		*tags;
	unsigned		ncommits;
	struct e2fc_commit	*commits;
	unsigned		replay_commits;	/* valid prefix length */
	unsigned		replay_tags;	/* tags in those commits */
	errcode_t		stop_reason;	/* why the scan stopped (0: end
						 * of written area) */
	uint32_t		stop_block;
	uint32_t		stop_offset;
};

/* decode an FC area held in memory: nblocks blocks of blocksize starting
 * at logical block fc_first.  expected_tid from the log; clean = s_start
 * was 0 (nothing replays).  The buffer is owned by the result on success. */
errcode_t e2fc_fc_scan_buf(uint8_t *area, uint32_t nblocks,
			   uint32_t blocksize, uint32_t fc_first,
			   uint32_t expected_tid, int clean,
			   struct e2fc_fc **fcp);
/* read the FC area of j and decode it (a chunk at a time: fc->area is
 * NULL, the tags' bytes are copied, zero padding left out, see held) */
errcode_t e2fc_fc_scan(struct e2fc_journal *j, const struct e2fc_log *log,
		       struct e2fc_fc **fcp);
void e2fc_fc_free(struct e2fc_fc *fc);
/*
 * e2fc_fc_scan a commit at a time, in bounded memory: each (when not
 * NULL) gets every commit as it closes, with its tags at fc->tags
 * [c->first_tag, + c->ntags), valid only during the call (a non-zero
 * return stops the scan and is returned).  *fcp then holds the verdict
 * (state, counts, stop) and ncommits, but no tags nor commits (NULL).
 */
typedef errcode_t (*e2fc_commit_fn)(const struct e2fc_fc *fc,
				    const struct e2fc_commit *c, void *arg);
/* flags: a TAIL's bytes after its tid and crc and a PAD's value are
 * neither kept nor looked at (held leaves them out, zero or not: for a
 * reader that shows no raw bytes) */
#define E2FC_SCAN_NO_PAD	0x1
errcode_t e2fc_fc_scan_each(struct e2fc_journal *j,
			    const struct e2fc_log *log, int flags,
			    e2fc_commit_fn each, void *arg,
			    struct e2fc_fc **fcp);
/* decode a raw on-disk inode of len bytes (>= 128) */
void e2fc_inode_decode(const uint8_t *raw, unsigned len,
		       struct e2fc_inode *ino);
const char *e2fc_tag_name(uint16_t tag);	/* "ADD_RANGE", or NULL */

/* ===================================================================== */
/* fc_load.c: journal, log and FC area in one call                         */
/* ===================================================================== */
struct e2fc_loaded {
	struct e2fc_journal	*j;
	struct e2fc_log		*log;
	struct e2fc_fc		*fc;
};

/* e2fc_journal_open + e2fc_log_scan + e2fc_fc_scan; on error *what names
 * the step ("opening the journal", ...) for a "while ..." message and
 * nothing is left allocated */
errcode_t e2fc_load(ext2_filsys fs, const char *ext_journal, int flags,
		    struct e2fc_loaded *ld, const char **what);
void e2fc_unload(struct e2fc_loaded *ld);

/* ===================================================================== */
/* fc_print.c: the one text and JSON printer                              */
/* ===================================================================== */
#define E2FC_PRINT_RAW		0x1	/* hex of each TLV */
#define E2FC_PRINT_LOG		0x2	/* the full jbd2 log too */

void e2fc_print_text(FILE *f, const struct e2fc_journal *j,
		     const struct e2fc_log *log, const struct e2fc_fc *fc,
		     int flags);
void e2fc_print_json(FILE *f, const struct e2fc_journal *j,
		     const struct e2fc_log *log, const struct e2fc_fc *fc,
		     int flags);
/* s as a quoted JSON string, escaped as names are (any bytes: valid JSON) */
void e2fc_print_json_string(FILE *f, const char *s);
/* what replaying t changes, in words, no newline; 0 (nothing printed)
 * for HEAD, PAD and TAIL */
int e2fc_describe_tag(FILE *f, const struct e2fc_tag *t);
/* short stable name of a commit verdict code ("crc-mismatch"), NULL
 * for 0 */
const char *e2fc_reason_name(errcode_t code);
/* escape a name: printable ASCII as is, '\\' and others as \xNN */
void e2fc_print_name(FILE *f, const uint8_t *name, unsigned len);

/* ===================================================================== */
/* fc_replay.c: recovery                                                  */
/* ===================================================================== */
struct meta_map;	/* fc_meta.h: the metadata map */

struct e2fc_replay_opts {
	unsigned	until_commit;	/* replay only the first N valid FC
					 * commits; ~0U = all */
	int		no_fc;		/* full jbd2 replay only */
	int		log_applied;	/* the log is on the device already
					 * (e2fc_log_prewrite): open the fs
					 * again, do not replay it, keep the
					 * log_* stats */
	uint64_t	log_mem_max;	/* e2fc_recover_writeback: a log of
					 * more bytes goes to the device
					 * first (0: 64 MiB) */
	io_manager	writer;		/* e2fc_recover_writeback: writes
					 * the device and an external
					 * journal (NULL: unix_io_manager) */
	int		plan_checked;	/* the caller ran e2fc_replay_check()
					 * on this fs and fc and it passed:
					 * e2fc_log_prewrite and e2fc_recover
					 * do not check again */
	struct meta_map	*plan_meta;	/* with plan_checked: the map
					 * e2fc_replay_check_map kept, which
					 * e2fc_recover uses too where the
					 * log moved nothing it maps (the
					 * caller frees it after) */
	/* optional progress callback: done out of total steps */
	void		(*progress)(void *arg, unsigned done, unsigned total);
	void		*progress_arg;
};

struct e2fc_replay_stats {
	unsigned	log_trans;	/* full transactions replayed */
	unsigned	log_blocks;	/* blocks written from the log */
	unsigned	log_revoked;	/* blocks skipped as revoked */
	unsigned	log_bad_csum;	/* blocks skipped: bad checksum */
	unsigned	fc_commits;	/* FC commits replayed */
	unsigned	fc_tags;	/* FC tags applied */
	unsigned	bitmaps_read;	/* block and inode bitmaps read
					 * (one per group each at most) */
	int		log_cleared;	/* clean superblock, log left: the
					 * journal was reset, nothing replayed */
	unsigned	fc_skipped;	/* tags the kernel would skip too:
					 * their inode or directory cannot
					 * be read (e.g. bad checksum) */
	unsigned	inodes_freed;
	uint64_t	blocks_freed, blocks_allocated;
	/* fc_orphan.c: the orphan list and orphan file after the replay */
	unsigned	orphans_freed;		/* links 0: inode freed */
	unsigned	orphans_truncated;	/* links > 0: cut to i_size */
	unsigned	orphans_bad;		/* entries or blocks skipped */
	errcode_t	orphan_err;		/* why the first was skipped */
	ext2_ino_t	orphan_ino;		/* and its inode */
	/* fc_verify.c: the inode a refused replay (E2FC_ERR_VERIFY_*)
	 * left broken */
	ext2_ino_t	verify_ino;
	/* the log ends at a commit block whose checksum fails: its tid + 1
	 * (the kernel fails the mount; e2fsck checks in full) */
	uint32_t	log_failed_commit;
};

/* check a plan without changing anything: every tag of the replayable
 * commits is validated against fs (hostile input); returns the first
 * error and the commit and tag index in bad_commit and bad_tag */
errcode_t e2fc_replay_check(ext2_filsys fs, const struct e2fc_fc *fc,
			    unsigned *bad_commit, unsigned *bad_tag);
/* the same; when it passes, *keep is its metadata map (or NULL: no
 * commits), for e2fc_replay_opts.plan_meta, freed by e2fc_meta_free */
errcode_t e2fc_replay_check_map(ext2_filsys fs, const struct e2fc_fc *fc,
				unsigned *bad_commit, unsigned *bad_tag,
				struct meta_map **keep);
void e2fc_meta_free(struct meta_map **mp);

/*
 * Recover: write the complete transactions of log into fs (through its
 * io_manager), re-open the metadata, apply the valid FC commits of fc,
 * fix bitmaps/counts/checksums, clear needs_recovery and reset the
 * journal.  fs must be opened read-write.  *fsp may be replaced: after
 * the full jbd2 replay the fs is closed and reopened with the same device
 * name, io_manager and flags; the overlay manager's writes are carried
 * over (e2fc_overlay_reopen_options), another manager must keep them on
 * its device.
 */
errcode_t e2fc_recover(ext2_filsys *fsp, struct e2fc_journal *j,
		       const struct e2fc_log *log, const struct e2fc_fc *fc,
		       const struct e2fc_replay_opts *opts,
		       struct e2fc_replay_stats *stats);

/* fc_orphan.c: the orphans on the list and in the orphan file of fs as
 * the replay of log (j and log may be NULL: the device only) leaves them,
 * for a plan; changes nothing; a loop ends after one pass */
errcode_t e2fc_orphans_count(ext2_filsys fs, struct e2fc_journal *j,
			     const struct e2fc_log *log, unsigned *list,
			     unsigned *file);

/*
 * Replay the jbd2 log onto io (a channel on the fs device with the fs's
 * block size) in bounded memory: what e2fc_recover() writes for the log,
 * each target once (its newest version), in block order; flushed.  Fills
 * the log_* fields of st.  nblocks: the fs's block count.
 */
errcode_t e2fc_log_replay_to(io_channel io, struct e2fc_journal *j,
			     const struct e2fc_log *log, blk64_t nblocks,
			     struct e2fc_replay_stats *st);

/* fc_verify.c: err is a refusal of the verifier (the replay would leave
 * an inconsistent file system; stats->verify_ino says which inode) */
int e2fc_verify_error(errcode_t err);

/* fc_meta.c: the directory-entry file type (EXT2_FT_*) of an inode mode,
 * EXT2_FT_UNKNOWN for none */
int e2fc_file_type(unsigned mode);

/* ===================================================================== */
/* fc_writeback.c: write a replay made in the overlay back, crash-safely     */
/* ===================================================================== */
struct e2fc_writeback_stats {
	int		journaled;	/* went through a jbd2 transaction */
	uint32_t	tid;		/* its tid */
	uint32_t	log_blocks;	/* journal blocks it took */
	uint32_t	blocks;		/* fs blocks written in place */
};

/*
 * ofs: the file system as e2fc_recover() left it, opened through
 * e2fc_overlay_io_manager on the device; j and log: its journal and the
 * log as scanned before the replay; fc_replayed: fast commits were
 * replayed.  Writes the changed blocks to the device through writer
 * (unix_io_manager, undo_io_manager, ...), an external journal through
 * jwriter; see fc_writeback.c for the order that keeps a power cut harmless.
 */
errcode_t e2fc_writeback(ext2_filsys ofs, struct e2fc_journal *j,
		      const struct e2fc_log *log, int fc_replayed,
		      io_manager writer, io_manager jwriter,
		      struct e2fc_writeback_stats *cs);

/*
 * Before e2fc_recover() on the overlay: a log of more than
 * opts->log_mem_max bytes (0: 64 MiB) is written to the device through
 * writer first (e2fc_log_replay_to), so that the overlay never holds it;
 * then opts->log_applied is set and st has the log_* figures (pass the
 * same opts and st to e2fc_recover).  Does nothing for a smaller log, a
 * journal that is not to be replayed, or writer == undo_io_manager.  The
 * fast commits' plan is checked first: a refused plan writes nothing.
 */
errcode_t e2fc_log_prewrite(ext2_filsys fs, struct e2fc_journal *j,
			    const struct e2fc_log *log,
			    const struct e2fc_fc *fc, io_manager writer,
			    struct e2fc_replay_opts *opts,
			    struct e2fc_replay_stats *st);

/* e2fc_recover() on *fsp, opened through e2fc_overlay_io_manager (the
 * journal with E2FC_JOPEN_OVERLAY), then e2fc_writeback() to the device:
 * what e2fsck-fc does.  The caller closes *fsp afterwards. */
errcode_t e2fc_recover_writeback(ext2_filsys *fsp, const struct e2fc_loaded *ld,
				 const struct e2fc_replay_opts *opts,
				 struct e2fc_replay_stats *stats,
				 struct e2fc_writeback_stats *cs);

/* ===================================================================== */
/* overlay_io.c: copy-on-write io_manager (replay without writing)        */
/* ===================================================================== */
/* an io_manager that reads the named file/device read-only and keeps all
 * writes in memory; pass it to ext2fs_open.  Each open has its own
 * overlay, freed with its last channel. */
extern io_manager e2fc_overlay_io_manager;
/* 1024-byte units the overlay of ch holds (0: not an overlay channel) */
size_t e2fc_overlay_units(io_channel ch);
/* io_options for ext2fs_open2() that make the new channel share the
 * overlay of ch, which must stay open until then; NULL if ch is not an
 * overlay channel */
const char *e2fc_overlay_reopen_options(io_channel ch);
/* the file-system blocks (of blocksize bytes) the overlay of ch has
 * written, sorted, each once; *list is freed with ext2fs_free_mem */
errcode_t e2fc_overlay_blocks(io_channel ch, unsigned blocksize,
			      blk64_t **list, size_t *n);
/* len bytes at byte off of ch's device, the overlay on top (read) or
 * into the overlay (write), whatever the block size; for small
 * structures inside a block (an inode).  EXT2_ET_OP_NOT_SUPPORTED when
 * ch is not an overlay channel */
errcode_t e2fc_overlay_read_bytes(io_channel ch, uint64_t off, void *buf,
				  size_t len);
errcode_t e2fc_overlay_write_bytes(io_channel ch, uint64_t off,
				   const void *buf, size_t len);
/* copy the file or device src to the new file dst, keeping holes */
errcode_t e2fc_copy_sparse(const char *src, const char *dst);
/* all len bytes at off, again after EINTR; a read past the end zeroes
 * the rest of buf and returns EXT2_ET_SHORT_READ, a write that makes no
 * progress EXT2_ET_SHORT_WRITE */
errcode_t e2fc_pread_all(int fd, void *buf, size_t len, uint64_t off);
errcode_t e2fc_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/* ===================================================================== */
/* sha256.c: SHA-256 (FIPS 180-4), for the --hash evidence               */
/* ===================================================================== */
struct e2fc_sha256 {
	uint32_t	h[8];
	uint64_t	len;
	uint8_t		buf[64];
	unsigned	nbuf;
};
void e2fc_sha256_init(struct e2fc_sha256 *s);
void e2fc_sha256_update(struct e2fc_sha256 *s, const void *data, size_t len);
void e2fc_sha256_final(struct e2fc_sha256 *s, uint8_t out[32]);
/* SHA-256 of everything read from fd until its end */
errcode_t e2fc_sha256_fd(int fd, uint8_t out[32]);

/* ===================================================================== */
/* fc_evidence.c: evidence metadata of every JSON form                    */
/* ===================================================================== */
/* version of the JSON forms (doc/e2fcdump-json.md, doc/e2fc-events.md,
 * doc/e2fsck-fc-json.md) */
#define E2FC_JSON_SCHEMA_VERSION	1

struct e2fc_evidence {
	const char	*tool, *tool_version;	/* not copied */
	const char	*input;			/* not copied */
	uint64_t	input_size;		/* bytes (file or device) */
	int		have_sha256;
	uint8_t		sha256[32];
	int		have_journal;
	uint8_t		journal_uuid[16];	/* of the jbd2 superblock */
	int32_t		journal_errno;
};

/* ev anew: the tool, its version, input's size and with hash its
 * SHA-256 (reads it all) */
errcode_t e2fc_evidence_input(struct e2fc_evidence *ev, const char *tool,
			      const char *version, const char *input, int hash);
/* the journal's UUID and errno (j may be NULL: no journal) */
void e2fc_evidence_journal(struct e2fc_evidence *ev,
			   const struct e2fc_journal *j);
/* all of it for a program that holds no open journal: opens input
 * read-only; a journal that cannot be read leaves have_journal 0 */
errcode_t e2fc_evidence_get(struct e2fc_evidence *ev, const char *tool,
			    const char *version, const char *input,
			    const char *ext_journal, int hash);
/* the members "schema_version": N, "evidence": {...} (no braces around,
 * no comma after) */
void e2fc_evidence_print_json(FILE *f, const struct e2fc_evidence *ev);
/* e2fc_print_json with the evidence first (ev may be NULL) */
void e2fc_print_json_ev(FILE *f, const struct e2fc_journal *j,
			const struct e2fc_log *log, const struct e2fc_fc *fc,
			int flags, const struct e2fc_evidence *ev);
/* scan the FC area of j and print it as e2fc_print_text would, a commit
 * at a time (bounded memory); *fcp gets the verdict without tags or
 * commits (e2fc_fc_scan_each) */
errcode_t e2fc_dump_text(FILE *f, struct e2fc_journal *j,
			 const struct e2fc_log *log, int flags,
			 struct e2fc_fc **fcp);
/* the same for e2fc_print_json_ev: its verdict follows the commits */
errcode_t e2fc_dump_json(FILE *f, struct e2fc_journal *j,
			 const struct e2fc_log *log, int flags,
			 const struct e2fc_evidence *ev, struct e2fc_fc **fcp);

/* ===================================================================== */
/* fc_events.c: the timeline of the fast-commit area                      */
/* ===================================================================== */
enum e2fc_ev_format { E2FC_EV_JSONL, E2FC_EV_CSV, E2FC_EV_BODYFILE };

enum e2fc_ev_action {
	E2FC_EV_CREATE, E2FC_EV_LINK, E2FC_EV_UNLINK, E2FC_EV_RENAME,
	E2FC_EV_WRITE, E2FC_EV_PUNCH, E2FC_EV_TRUNCATE, E2FC_EV_INODE,
};
const char *e2fc_ev_action_name(enum e2fc_ev_action a);

/* bits of e2fc_event.changed (action inode) */
#define E2FC_EV_CH_MODE		0x001
#define E2FC_EV_CH_UID		0x002
#define E2FC_EV_CH_GID		0x004
#define E2FC_EV_CH_SIZE		0x008
#define E2FC_EV_CH_LINKS	0x010
#define E2FC_EV_CH_ATIME	0x020
#define E2FC_EV_CH_MTIME	0x040
#define E2FC_EV_CH_CTIME	0x080
#define E2FC_EV_CH_CRTIME	0x100
#define E2FC_EV_CH_FLAGS	0x200

struct e2fc_ev_range {
	uint64_t	offset, length;	/* bytes */
	uint64_t	pblk;		/* write: first physical block */
	int		unwritten;	/* write: preallocated, reads zeros */
};

struct e2fc_event {
	unsigned		commit;		/* index in the FC area */
	uint32_t		tid;
	int			stale;		/* leftover of an older
						 * transaction */
	int			replayed;	/* in the replayable prefix */
	enum e2fc_ev_action	action;
	ext2_ino_t		ino;
	uint64_t		phys_offset;	/* device byte offset of the
						 * (first) tag it comes from */
	unsigned		tag;		/* index of that tag in
						 * e2fc_fc.tags */
	char			*path;		/* starts with '/' */
	char			*old_path;	/* rename: the old name */
	/* create, link, unlink, rename (new name; old_* for rename) */
	ext2_ino_t		parent, old_parent;
	char			*name, *old_name;	/* escaped */
	/* write, punch, truncate */
	unsigned		nranges;
	struct e2fc_ev_range	*ranges;
	/* inode: what changed against old (the inode before this commit) */
	unsigned		changed;
	int			have_old;
	struct e2fc_inode	old;
	/* the inode after this commit, with its times (have_state 0: not
	 * known, no INODE tag and no inode on disk) */
	int			have_state;
	struct e2fc_inode	state;
};

struct e2fc_events {
	unsigned		n;
	struct e2fc_event	*ev;
	int			replayed;	/* paths from a replayed tree */
	errcode_t		replay_err;	/* why not, when it failed */
};

/*
 * Build the timeline of fc (scanned from the journal j of pre, the file
 * system before any replay; log, when not NULL, gives the inodes as the
 * full jbd2 log leaves them, the fast commits' starting point): one event per CREAT/LINK/UNLINK tag (a LINK
 * and an UNLINK of one inode in one commit make one rename), one write,
 * punch or truncate per inode and commit with its ranges, one inode event
 * per INODE tag that changes something.  Paths are resolved against post
 * (the tree after the replay; NULL: pre) and, for names no longer there,
 * through their parent's path.
 */
errcode_t e2fc_events_build(ext2_filsys pre, ext2_filsys post,
			    const struct e2fc_journal *j,
			    const struct e2fc_log *log,
			    const struct e2fc_fc *fc,
			    struct e2fc_events **evp);
/* the same, replaying into an overlay of image (its own, freed before
 * returning) when the journal needs recovery; pre and ld as e2fc_load()
 * left them */
errcode_t e2fc_events_collect(ext2_filsys pre, const struct e2fc_loaded *ld,
			      const char *image, const char *ext_journal,
			      struct e2fc_events **evp);
void e2fc_events_free(struct e2fc_events *e);
/* print the events: JSON Lines (one object a line), CSV with a header,
 * or a TSK 3.x bodyfile; 0 or the errno of a failed write */
errcode_t e2fc_events_print(FILE *f, const struct e2fc_events *e,
			    enum e2fc_ev_format fmt);
/* open image read-only, collect the events and print them */
errcode_t e2fc_events_print_file(const char *image, const char *ext_journal,
				 enum e2fc_ev_format fmt, FILE *out);

/* ===================================================================== */
/* the long options the e2fc programs share: one spelling and one value   */
/* for getopt_long each (rows of their struct option tables)             */
/* ===================================================================== */
#define E2FC_LONGOPT_JSON	{ "json", no_argument, NULL, 'J' }
#define E2FC_LONGOPT_RAW	{ "raw", no_argument, NULL, 'r' }
#define E2FC_LONGOPT_UNTIL	{ "until-commit", required_argument, NULL, 'U' }
#define E2FC_LONGOPT_HELP	{ "help", no_argument, NULL, 'h' }, \
				{ "version", no_argument, NULL, 'V' }
#define E2FC_LONGOPT_END	{ NULL, 0, NULL, 0 }

#endif /* E2FC_H */
