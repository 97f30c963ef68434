// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * htree.c -- htree_dump: a hash-indexed directory, its index nodes and
 * leaf blocks with each name's hash, as debugfs 1.47.0 prints it.  The
 * on-disk index is decoded with the little-endian helpers.
 */
#include <stdlib.h>
#include <string.h>
#include "debugfs-fc.h"

struct htree {
	ext2_ino_t	ino;
	struct ext2_inode *in;
	int		hash_alg;
};

static void leaf_entry(struct htree *h, const char *de, unsigned off,
		       unsigned rec_len, char *out, size_t size)
{
	ext2_filsys fs = cur.fs;
	unsigned len = (unsigned char)de[DE_NAME_LEN];
	char name[EXT2_NAME_LEN + 1];
	ext2_dirhash_t hash = 0, minor = 0;
	int csum = ext2fs_has_feature_metadata_csum(fs->super);
	errcode_t err;

	memcpy(name, de + DE_NAME, len);
	name[len] = 0;
	err = ext2fs_dirhash2(h->hash_alg, name, len, fs->encoding,
			      h->in->i_flags & EXT4_CASEFOLD_FL,
			      fs->super->s_hash_seed, &hash, &minor);
	if (err)
		com_err("htree_dump_leaf_node", err, "while calculating hash");
	if (csum && off == fs->blocksize - DE_TAIL_SIZE &&
	    !e2fc_get_le32(de + DE_INODE) &&
	    e2fc_get_le16(de + DE_REC_LEN) == DE_TAIL_SIZE &&
	    e2fc_get_le16(de + DE_NAME_LEN) == EXT2_DIR_NAME_LEN_CSUM)
		snprintf(out, size, "leaf block checksum: 0x%08x  ",
			 e2fc_get_le32(de + DE_TAIL_CSUM));
	else
		snprintf(out, size, "%u 0x%08x-%08x (%d) %s   ",
			 e2fc_get_le32(de + DE_INODE), hash, minor, rec_len,
			 name);
}

static void leaf_node(struct htree *h, blk64_t blk, char *buf)
{
	ext2_filsys fs = cur.fs;
	char tmp[EXT2_NAME_LEN + 64];
	unsigned off = 0, rec_len, len;
	int col = 0, n;
	blk64_t pblk;
	errcode_t err;

	err = ext2fs_bmap2(fs, h->ino, h->in, NULL, 0, blk, 0, &pblk);
	if (err) {
		com_err("htree_dump_leaf_node", err, "while mapping logical "
			"block %llu\n", (unsigned long long)blk);
		return;
	}
	printf("Reading directory block %llu, phys %llu\n",
	       (unsigned long long)blk, (unsigned long long)pblk);
	err = ext2fs_read_dir_block4(fs, pblk, buf, 0, h->ino);
	if (err) {
		com_err("htree_dump_leaf_node", err, "while reading block "
			"%llu (%llu)\n", (unsigned long long)blk,
			(unsigned long long)pblk);
		return;
	}
	while (off < fs->blocksize) {
		err = ext2fs_get_rec_len(fs, (struct ext2_dir_entry *)
					 (buf + off), &rec_len);
		if (err) {
			com_err("htree_dump_leaf_inode", err, "while getting "
				"rec_len for block %lu", (unsigned long)blk);
			return;
		}
		len = (unsigned char)buf[off + DE_NAME_LEN];
		if (off + rec_len > fs->blocksize || rec_len < DE_NAME ||
		    rec_len % 4 || len + DE_NAME > rec_len) {
			printf("Corrupted directory block (%llu)!\n",
			       (unsigned long long)blk);
			break;
		}
		leaf_entry(h, buf + off, off, rec_len, tmp, sizeof(tmp));
		n = strlen(tmp);
		if (col + n > 80) {
			putchar('\n');
			col = 0;
		}
		fputs(tmp, stdout);
		col += n;
		off += rec_len;
	}
	putchar('\n');
}

static void int_block(struct htree *h, blk64_t blk, int level);

/* the hash of index entry i (the first one's is limit and count) */
static uint32_t dx_hash(const char *ent, unsigned i)
{
	return i ? e2fc_get_le32(ent + i * DX_ENTRY_SIZE + DX_ENTRY_HASH) : 0;
}

static uint32_t dx_block(const char *ent, unsigned i)
{
	return e2fc_get_le32(ent + i * DX_ENTRY_SIZE + DX_ENTRY_BLOCK);
}

/* the count, limit, tail checksum and entries of one index node */
static void int_node(struct htree *h, const char *ent, int in_root,
		     uint32_t crc, int level)
{
	ext2_filsys fs = cur.fs;
	unsigned limit = e2fc_get_le16(ent + DX_LIMIT);
	unsigned count = e2fc_get_le16(ent + DX_COUNT);
	long rest = (long)fs->blocksize - (long)limit * DX_ENTRY_SIZE;
	uint32_t sum, hash, block;
	unsigned i;
	char *buf;

	printf("Number of entries (count): %d\n", count);
	printf("Number of entries (limit): %d\n", limit);
	rest -= in_root ? DX_ROOT_INFO + DX_INFO_SIZE : DX_NODE_ENTRIES;
	if (ext2fs_has_feature_metadata_csum(fs->super) &&
	    rest == DX_TAIL_SIZE) {
		sum = e2fc_get_le32(ent + limit * DX_ENTRY_SIZE + DX_TAIL_CSUM);
		printf("Checksum: 0x%08x", sum);
		if (sum != crc)
			printf(" --- EXPECTED: 0x%08x", crc);
		putchar('\n');
	}
	for (i = 0; i < count; i++) {
		hash = dx_hash(ent, i);
		printf("Entry #%d: Hash 0x%08x%s, block %u\n", i, hash,
		       hash & 1 ? " (**)" : "", dx_block(ent, i));
	}
	putchar('\n');
	buf = malloc(fs->blocksize);
	for (i = 0; i < count && buf; i++) {
		hash = dx_hash(ent, i);
		block = dx_block(ent, i);
		printf("Entry #%d: Hash 0x%08x, block %u\n", i, hash, block);
		if (level)
			int_block(h, block, level - 1);
		else
			leaf_node(h, block, buf);
	}
	free(buf);
	printf("---------------------\n");
}

static uint32_t dx_crc(struct htree *h, const char *what, char *buf,
		       blk64_t blk)
{
	uint32_t crc;
	errcode_t err;

	err = ext2fs_dx_csum(cur.fs, h->ino, (struct ext2_dir_entry *)buf, &crc,
			     NULL);
	if (!err)
		return crc;
	com_err(what, err, "while calculating checksum for logical block "
		"%llu\n", (unsigned long long)blk);
	return (uint32_t)-1;
}

static void int_block(struct htree *h, blk64_t blk, int level)
{
	char *buf = malloc(cur.fs->blocksize);
	blk64_t pblk;
	errcode_t err;
	uint32_t crc;

	if (!buf) {
		printf("Couldn't allocate child block.\n");
		return;
	}
	err = ext2fs_bmap2(cur.fs, h->ino, h->in, NULL, 0, blk, 0, &pblk);
	if (err) {
		com_err("htree_dump_int_block", err, "while mapping logical "
			"block %llu\n", (unsigned long long)blk);
		goto out;
	}
	err = io_channel_read_blk64(cur.fs->io, pblk, 1, buf);
	if (err) {
		com_err("htree_dump_int_block", err, "while reading block "
			"%llu\n", (unsigned long long)blk);
		goto out;
	}
	crc = dx_crc(h, "htree_dump_int_block", buf, blk);
	int_node(h, buf + DX_NODE_ENTRIES, 0, crc, level);
out:
	free(buf);
}

static void root_node(struct htree *h, char *buf)
{
	const unsigned char *info = (unsigned char *)buf + DX_ROOT_INFO;
	unsigned info_len = info[DX_INFO_LENGTH];
	unsigned levels = info[DX_INFO_LEVELS];
	uint32_t crc;

	printf("Root node dump:\n");
	printf("\t Reserved zero: %u\n",
	       e2fc_get_le32(info + DX_INFO_OFF(reserved_zero)));
	printf("\t Hash Version: %d\n", info[DX_INFO_HASH_VERSION]);
	printf("\t Info length: %d\n", info_len);
	printf("\t Indirect levels: %d\n", levels);
	printf("\t Flags: %#x\n", info[DX_INFO_FLAGS]);
	h->hash_alg = info[DX_INFO_HASH_VERSION];
	if (h->hash_alg <= EXT2_HASH_TEA &&
	    (cur.fs->super->s_flags & EXT2_FLAGS_UNSIGNED_HASH))
		h->hash_alg += 3;
	if (DX_ROOT_INFO + info_len + DX_COUNTLIMIT_SIZE > cur.fs->blocksize) {
		printf("Corrupted directory block (0)!\n");
		return;
	}
	crc = dx_crc(h, "htree_dump_int_block", buf, 0);
	int_node(h, (const char *)info + info_len, 1, crc, levels);
}

void do_htree_dump(int argc, char **argv, int sci_idx, void *infop)
{
	struct ext2_inode in;
	struct htree h;
	ext2_ino_t ino;
	blk64_t blk;
	errcode_t err;
	char *buf;

	if (dfc_check_open(argv[0]) || dfc_inode_arg(argc, argv, &ino, 0) ||
	    dfc_read_inode(ino, &in, argv[1]))
		return;
	if (!LINUX_S_ISDIR(in.i_mode)) {
		com_err(argv[0], 0, "Not a directory");
		return;
	}
	if (!(in.i_flags & EXT2_INDEX_FL)) {
		com_err(argv[0], 0, "Not a hash-indexed directory");
		return;
	}
	buf = malloc(cur.fs->blocksize);
	if (!buf) {
		com_err(argv[0], 0, "Couldn't allocate htree buffer");
		return;
	}
	h.ino = ino;
	h.in = &in;
	err = ext2fs_bmap2(cur.fs, ino, &in, NULL, 0, 0, 0, &blk);
	if (err)
		com_err("do_htree_block", err, "while mapping logical block "
			"0\n");
	else if ((err = io_channel_read_blk64(cur.fs->io, blk, 1, buf)))
		com_err(argv[0], err, "Error reading root node");
	else
		root_node(&h, buf);
	free(buf);
}
