/* SPDX-License-Identifier: LGPL-2.0-or-later */
/*
 * e2fc_disk.h -- on-disk facts of the jbd2 journal and the ext4 fast-commit
 * area (doc/format.md), and endian-safe byte accessors: the one place
 * each on-disk layout is written down.
 *
 * Debian's libext2fs-dev does not ship kernel-jbd.h or fast_commit.h, so the
 * numbers live here.  Never cast a disk buffer to a struct: read fields with
 * the accessors below, which work on any alignment.
 */
#ifndef E2FC_DISK_H
#define E2FC_DISK_H

#include <stdint.h>
#include <stddef.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2_ext_attr.h>

/* ---- byte accessors -------------------------------------------------- */
static inline uint16_t e2fc_get_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t e2fc_get_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) |
	       ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline uint16_t e2fc_get_be16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t e2fc_get_be32(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

static inline uint64_t e2fc_get_be64(const void *p)
{
	const uint8_t *b = p;

	return ((uint64_t)e2fc_get_be32(b) << 32) | e2fc_get_be32(b + 4);
}

static inline void e2fc_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = v & 0xff;
	b[1] = v >> 8;
}

static inline void e2fc_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v & 0xff;
	b[1] = (v >> 8) & 0xff;
	b[2] = (v >> 16) & 0xff;
	b[3] = v >> 24;
}

static inline void e2fc_put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static inline void e2fc_put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v >> 24;
	b[1] = (v >> 16) & 0xff;
	b[2] = (v >> 8) & 0xff;
	b[3] = v & 0xff;
}

static inline void e2fc_put_be64(void *p, uint64_t v)
{
	e2fc_put_be32(p, (uint32_t)(v >> 32));
	e2fc_put_be32((uint8_t *)p + 4, (uint32_t)v);
}

/* ---- ext2/3/4 superblock (little-endian), of an external journal ------ */
#define SB_OFF(f)		offsetof(struct ext2_super_block, f)
#define SB_LOG_BLOCK_SIZE	SB_OFF(s_log_block_size)
#define SB_MAGIC		SB_OFF(s_magic)
#define SB_FEATURE_INCOMPAT	SB_OFF(s_feature_incompat)
#define SB_UUID			SB_OFF(s_uuid)
#define SB_SIZE			1024	/* at byte 1024 of the device */
/* s_jnl_blocks: the journal inode's i_block, then its size */
#define SB_JNL_SIZE_HI		EXT2_N_BLOCKS		/* i_size_high */
#define SB_JNL_SIZE		(EXT2_N_BLOCKS + 1)	/* i_size */

/* ---- ext4 block group descriptor ------------------------------------ */
/* 32 bytes, or s_desc_size (>= 64) with the 64bit feature; then each of
 * these fields has its high half EXT4_GD_HI bytes further on (le32 for
 * the block numbers, le16 for the counts) */
#define EXT4_GD_BLOCK_BITMAP		0x00	/* le32 */
#define EXT4_GD_INODE_BITMAP		0x04	/* le32 */
#define EXT4_GD_INODE_TABLE		0x08	/* le32 */
#define EXT4_GD_FREE_BLOCKS		0x0C	/* le16, in clusters */
#define EXT4_GD_FREE_INODES		0x0E	/* le16 */
#define EXT4_GD_FLAGS			0x12	/* le16, no high half */
#define EXT4_GD_HI			0x20
/* the three locations, end to end from 0 (and from EXT4_GD_HI) */
#define EXT4_GD_LOCS_SIZE		12

/* ---- jbd2 ------------------------------------------------------------ */
#define JBD2_MAGIC			0xC03B3998U

/* block header */
#define JBD2_HDR_MAGIC			0	/* be32 */
#define JBD2_HDR_BLOCKTYPE		4	/* be32 */
#define JBD2_HDR_SEQUENCE		8	/* be32: the tid */
#define JBD2_HDR_SIZE			12
#define JBD2_BT_DESCRIPTOR		1
#define JBD2_BT_COMMIT			2
#define JBD2_BT_SB_V1			3
#define JBD2_BT_SB_V2			4
#define JBD2_BT_REVOKE			5

/* superblock field offsets (big-endian) */
#define JSB_BLOCKSIZE			0x0C
#define JSB_MAXLEN			0x10
#define JSB_FIRST			0x14
#define JSB_SEQUENCE			0x18
#define JSB_START			0x1C
#define JSB_ERRNO			0x20
#define JSB_FEATURE_COMPAT		0x24
#define JSB_FEATURE_INCOMPAT		0x28
#define JSB_FEATURE_RO_COMPAT		0x2C
#define JSB_UUID			0x30
#define JSB_NR_USERS			0x40
#define JSB_DYNSUPER			0x44
#define JSB_MAX_TRANSACTION		0x48
#define JSB_MAX_TRANS_DATA		0x4C
#define JSB_CHECKSUM_TYPE		0x50	/* u8 */
#define JSB_NUM_FC_BLKS			0x54
#define JSB_HEAD			0x58
#define JSB_CHECKSUM			0xFC
#define JSB_USERS			0x100	/* 48 x 16-byte uuids */
#define JSB_SIZE			1024

#define JBD2_FEATURE_COMPAT_CHECKSUM	0x00000001U
#define JBD2_FEATURE_INCOMPAT_REVOKE	0x00000001U
#define JBD2_FEATURE_INCOMPAT_64BIT	0x00000002U
#define JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT 0x00000004U
#define JBD2_FEATURE_INCOMPAT_CSUM_V2	0x00000008U
#define JBD2_FEATURE_INCOMPAT_CSUM_V3	0x00000010U
#define JBD2_FEATURE_INCOMPAT_FAST_COMMIT 0x00000020U
#define JBD2_KNOWN_INCOMPAT		0x0000003FU

#define JBD2_CRC32_CHKSUM		1
#define JBD2_MD5_CHKSUM			2
#define JBD2_SHA1_CHKSUM		3
#define JBD2_CRC32C_CHKSUM		4

#define JBD2_DEFAULT_FC_BLOCKS		256
/* s_maxlen - FC blocks below this: the kernel and e2fsck refuse the
 * journal */
#define JBD2_MIN_JOURNAL_BLOCKS		1024

/*
 * descriptor block tag.  csum v3: 16 bytes, be32 blocknr, be32 flags,
 * be32 blocknr_high, be32 checksum.  Otherwise: be32 blocknr, be16
 * checksum (csum v2), be16 flags, be32 blocknr_high (64bit): 8 bytes,
 * + 2 with csum v2, + 4 with 64bit.  A tag without SAME_UUID is followed
 * by the 16-byte journal uuid.
 */
#define JBD2_TAG_BLOCKNR		0
#define JBD2_TAG3_FLAGS			4
#define JBD2_TAG3_BLOCKNR_HIGH		8
#define JBD2_TAG3_CSUM			12
#define JBD2_TAG3_SIZE			16
#define JBD2_TAG_CSUM			4	/* be16 */
#define JBD2_TAG_FLAGS			6	/* be16 */
#define JBD2_TAG_BLOCKNR_HIGH		8
#define JBD2_TAG_SIZE			8	/* without csum v2, 64bit */
#define JBD2_TAG_UUID_SIZE		16

/* descriptor block tag flags */
#define JBD2_FLAG_ESCAPE		1
#define JBD2_FLAG_SAME_UUID		2
#define JBD2_FLAG_DELETED		4
#define JBD2_FLAG_LAST_TAG		8

/* commit block: after the 12-byte header */
#define JBD2_COMMIT_CHKSUM_TYPE		12	/* u8 */
#define JBD2_COMMIT_CHKSUM_SIZE		13	/* u8 */
#define JBD2_COMMIT_CHKSUM		16	/* be32 x 8 */
#define JBD2_COMMIT_SEC			48	/* be64 */
#define JBD2_COMMIT_NSEC		56	/* be32 */

/* revoke block: be32 r_count (bytes used, header included) @12 */
#define JBD2_REVOKE_COUNT		12
#define JBD2_REVOKE_HDR_SIZE		16
/* descriptor and revoke blocks end with a be32 checksum (csum v2/v3) */
#define JBD2_BLOCK_TAIL_SIZE		4

/* ---- fast commit ------------------------------------------------------ */
#define EXT4_FC_TAG_ADD_RANGE		1
#define EXT4_FC_TAG_DEL_RANGE		2
#define EXT4_FC_TAG_CREAT		3
#define EXT4_FC_TAG_LINK		4
#define EXT4_FC_TAG_UNLINK		5
#define EXT4_FC_TAG_INODE		6
#define EXT4_FC_TAG_PAD			7
#define EXT4_FC_TAG_TAIL		8
#define EXT4_FC_TAG_HEAD		9
#define EXT4_FC_TAG_MAX			9
/* every tag above, by its EXT4_FC_TAG_ suffix: X(ADD_RANGE) ... X(HEAD),
 * for the tables that go by tag (names, JSON heads) */
#define EXT4_FC_TAGS(X)	X(ADD_RANGE) X(DEL_RANGE) X(CREAT) X(LINK) \
			X(UNLINK) X(INODE) X(PAD) X(TAIL) X(HEAD)

#define EXT4_FC_TL_SIZE			4	/* le16 tag, le16 len */
#define EXT4_FC_TL_TAG			0	/* le16 */
#define EXT4_FC_TL_LEN			2	/* le16 */

/* tag values, little-endian */
#define EXT4_FC_HEAD_FEATURES		0	/* le32 */
#define EXT4_FC_HEAD_TID		4	/* le32 */
#define EXT4_FC_ADD_RANGE_INO		0	/* le32 */
#define EXT4_FC_ADD_RANGE_EXTENT	4	/* an ext4 leaf extent */
#define EXT4_FC_DEL_RANGE_INO		0	/* le32 */
#define EXT4_FC_DEL_RANGE_LBLK		4	/* le32 */
#define EXT4_FC_DEL_RANGE_COUNT		8	/* le32 blocks */
#define EXT4_FC_DENTRY_PARENT		0	/* le32 */
#define EXT4_FC_DENTRY_INO		4	/* le32, then the name */
#define EXT4_FC_INODE_INO		0	/* le32 */
#define EXT4_FC_INODE_RAW		4	/* the raw inode, to the end */
#define EXT4_FC_TAIL_TID		0	/* le32 */
#define EXT4_FC_TAIL_CRC		4	/* le32 */
#define EXT4_FC_ADD_RANGE_LEN		16
#define EXT4_FC_DEL_RANGE_LEN		12
#define EXT4_FC_DENTRY_HDR_LEN		8	/* parent, ino */
#define EXT4_FC_TAIL_LEN		8	/* tid, crc (then zero padding) */
#define EXT4_FC_HEAD_LEN		8	/* features, tid */
#define EXT4_FC_SUPPORTED_FEATURES	0

#define EXT4_FC_EXT_MAX_INIT_LEN	32768	/* len > this: unwritten */

/* ext4 extent tree (little-endian) */
#define EXT4_EXT_MAGIC			0xF30A
#define EXT4_EXT_HDR_SIZE		12	/* le16 magic, entries, max, */
#define EXT4_EXT_HDR_ENTRIES		2	/* depth; le32 generation */
#define EXT4_EXT_HDR_MAX		4
#define EXT4_EXT_HDR_DEPTH		6
#define EXT4_EXT_ENTRY_SIZE		12
/* leaf: le32 lblk, le16 len (> 32768: unwritten), le16 start_hi,
 * le32 start_lo */
#define EXT4_EXT_LBLK			0
#define EXT4_EXT_LEN			4
#define EXT4_EXT_START_HI		6
#define EXT4_EXT_START_LO		8
/* index: le32 lblk, le32 leaf_lo, le16 leaf_hi */
#define EXT4_IDX_LBLK			0
#define EXT4_IDX_LEAF_LO		4
#define EXT4_IDX_LEAF_HI		8

/*
 * The raw on-disk inode (little-endian), as an INODE tag logs it: the
 * offsets of libext2fs's struct ext2_inode_large, which has the ext4
 * layout (never cast a buffer to it: read with the accessors above).
 */
#define RI_OFF(f)	offsetof(struct ext2_inode_large, f)
#define RI_MODE		RI_OFF(i_mode)
#define RI_UID		RI_OFF(i_uid)
#define RI_SIZE_LO	RI_OFF(i_size)
#define RI_ATIME	RI_OFF(i_atime)
#define RI_CTIME	RI_OFF(i_ctime)
#define RI_MTIME	RI_OFF(i_mtime)
#define RI_DTIME	RI_OFF(i_dtime)
#define RI_GID		RI_OFF(i_gid)
#define RI_LINKS	RI_OFF(i_links_count)
#define RI_BLOCKS_LO	RI_OFF(i_blocks)
#define RI_FLAGS	RI_OFF(i_flags)
#define RI_BLOCK	RI_OFF(i_block)
#define RI_BLOCK_LEN	(EXT2_N_BLOCKS * 4)
#define RI_GENERATION	RI_OFF(i_generation)
#define RI_FILE_ACL_LO	RI_OFF(i_file_acl)
#define RI_FADDR	RI_OFF(i_faddr)
#define RI_SIZE_HI	RI_OFF(i_size_high)
#define RI_BLOCKS_HI	RI_OFF(osd2.linux2.l_i_blocks_hi)
#define RI_FILE_ACL_HI	RI_OFF(osd2.linux2.l_i_file_acl_high)
#define RI_UID_HI	RI_OFF(osd2.linux2.l_i_uid_high)
#define RI_GID_HI	RI_OFF(osd2.linux2.l_i_gid_high)
#define RI_CSUM_LO	RI_OFF(osd2.linux2.l_i_checksum_lo)
#define RI_EXTRA_ISIZE	RI_OFF(i_extra_isize)
#define RI_CSUM_HI	RI_OFF(i_checksum_hi)
#define RI_CTIME_EXTRA	RI_OFF(i_ctime_extra)
#define RI_MTIME_EXTRA	RI_OFF(i_mtime_extra)
#define RI_ATIME_EXTRA	RI_OFF(i_atime_extra)
#define RI_CRTIME	RI_OFF(i_crtime)
#define RI_CRTIME_EXTRA	RI_OFF(i_crtime_extra)
#define RI_GOOD_OLD	EXT2_GOOD_OLD_INODE_SIZE

/*
 * Directory blocks (debugfs-fc's ls, htree_dump): the offsets of
 * libext2fs's structures, which have the ext4 layout.
 */
#define DE_OFF(f)		offsetof(struct ext2_dir_entry_2, f)
#define DE_INODE		DE_OFF(inode)		/* le32 */
#define DE_REC_LEN		DE_OFF(rec_len)		/* le16 */
#define DE_NAME_LEN		DE_OFF(name_len)	/* u8, then file type */
#define DE_NAME			DE_OFF(name)
/* the checksum entry that ends a leaf block */
#define DE_TAIL_SIZE		sizeof(struct ext2_dir_entry_tail)
#define DE_TAIL_CSUM		\
	offsetof(struct ext2_dir_entry_tail, det_checksum)
/* an index block: "." and ".." (the root) or one empty entry, then
 * limit and count (struct ext2_dx_countlimit) over the first entry's hash,
 * the entries, and with metadata_csum a tail */
#define DX_ROOT_INFO		(2 * 12)	/* after "." and ".." */
#define DX_INFO_OFF(f)		offsetof(struct ext2_dx_root_info, f)
#define DX_INFO_SIZE		sizeof(struct ext2_dx_root_info)
#define DX_INFO_HASH_VERSION	DX_INFO_OFF(hash_version)	/* u8 */
#define DX_INFO_LENGTH		DX_INFO_OFF(info_length)	/* u8 */
#define DX_INFO_LEVELS		DX_INFO_OFF(indirect_levels)	/* u8 */
#define DX_INFO_FLAGS		DX_INFO_OFF(unused_flags)	/* u8 */
#define DX_NODE_ENTRIES		DE_NAME		/* after the empty entry */
#define DX_LIMIT		offsetof(struct ext2_dx_countlimit, limit)
#define DX_COUNT		offsetof(struct ext2_dx_countlimit, count)
#define DX_COUNTLIMIT_SIZE	sizeof(struct ext2_dx_countlimit)
#define DX_ENTRY_SIZE		sizeof(struct ext2_dx_entry)
#define DX_ENTRY_HASH		offsetof(struct ext2_dx_entry, hash)
#define DX_ENTRY_BLOCK		offsetof(struct ext2_dx_entry, block)
#define DX_TAIL_SIZE		sizeof(struct ext2_dx_tail)
#define DX_TAIL_CSUM		offsetof(struct ext2_dx_tail, dt_checksum)
#define DX_BLOCK_MASK		0x0fffffffU	/* of an entry's block */
#define DX_MAX_LEVELS		3		/* with large_dir */

/* extended attributes: the block header and an entry (then its name) */
#define XH_OFF(f)		offsetof(struct ext2_ext_attr_header, f)
#define XH_SIZE			sizeof(struct ext2_ext_attr_header)
#define XE_OFF(f)		offsetof(struct ext2_ext_attr_entry, f)
#define XE_SIZE			sizeof(struct ext2_ext_attr_entry)

/* ---- e2undo file (e2fsprogs undo_io, "E2UNDO02"), for e2fsck-fc ------ */
/* header, 512 bytes at offset 0 of undo block 0 */
#define E2UNDO_MAGIC			"E2UNDO02"	/* 8 bytes @0 */
#define E2UNDO_HDR_NUM_KEYS		8	/* le64 */
#define E2UNDO_HDR_SUPER_OFFSET		16	/* le64, undo block */
#define E2UNDO_HDR_KEY_OFFSET		24	/* le64, undo block */
#define E2UNDO_HDR_BLOCK_SIZE		32	/* le32, undo block size */
#define E2UNDO_HDR_FS_BLOCK_SIZE	36	/* le32, unit of key fsblk */
#define E2UNDO_HDR_SB_CRC		40	/* le32 */
#define E2UNDO_HDR_STATE		44	/* le32 */
#define E2UNDO_HDR_F_COMPAT		48	/* le32 */
#define E2UNDO_HDR_F_INCOMPAT		52	/* le32 */
#define E2UNDO_HDR_F_ROCOMPAT		56	/* le32 */
#define E2UNDO_HDR_FS_OFFSET		64	/* le64 */
#define E2UNDO_HDR_CRC			508	/* le32 crc32c of bytes 0..507 */
#define E2UNDO_HDR_SIZE			512
#define E2UNDO_STATE_FINISHED		0x1
#define E2UNDO_MIN_BLOCK_SIZE		1024
#define E2UNDO_MAX_BLOCK_SIZE		1048576
#define E2UNDO_MAX_EXTENT_BLOCKS	512	/* key size <= this * block */
/* the superblock copy (1024 bytes) is stored with s_magic (le16 @56)
 * inverted; sb_crc is the crc32c of the real one */
#define E2UNDO_SB_MAGIC_OFF		56
/* key block: le32 magic @0, le32 crc32c of the block (crc zero) @4,
 * le64 zero @8, then keys of 16 bytes: le64 fsblk, le32 crc32c of the
 * data, le32 size in bytes; each key's data follows the key block in
 * whole undo blocks, in key order */
#define E2UNDO_KEYBLOCK_MAGIC		0xCADECADEU
#define E2UNDO_KEYBLOCK_CRC		4
#define E2UNDO_KEYBLOCK_HDR		16
#define E2UNDO_KEY_FSBLK		0
#define E2UNDO_KEY_CRC			8
#define E2UNDO_KEY_BYTES		12
#define E2UNDO_KEY_SIZE			16

static inline uint64_t e2fc_get_le64(const void *p)
{
	return (uint64_t)e2fc_get_le32(p) |
	       ((uint64_t)e2fc_get_le32((const uint8_t *)p + 4) << 32);
}

static inline void e2fc_put_le64(void *p, uint64_t v)
{
	e2fc_put_le32(p, (uint32_t)v);
	e2fc_put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* ---- orphans (fc_orphan.c) -------------------------------------------- */
#define E2FC_SB_OFFSET			1024	/* primary superblock, bytes */
#define E2FC_SB_LAST_ORPHAN		0xE8	/* le32, in the superblock */
#define E2FC_INODE_DTIME		0x14	/* le32: next orphan on the list */
#define E2FC_ORPHAN_BLOCK_MAGIC		0x0b10ca04U
/* an orphan file block: le32 inode numbers, then the tail: le32 magic,
 * le32 checksum (crc32c of the file's inode seed, the le64 block
 * number and the entries) */
#define E2FC_ORPHAN_TAIL_SIZE		8
#define E2FC_ORPHAN_TAIL_MAGIC		8	/* bytes before the block end */

#endif /* E2FC_DISK_H */
