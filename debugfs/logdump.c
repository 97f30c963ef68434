// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * logdump.c -- the journal.  "logdump --fc [--json] [--raw] [--all]"
 * prints the fast-commit area with e2fcdump's printer; with debugfs's
 * options (-a -b block -c -i filespec -f journal_file -O -s -S -n count,
 * output file) it prints what debugfs 1.47.0's logdump prints.  The
 * journal blocks are decoded with the big-endian helpers of e2fc_disk.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <e2p/e2p.h>
#include "debugfs-fc.h"

#define ANY_BLOCK	((blk64_t)-1)

struct ld {
	const char	*cmd;
	FILE		*out;
	int		all, contents, old, super, descriptors, use_sb;
	long		counts;			/* -n, or -1 */
	blk64_t		block, bitmap, inode_block;
	ext2_ino_t	inode;
	unsigned	inode_offset;
	int		fd;			/* external journal, or -1 */
	ext2_file_t	file;			/* the journal inode */
};

/* ---- the e2fcdump form -------------------------------------------------- */

static void fc_dump(int json, int flags)
{
	struct e2fc_loaded s;
	const char *what;
	errcode_t err;

	err = e2fc_load(cur.fs, cur.extj, E2FC_JOPEN_OVERLAY, &s, &what);
	if (err) {
		com_err(prog, err, "while %s", what);
		return;
	}
	if (json)
		e2fc_print_json(stdout, s.j, s.log, s.fc, flags);
	else
		e2fc_print_text(stdout, s.j, s.log, s.fc, flags);
	e2fc_unload(&s);
}

/* ---- reading ------------------------------------------------------------ */

static int ld_read(struct ld *l, ext2_loff_t off, char *buf, unsigned size)
{
	unsigned got = 0;
	ssize_t n;
	errcode_t err;

	if (l->fd >= 0) {
		n = pread(l->fd, buf, size, off);
		if (n < 0) {
			com_err(l->cmd, errno, "while reading journal");
			return -1;
		}
		got = n;
	} else {
		err = ext2fs_file_llseek(l->file, off, EXT2_SEEK_SET, NULL);
		if (err) {
			com_err(l->cmd, err, "while seeking in reading journal");
			return -1;
		}
		err = ext2fs_file_read(l->file, buf, size, &got);
		if (err) {
			com_err(l->cmd, err, "while reading journal");
			return -1;
		}
	}
	if (got == size)
		return 0;
	com_err(l->cmd, 0, "short read (read %u, expected %u) while reading "
		"journal", got, size);
	return -1;
}

static const char *block_type(unsigned t)
{
	static const char *const names[] = { "descriptor block",
		"commit block", "V1 superblock", "V2 superblock",
		"revoke table" };

	return t >= 1 && t <= 5 ? names[t - 1] : "unrecognised type";
}

/* the log wraps from maxlen back to s_first */
static unsigned wrap(const char *jsb, unsigned blk, unsigned maxlen)
{
	if (blk >= maxlen)
		blk -= maxlen - e2fc_get_be32(jsb + JSB_FIRST);
	return blk;
}

/* ---- fast-commit blocks ------------------------------------------------- */

static const char *fc_tag_name(unsigned tag)
{
	static const char *const names[] = { "ADD_RANGE", "DEL_RANGE",
		"CREAT_DENTRY", "ADD_ENTRY", "DEL_ENTRY", "INODE", "PAD",
		"TAIL", "HEAD" };

	return tag >= 1 && tag <= 9 ? names[tag - 1] : "ERROR";
}

static void fc_add_range(FILE *f, const char *name, const char *v)
{
	const char *ex = v + EXT4_FC_ADD_RANGE_EXTENT;
	unsigned len = e2fc_get_le16(ex + EXT4_EXT_LEN);

	if (len > EXT4_FC_EXT_MAX_INIT_LEN)
		len -= EXT4_FC_EXT_MAX_INIT_LEN;	/* unwritten */
	fprintf(f, "tag %s, inode %d, lblk %u, pblk %llu, len %u\n", name,
		(int)e2fc_get_le32(v + EXT4_FC_ADD_RANGE_INO),
		e2fc_get_le32(ex + EXT4_EXT_LBLK),
		e2fc_get_le32(ex + EXT4_EXT_START_LO) +
		((unsigned long long)e2fc_get_le16(ex + EXT4_EXT_START_HI) <<
		 32), len);
}

/* one tag; returns 1 when the area ends here */
static int fc_tag(struct ld *l, unsigned tag, const char *v, unsigned tid,
		  int *done)
{
	FILE *f = l->out;
	const char *name = fc_tag_name(tag);

	switch (tag) {
	case EXT4_FC_TAG_ADD_RANGE:
		fc_add_range(f, name, v);
		return 0;
	case EXT4_FC_TAG_DEL_RANGE:
		fprintf(f, "tag %s, inode %d, lblk %d, len %d\n", name,
			(int)e2fc_get_le32(v + EXT4_FC_DEL_RANGE_INO),
			(int)e2fc_get_le32(v + EXT4_FC_DEL_RANGE_LBLK),
			(int)e2fc_get_le32(v + EXT4_FC_DEL_RANGE_COUNT));
		return 0;
	case EXT4_FC_TAG_LINK:
	case EXT4_FC_TAG_UNLINK:
	case EXT4_FC_TAG_CREAT:
		/* the name is not terminated on disk: debugfs prints up to
		 * the first NUL, which is what %s of the bytes gives */
		fprintf(f, "tag %s, parent %d, ino %d, name \"%s\"\n", name,
			(int)e2fc_get_le32(v + EXT4_FC_DENTRY_PARENT),
			(int)e2fc_get_le32(v + EXT4_FC_DENTRY_INO),
			v + EXT4_FC_DENTRY_HDR_LEN);
		return 0;
	case EXT4_FC_TAG_INODE:
		fprintf(f, "tag %s, inode %d\n", name,
			(int)e2fc_get_le32(v + EXT4_FC_INODE_INO));
		return 0;
	case EXT4_FC_TAG_PAD:
		fprintf(f, "tag %s\n", name);
		return 0;
	case EXT4_FC_TAG_TAIL:
		v += EXT4_FC_TAIL_TID;
		fprintf(f, "tag %s, tid %d\n", name, (int)e2fc_get_le32(v));
		break;
	case EXT4_FC_TAG_HEAD:
		fprintf(f, "\n*** Fast Commit Area ***\n");
		fprintf(f, "tag %s, features 0x%x, tid %d\n", name,
			e2fc_get_le32(v + EXT4_FC_HEAD_FEATURES),
			(int)e2fc_get_le32(v + EXT4_FC_HEAD_TID));
		v += EXT4_FC_HEAD_TID;
		break;
	default:
		*done = 1;
		return 0;
	}
	if (!l->old && e2fc_get_le32(v) < tid) {	/* v: the tid */
		*done = 1;
		return 1;
	}
	return 0;
}

static void fc_block(struct ld *l, char *buf, unsigned bs, unsigned tid,
		     int *done)
{
	char *end = buf + bs;
	char *p;
	unsigned len;

	*done = 0;
	for (p = buf; p < end; p += EXT4_FC_TL_SIZE + len) {
		len = e2fc_get_le16(p + EXT4_FC_TL_LEN);
		if (fc_tag(l, e2fc_get_le16(p + EXT4_FC_TL_TAG),
			   p + EXT4_FC_TL_SIZE, tid, done))
			return;
	}
}

/* ---- log blocks --------------------------------------------------------- */

static void hexdump32(FILE *f, const char *buf, unsigned bs)
{
	unsigned i, j;
	unsigned char c;

	for (i = 0; i < bs; i += 16) {
		fprintf(f, "    %04x:  ", i);
		for (j = 0; j < 16; j += 4)
			fprintf(f, "%08x ", e2fc_get_le32(buf + i + j));
		for (j = 0; j < 16; j++) {
			c = buf[i + j];
			fputc(c < ' ' || c >= 127 ? '.' : c, f);
		}
		fputc('\n', f);
	}
}

static void show_run(FILE *f, int start, int end, uint32_t first)
{
	if (start >= 0 && first)
		fprintf(f, "(%d+%u): %u ", start, end - start, first);
}

/* the journaled copy of the inode asked for with -i */
static void logged_inode(struct ld *l, const char *buf)
{
	static const char *const ind[] = { "IND", "DIND", "TIND" };
	struct ext2_inode_large in;
	unsigned size = EXT2_INODE_SIZE(cur.fs->super), i;
	int start = -1;
	uint32_t first = 0, prev = 0, b;

	if (size > sizeof(in))
		size = sizeof(in);
	if (size > cur.fs->blocksize - l->inode_offset)
		size = cur.fs->blocksize - l->inode_offset;
	memset(&in, 0, sizeof(in));
	memcpy(&in, buf + l->inode_offset, size);
	fprintf(l->out, "    (inode block for inode %u):\n", l->inode);
	dfc_dump_inode(l->out, "    ", l->inode, &in, 0);
	fprintf(l->out, "    Blocks:  ");
	for (i = 0; i < EXT2_NDIR_BLOCKS; i++) {
		b = in.i_block[i];
		if (start >= 0 && b == prev + 1) {
			prev = b;
			continue;
		}
		show_run(l->out, start, i, first);
		start = i;
		first = prev = b;
	}
	show_run(l->out, start, i, first);
	for (i = 0; i < 3; i++)
		if (in.i_block[EXT2_IND_BLOCK + i])
			fprintf(l->out, "(%s): %u ", ind[i],
				in.i_block[EXT2_IND_BLOCK + i]);
	fprintf(l->out, "\n");
}

static void metadata_block(struct ld *l, unsigned log_blk, unsigned fs_blk,
			   unsigned flags, unsigned bs, unsigned tid)
{
	char *buf;
	unsigned off;

	if (!(l->all || fs_blk == l->block || fs_blk == l->inode_block ||
	      fs_blk == l->bitmap))
		return;
	fprintf(l->out, "  FS block %u logged at ", fs_blk);
	if (!l->all)
		fprintf(l->out, "sequence %u, ", tid);
	fprintf(l->out, "journal block %u (flags 0x%x)\n", log_blk, flags);
	if (!(l->contents && l->all) && fs_blk != l->block &&
	    fs_blk != l->bitmap && fs_blk != l->inode_block)
		return;
	buf = malloc(bs);
	if (!buf || ld_read(l, (ext2_loff_t)log_blk * bs, buf, bs)) {
		free(buf);
		return;
	}
	if (fs_blk == l->bitmap) {
		off = (l->block - cur.fs->super->s_first_data_block) %
			cur.fs->super->s_blocks_per_group;
		fprintf(l->out, "    (block bitmap for block %llu: block is "
			"%s)\n", (unsigned long long)l->block,
			(buf[off / 8] >> (off % 8)) & 1 ? "SET" : "CLEAR");
	}
	if (fs_blk == l->inode_block)
		logged_inode(l, buf);
	if (l->contents)
		hexdump32(l->out, buf, bs);
	free(buf);
}

static unsigned tag_bytes(const char *jsb)
{
	uint32_t in = e2fc_get_be32(jsb + JSB_FEATURE_INCOMPAT);
	unsigned sz = 12;

	if (in & JBD2_FEATURE_INCOMPAT_CSUM_V3)
		return 16;
	if (in & JBD2_FEATURE_INCOMPAT_CSUM_V2)
		sz += 2;
	return in & JBD2_FEATURE_INCOMPAT_64BIT ? sz : sz - 4;
}

static unsigned descriptor(struct ld *l, const char *buf, const char *jsb,
			   unsigned blk, unsigned bs, unsigned maxlen,
			   unsigned tid)
{
	uint32_t in = e2fc_get_be32(jsb + JSB_FEATURE_INCOMPAT);
	unsigned size = tag_bytes(jsb), off = JBD2_HDR_SIZE, csum = 0;
	unsigned flags;
	const char *tag;

	if (in & (JBD2_FEATURE_INCOMPAT_CSUM_V2 | JBD2_FEATURE_INCOMPAT_CSUM_V3))
		csum = JBD2_BLOCK_TAIL_SIZE;
	if (l->all)
		fprintf(l->out, "Dumping descriptor block, sequence %u, at "
			"block %u:\n", tid, blk);
	blk = wrap(jsb, blk + 1, maxlen);
	do {
		tag = buf + off;
		off += size;
		if (off > bs - csum)
			break;
		flags = e2fc_get_be16(tag + JBD2_TAG_FLAGS);
		if (!(flags & JBD2_FLAG_SAME_UUID))
			off += JBD2_TAG_UUID_SIZE;
		metadata_block(l, blk, e2fc_get_be32(tag + JBD2_TAG_BLOCKNR),
			       flags, bs, tid);
		blk = wrap(jsb, blk + 1, maxlen);
	} while (!(flags & JBD2_FLAG_LAST_TAG));
	return blk;
}

static void revoke_block(struct ld *l, const char *buf, const char *jsb,
		   unsigned blk, unsigned bs, unsigned tid)
{
	int wide = e2fc_get_be32(jsb + JSB_FEATURE_INCOMPAT) &
		JBD2_FEATURE_INCOMPAT_64BIT;
	unsigned off = JBD2_REVOKE_HDR_SIZE, max, size = wide ? 8 : 4;
	unsigned long long rblk;

	if (l->all)
		fprintf(l->out, "Dumping revoke block, sequence %u, at "
			"block %u:\n", tid, blk);
	max = e2fc_get_be32(buf + JBD2_REVOKE_COUNT);
	if (max > bs) {
		fprintf(l->out, "Revoke block's r_count invalid: %u\b", max);
		max = bs;
	}
	for (; off < max; off += size) {
		rblk = wide ? e2fc_get_be64(buf + off) : e2fc_get_be32(buf + off);
		if (!l->all && rblk != l->block)
			continue;
		fprintf(l->out, "  Revoke FS block %llu", rblk);
		if (l->all)
			fprintf(l->out, "\n");
		else
			fprintf(l->out, " at block %u, sequence %u\n", blk, tid);
	}
}

/* ---- the journal -------------------------------------------------------- */

/* the ext2 superblock of a journal device, with -a */
static void journal_dev_header(FILE *f, const char *sb, unsigned bs)
{
	const unsigned char *u = (const unsigned char *)sb + SB_UUID;
	uint64_t blocks = e2fc_get_le32(sb + SB_OFF(s_blocks_count));
	int i;

	if (e2fc_get_le32(sb + SB_FEATURE_INCOMPAT) &
	    EXT4_FEATURE_INCOMPAT_64BIT)
		blocks |= (uint64_t)e2fc_get_le32(sb +
						  SB_OFF(s_blocks_count_hi)) << 32;
	fprintf(f, "\tuuid=");
	for (i = 0; i < 16; i++)
		fprintf(f, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ?
			"-" : "", u[i]);
	fprintf(f, "\n\tblocksize=%d\n", bs);
	fprintf(f, "\tjournal data size %lu\n", (unsigned long)blocks);
}

/* the journal superblock (after an ext2 header on a journal device);
 * returns the journal's block size, 0 when it cannot be used */
static unsigned journal_super(struct ld *l, char *jsb)
{
	char *buf = malloc(2048);
	unsigned bs = 1024, blk = 0;

	if (!buf || ld_read(l, 0, buf, 2048)) {
		free(buf);
		return 0;
	}
	if (e2fc_get_be32(buf) != JBD2_MAGIC &&
	    e2fc_get_le16(buf + SB_SIZE + SB_MAGIC) == EXT2_SUPER_MAGIC &&
	    (e2fc_get_le32(buf + SB_SIZE + SB_FEATURE_INCOMPAT) &
	     EXT3_FEATURE_INCOMPAT_JOURNAL_DEV)) {
		bs = 1024 << e2fc_get_le32(buf + SB_SIZE + SB_LOG_BLOCK_SIZE);
		blk = bs == 1024 ? 2 : 1;
		fprintf(l->out, "Ext2 superblock header found.\n");
		if (l->all)
			journal_dev_header(l->out, buf + SB_SIZE, bs);
	}
	free(buf);
	if (ld_read(l, (ext2_loff_t)blk * bs, jsb, JSB_SIZE))
		return 0;
	if (l->super) {
		e2p_list_journal_super(l->out, jsb, cur.fs ?
				       (int)cur.fs->blocksize : 0, 0);
		fputc('\n', l->out);
	}
	if (e2fc_get_be32(jsb) != JBD2_MAGIC) {
		fprintf(l->out, "Journal superblock magic number invalid!\n");
		return 0;
	}
	bs = e2fc_get_be32(jsb + JSB_BLOCKSIZE);
	if ((cur.fs && bs != cur.fs->blocksize) ||
	    (!cur.fs && (!bs || (bs & (bs - 1)) ||
			 bs > EXT2_MAX_BLOCK_SIZE))) {
		fprintf(l->out, "Journal block size invalid: %u (%u)\n", bs, bs);
		return 0;
	}
	return bs;
}

static int journal_blocks(struct ld *l, unsigned bs, unsigned *maxlen,
			  const char *jsb)
{
	unsigned long long total;
	struct stat st;
	errcode_t err;

	if (l->fd < 0) {
		err = ext2fs_file_get_lsize(l->file, &total);
		if (err) {
			com_err("dump_journal", err,
				"while getting journal inode size");
			return -1;
		}
	} else {
		if (fstat(l->fd, &st) < 0) {
			com_err("dump_journal", errno,
				"while getting journal inode size");
			return -1;
		}
		total = st.st_size;
	}
	total /= bs;
	*maxlen = e2fc_get_be32(jsb + JSB_MAXLEN);
	if (*maxlen > total)
		*maxlen = total;
	return 0;
}

/* the log from s_start; returns the tid after the last commit */
static unsigned log_walk(struct ld *l, char *buf, const char *jsb,
			 unsigned bs, unsigned maxlen)
{
	unsigned tid = e2fc_get_be32(jsb + JSB_SEQUENCE);
	unsigned blk = e2fc_get_be32(jsb + JSB_START), first, seq, type;
	long done = 0;
	int no_magic = 0, limited = l->old && l->counts != -1;

	fprintf(l->out, "Journal starts at block %u, transaction %u\n", blk,
		tid);
	if (!blk) {
		if (!l->old)
			return tid;
		blk = 1;
	}
	first = blk;
	while (!(limited && done >= l->counts)) {
		if (blk == first && done && limited) {
			fprintf(l->out, "Dump all %lld journal records.\n",
				(long long)done);
			break;
		}
		if (ld_read(l, (ext2_loff_t)blk * bs, buf, bs))
			break;
		seq = e2fc_get_be32(buf + JBD2_HDR_SEQUENCE);
		type = e2fc_get_be32(buf + JBD2_HDR_BLOCKTYPE);
		if (e2fc_get_be32(buf + JBD2_HDR_MAGIC) != JBD2_MAGIC) {
			if (!no_magic++)
				fprintf(l->out, "No magic number at block %u: "
					"end of journal.\n", blk);
			if (!limited)
				break;
			blk = wrap(jsb, blk + 1, maxlen);
			continue;
		}
		if (seq != tid) {
			fprintf(l->out, "Found sequence %u (not %u) at block "
				"%u: end of journal.\n", seq, tid, blk);
			if (!l->old)
				break;
		}
		if (l->descriptors)
			fprintf(l->out, "Found expected sequence %u, type %u "
				"(%s) at block %u\n", seq, type,
				block_type(type), blk);
		if (type == JBD2_BT_DESCRIPTOR) {
			blk = descriptor(l, buf, jsb, blk, bs, maxlen, tid);
		} else if (type == JBD2_BT_COMMIT) {
			done++;
			tid++;
			blk = wrap(jsb, blk + 1, maxlen);
		} else if (type == JBD2_BT_REVOKE) {
			revoke_block(l, buf, jsb, blk, bs, tid);
			blk = wrap(jsb, blk + 1, maxlen);
		} else {
			fprintf(l->out, "Unexpected block type %u at block "
				"%u.\n", type, blk);
			break;
		}
	}
	return tid;
}

static void dump_journal(struct ld *l)
{
	char jsb[JSB_SIZE];
	unsigned bs, maxlen, tid, blk, nfc;
	int done = 0;
	char *buf;

	bs = journal_super(l, jsb);
	if (!bs || journal_blocks(l, bs, &maxlen, jsb))
		return;
	/* zeroed slack past the block: a tag may claim more bytes */
	buf = calloc(1, bs + 64);
	if (!buf) {
		com_err(l->cmd, ENOMEM, "while reading journal");
		return;
	}
	tid = log_walk(l, buf, jsb, bs, maxlen);
	/* the fast-commit area: the last blocks (256 unless the superblock
	 * says), walked whatever the features say, as debugfs does */
	nfc = e2fc_get_be32(jsb + JSB_NUM_FC_BLKS);
	for (blk = maxlen - (nfc ? nfc : JBD2_DEFAULT_FC_BLOCKS) + 1;
	     blk <= maxlen; blk++) {
		if (ld_read(l, (ext2_loff_t)blk * bs, buf, bs))
			break;
		fc_block(l, buf, bs, tid, &done);
		if (!l->old && done)
			break;
	}
	free(buf);
}

/* ---- options and the journal's source ----------------------------------- */

/* -i: the inode table block holding the inode; debugfs counts 128-byte
 * inodes a block whatever the inode size, and so does this */
static int inode_target(struct ld *l, const char *spec)
{
	struct ext2_super_block *sb;
	unsigned group, off, per_block;

	if (dfc_check_open(l->cmd))
		return -1;
	l->inode = dfc_filespec(spec);
	if (!l->inode)
		return -1;
	sb = cur.fs->super;
	group = (l->inode - 1) / sb->s_inodes_per_group;
	off = (l->inode - 1) % sb->s_inodes_per_group;
	per_block = cur.fs->blocksize / EXT2_GOOD_OLD_INODE_SIZE;
	l->inode_block = ext2fs_inode_table_loc(cur.fs, group) +
		off / per_block;
	l->inode_offset = (off % per_block) * EXT2_GOOD_OLD_INODE_SIZE;
	printf("Inode %u is at group %u, block %llu, offset %u\n", l->inode,
	       group, (unsigned long long)l->inode_block, l->inode_offset);
	return 0;
}

/* the journal inode, or its copy in the superblock with -s */
static int open_internal(struct ld *l)
{
	struct ext2_super_block *sb = cur.fs->super;
	struct ext2_inode in;
	errcode_t err;

	if (l->use_sb) {
		if (sb->s_jnl_backup_type != EXT3_JNL_BACKUP_BLOCKS) {
			com_err(l->cmd, 0, "no journal backup in super block\n");
			return -1;
		}
		memset(&in, 0, sizeof(in));
		memcpy(in.i_block, sb->s_jnl_blocks, EXT2_N_BLOCKS * 4);
		in.i_size_high = sb->s_jnl_blocks[SB_JNL_SIZE_HI];
		in.i_size = sb->s_jnl_blocks[SB_JNL_SIZE];
		in.i_links_count = 1;
		in.i_mode = LINUX_S_IFREG | 0600;
	} else if (dfc_read_inode(sb->s_journal_inum, &in, l->cmd)) {
		return -1;
	}
	err = ext2fs_file_open2(cur.fs, sb->s_journal_inum, &in, 0, &l->file);
	if (err) {
		com_err(l->cmd, err, "while opening ext2 file");
		return -1;
	}
	return 0;
}

static int open_file(struct ld *l, const char *name)
{
	l->fd = open(name, O_RDONLY);
	if (l->fd >= 0)
		return 0;
	com_err(l->cmd, errno, "while opening %s for logdump", name);
	return -1;
}

/* -f, the journal inode, or the external journal given with -j */
static int open_source(struct ld *l, const char *journal_file)
{
	if (journal_file)
		return open_file(l, journal_file);
	if (dfc_check_open(l->cmd))
		return -1;
	if (cur.fs->super->s_journal_inum)
		return open_internal(l);
	if (!cur.extj) {
		com_err(l->cmd, 0, "filesystem has no journal");
		return -1;
	}
	if (open_file(l, cur.extj))
		return -1;
	fprintf(l->out, "Using external journal found at %s\n", cur.extj);
	return 0;
}

static void logdump(struct ld *l, const char *inode_spec,
		    const char *journal_file, const char *out_name)
{
	if (inode_spec && inode_target(l, inode_spec))
		return;
	l->out = stdout;
	if (out_name) {
		if (cur.fs && dfc_same_file_as_image(out_name)) {
			com_err(l->cmd, 0, "%s is the file system image that "
				"is open: not writing it", out_name);
			return;
		}
		l->out = fopen(out_name, "w");
		if (!l->out) {
			com_err(l->cmd, errno, "while opening %s for logdump",
				out_name);
			return;
		}
	}
	if (l->block != ANY_BLOCK) {
		if (dfc_check_open(l->cmd))
			goto out;
		l->bitmap = ext2fs_block_bitmap_loc(cur.fs,
			(l->block - cur.fs->super->s_first_data_block) /
			cur.fs->super->s_blocks_per_group);
	}
	if (!open_source(l, journal_file))
		dump_journal(l);
out:
	if (l->fd >= 0)
		close(l->fd);
	if (l->file)
		ext2fs_file_close(l->file);
	if (l->out != stdout && fclose(l->out))
		com_err(l->cmd, errno, "while writing %s", out_name);
}

static int parse_num(struct ld *l, const char *what, const char *arg,
		     int base, unsigned long long *v)
{
	char *end;

	*v = strtoull(arg, &end, base);
	if (*arg && !*end)
		return 0;
	com_err(l->cmd, 0, "Bad %s - %s", what, arg);
	return -1;
}

void do_logdump(int argc, char **argv, int sci_idx, void *infop)
{
	static const struct option lo[] = {
		{ "fc", no_argument, NULL, 'F' },
		E2FC_LONGOPT_JSON,
		E2FC_LONGOPT_RAW,
		{ "all", no_argument, NULL, 'A' },
		E2FC_LONGOPT_END
	};
	const char *inode_spec = NULL, *journal_file = NULL;
	int c, fc = 0, json = 0, flags = 0;
	unsigned long long v;
	struct ld l;

	memset(&l, 0, sizeof(l));
	l.cmd = argv[0];
	l.descriptors = 1;
	l.counts = -1;
	l.block = l.bitmap = l.inode_block = ANY_BLOCK;
	l.fd = -1;
	dfc_reset_getopt();
	while ((c = getopt_long(argc, argv, "ab:ci:f:OsSn:", lo, NULL)) != -1) {
		switch (c) {
		case 'a': l.all = 1; break;
		case 'c': l.contents = 1; break;
		case 'O': l.old = 1; break;
		case 's': l.use_sb = 1; break;
		case 'S': l.super = 1; break;
		case 'f': journal_file = optarg; break;
		case 'i':
			inode_spec = optarg;
			l.descriptors = 0;
			break;
		case 'b':
			if (parse_num(&l, "block number", optarg, 0, &v))
				return;
			l.block = v;
			l.descriptors = 0;
			break;
		case 'n':
			if (parse_num(&l, "log counts number", optarg, 10, &v))
				return;
			l.counts = (long)v;
			break;
		case 'F': fc = 1; break;
		case 'J': fc = json = 1; break;
		case 'r': fc = 1; flags |= E2FC_PRINT_RAW; break;
		case 'A': fc = 1; flags |= E2FC_PRINT_LOG; break;
		default:
			goto usage;
		}
	}
	if (optind != argc && optind != argc - 1)
		goto usage;
	if (fc) {
		if (!dfc_check_open(argv[0]))
			fc_dump(json, flags);
		return;
	}
	logdump(&l, inode_spec, journal_file, optind < argc ? argv[optind] :
		NULL);
	return;
usage:
	com_err(argv[0], 0, "Usage: logdump [-acsOS] [-n<num_trans>] "
		"[-b<block>] [-i<filespec>]\n\t[-f<journal_file>] "
		"[output_file]");
}
