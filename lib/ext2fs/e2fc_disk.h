/*
 * e2fc_disk.h -- on-disk facts of the jbd2 journal and the ext4 fast-commit
 * area (see shared/DESIGN.md section 2), and endian-safe byte accessors.
 *
 * Debian's libext2fs-dev does not ship kernel-jbd.h or fast_commit.h, so the
 * numbers live here.  Never cast a disk buffer to a struct: read fields with
 * the accessors below, which work on any alignment.
 */
#ifndef E2FC_DISK_H
#define E2FC_DISK_H

#include <stdint.h>
#include <stddef.h>

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

/* ---- jbd2 ------------------------------------------------------------ */
#define JBD2_MAGIC			0xC03B3998U

/* block header: be32 magic @0, be32 blocktype @4, be32 sequence @8 */
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

#define EXT4_FC_TL_SIZE			4	/* le16 tag, le16 len */
#define EXT4_FC_ADD_RANGE_LEN		16
#define EXT4_FC_DEL_RANGE_LEN		12
#define EXT4_FC_DENTRY_HDR_LEN		8	/* parent, ino */
#define EXT4_FC_TAIL_LEN		8	/* tid, crc (then zero padding) */
#define EXT4_FC_HEAD_LEN		8	/* features, tid */
#define EXT4_FC_SUPPORTED_FEATURES	0

#define EXT4_FC_EXT_MAX_INIT_LEN	32768	/* len > this: unwritten */

/* ext4 extent tree (little-endian) */
#define EXT4_EXT_MAGIC			0xF30A
#define EXT4_EXT_HDR_SIZE		12
#define EXT4_EXT_ENTRY_SIZE		12

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
