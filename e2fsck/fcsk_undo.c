// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fcsk_undo.c -- one undo file for the whole e2fsck-fc run.
 *
 * e2fc's own writes go through libext2fs's undo io manager into FILE;
 * the e2fsck pass writes its own undo file (e2fsck -z).  Both hold the
 * bytes each writer found before it wrote them.  The merge keeps, for
 * every 1 KiB of the device, the older copy (FILE's where both have
 * one), and writes a new undo file whose superblock copy is the device's
 * superblock now, so that e2undo FILE DEVICE puts back the device as it
 * was before e2fsck-fc started.  The layout is e2fsprogs's "E2UNDO02"
 * (facts in e2fc_disk.h): header block, superblock block, then key blocks
 * each followed by the data of its keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fcsk.h"
#include "fc_array.h"

#define UNIT		1024U		/* merge granularity (bytes) */
#define OUT_BLOCK	4096U		/* undo block size written */
#define OUT_EXTENT	(64U * OUT_BLOCK) /* bytes per key, at most */

struct unit {
	uint64_t	off;	/* byte offset on the device */
	uint64_t	pos;	/* byte offset in the source undo file */
	uint32_t	len;	/* UNIT, or less at the device's end */
	int		fd;	/* source undo file */
};

struct units {
	struct unit	*u;
	unsigned	n, cap;
};

static errcode_t units_add(struct units *us, uint64_t off, uint64_t pos,
			   uint32_t len, int fd)
{
	if (e2fc_array_grow(&us->u, &us->cap, us->n + 1, sizeof(*us->u)))
		return EXT2_ET_NO_MEMORY;
	us->u[us->n].off = off;
	us->u[us->n].pos = pos;
	us->u[us->n].len = len;
	us->u[us->n].fd = fd;
	us->n++;
	return 0;
}

/* one key of a source file, cut into units */
static errcode_t add_key(struct units *us, int fd, uint64_t dev_off,
			 uint64_t file_off, uint32_t size)
{
	uint32_t done, len;
	errcode_t err = 0;

	for (done = 0; done < size && !err; done += len) {
		len = size - done < UNIT ? size - done : UNIT;
		err = units_add(us, dev_off + done, file_off + done, len, fd);
	}
	return err;
}

static errcode_t check_header(const uint8_t *h, uint32_t *bs, uint32_t *fbs)
{
	if (memcmp(h, E2UNDO_MAGIC, 8))
		return EXT2_ET_BAD_MAGIC;
	if (ext2fs_crc32c_le(~0U, h, E2UNDO_HDR_CRC) !=
	    e2fc_get_le32(h + E2UNDO_HDR_CRC))
		return EXT2_ET_BAD_CRC;
	*bs = e2fc_get_le32(h + E2UNDO_HDR_BLOCK_SIZE);
	*fbs = e2fc_get_le32(h + E2UNDO_HDR_FS_BLOCK_SIZE);
	if (*bs < E2UNDO_MIN_BLOCK_SIZE || *bs > E2UNDO_MAX_BLOCK_SIZE ||
	    !*fbs || e2fc_get_le32(h + E2UNDO_HDR_F_INCOMPAT) ||
	    e2fc_get_le32(h + E2UNDO_HDR_F_ROCOMPAT) ||
	    e2fc_get_le64(h + E2UNDO_HDR_FS_OFFSET))
		return EXT2_ET_UNSUPP_FEATURE;
	return 0;
}

/* every key of the undo file open on fd, appended to us */
static errcode_t read_undo(int fd, struct units *us)
{
	uint8_t h[E2UNDO_HDR_SIZE], *kb = NULL;
	uint32_t bs, fbs, kpb, k;
	uint64_t nkeys, i, lblk;
	errcode_t err;

	err = e2fc_pread_all(fd, h, sizeof(h), 0);
	if (!err)
		err = check_header(h, &bs, &fbs);
	if (err)
		return err;
	nkeys = e2fc_get_le64(h + E2UNDO_HDR_NUM_KEYS);
	lblk = e2fc_get_le64(h + E2UNDO_HDR_KEY_OFFSET);
	kpb = bs / E2UNDO_KEY_SIZE - 1;
	kb = malloc(bs);
	if (!kb)
		return EXT2_ET_NO_MEMORY;
	for (i = 0; i < nkeys && !err; i += kpb) {
		err = e2fc_pread_all(fd, kb, bs, lblk * bs);
		if (!err && e2fc_get_le32(kb) != E2UNDO_KEYBLOCK_MAGIC)
			err = EXT2_ET_BAD_MAGIC;
		lblk++;
		for (k = 0; !err && k < kpb && i + k < nkeys; k++) {
			const uint8_t *key = kb + E2UNDO_KEYBLOCK_HDR +
					     k * E2UNDO_KEY_SIZE;
			uint32_t size = e2fc_get_le32(key + E2UNDO_KEY_BYTES);
			uint64_t blk = e2fc_get_le64(key + E2UNDO_KEY_FSBLK);

			err = add_key(us, fd, blk * fbs, lblk * bs, size);
			lblk += (size + bs - 1) / bs;
		}
	}
	free(kb);
	return err;
}

static int unit_cmp(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int covered(const struct units *us, size_t n, uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (us->u[mid].off == off)
			return 1;
		if (us->u[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* first's units win; later's are kept where first has none */
static void merge_units(struct units *us, size_t nfirst)
{
	size_t i, out;

	if (!us->n)	/* us->u may be NULL: qsort wants an array */
		return;
	qsort(us->u, nfirst, sizeof(*us->u), unit_cmp);
	for (i = out = nfirst; i < us->n; i++)
		if (!covered(us, nfirst, us->u[i].off))
			us->u[out++] = us->u[i];
	us->n = out;
	qsort(us->u, us->n, sizeof(*us->u), unit_cmp);
}

/* units [i, end) that form one key: contiguous on the device */
static size_t key_end(const struct units *us, size_t i)
{
	size_t j = i + 1;
	uint64_t len = us->u[i].len;

	while (j < us->n && us->u[j - 1].len == UNIT &&
	       us->u[j].off == us->u[j - 1].off + UNIT &&
	       len + us->u[j].len <= OUT_EXTENT)
		len += us->u[j++].len;
	return j;
}

struct writer {
	int		fd;
	uint8_t		*kb, *data;
	uint64_t	lblk;		/* next free undo block */
	uint64_t	nkeys;
};

/* the data of units [i, end) at the next free blocks; its key in kb */
static errcode_t write_key(struct writer *w, const struct units *us,
			   size_t i, size_t end, unsigned slot)
{
	uint8_t *key = w->kb + E2UNDO_KEYBLOCK_HDR + slot * E2UNDO_KEY_SIZE;
	uint32_t size = 0;
	errcode_t err = 0;
	size_t k;

	for (k = i; k < end && !err; k++) {
		err = e2fc_pread_all(us->u[k].fd, w->data + size,
				     us->u[k].len, us->u[k].pos);
		size += us->u[k].len;
	}
	if (!err)
		err = e2fc_pwrite_all(w->fd, w->data, size,
				      w->lblk * OUT_BLOCK);
	if (err)
		return err;
	e2fc_put_le64(key + E2UNDO_KEY_FSBLK, us->u[i].off / UNIT);
	e2fc_put_le32(key + E2UNDO_KEY_CRC,
		      ext2fs_crc32c_le(~0U, w->data, size));
	e2fc_put_le32(key + E2UNDO_KEY_BYTES, size);
	w->lblk += (size + OUT_BLOCK - 1) / OUT_BLOCK;
	w->nkeys++;
	return 0;
}

static errcode_t write_keys(struct writer *w, const struct units *us)
{
	unsigned kpb = OUT_BLOCK / E2UNDO_KEY_SIZE - 1, slot;
	uint64_t kblk;
	errcode_t err = 0;
	size_t i = 0, end;

	while (i < us->n && !err) {
		memset(w->kb, 0, OUT_BLOCK);
		kblk = w->lblk++;
		for (slot = 0; slot < kpb && i < us->n && !err; slot++) {
			end = key_end(us, i);
			err = write_key(w, us, i, end, slot);
			i = end;
		}
		e2fc_put_le32(w->kb, E2UNDO_KEYBLOCK_MAGIC);
		e2fc_put_le32(w->kb + E2UNDO_KEYBLOCK_CRC,
			      ext2fs_crc32c_le(~0U, w->kb, OUT_BLOCK));
		if (!err)
			err = e2fc_pwrite_all(w->fd, w->kb, OUT_BLOCK,
					      kblk * OUT_BLOCK);
	}
	return err;
}

/* header and superblock copy: the device's superblock as it is now */
static errcode_t write_head(struct writer *w, const char *device)
{
	uint8_t sb[SUPERBLOCK_SIZE], h[E2UNDO_HDR_SIZE];
	errcode_t err;
	int fd = open(device, O_RDONLY);

	if (fd < 0)
		return errno;
	err = e2fc_pread_all(fd, sb, sizeof(sb), SUPERBLOCK_OFFSET);
	close(fd);
	if (err)
		return err;
	memset(h, 0, sizeof(h));
	memcpy(h, E2UNDO_MAGIC, 8);
	e2fc_put_le64(h + E2UNDO_HDR_NUM_KEYS, w->nkeys);
	e2fc_put_le64(h + E2UNDO_HDR_SUPER_OFFSET, 1);
	e2fc_put_le64(h + E2UNDO_HDR_KEY_OFFSET, 2);
	e2fc_put_le32(h + E2UNDO_HDR_BLOCK_SIZE, OUT_BLOCK);
	e2fc_put_le32(h + E2UNDO_HDR_FS_BLOCK_SIZE, UNIT);
	e2fc_put_le32(h + E2UNDO_HDR_SB_CRC,
		      ext2fs_crc32c_le(~0U, sb, sizeof(sb)));
	e2fc_put_le32(h + E2UNDO_HDR_STATE, E2UNDO_STATE_FINISHED);
	e2fc_put_le32(h + E2UNDO_HDR_CRC,
		      ext2fs_crc32c_le(~0U, h, E2UNDO_HDR_CRC));
	e2fc_put_le16(sb + E2UNDO_SB_MAGIC_OFF,
		      (uint16_t)~e2fc_get_le16(sb + E2UNDO_SB_MAGIC_OFF));
	memset(w->data, 0, OUT_BLOCK);
	memcpy(w->data, h, sizeof(h));
	err = e2fc_pwrite_all(w->fd, w->data, OUT_BLOCK, 0);
	if (!err) {
		memset(w->data, 0, OUT_BLOCK);
		memcpy(w->data, sb, sizeof(sb));
		err = e2fc_pwrite_all(w->fd, w->data, OUT_BLOCK, OUT_BLOCK);
	}
	return err;
}

static errcode_t write_undo(const char *name, const struct units *us,
			    const char *device)
{
	struct writer w = { .lblk = 2 };
	errcode_t err = EXT2_ET_NO_MEMORY;

	w.kb = malloc(OUT_BLOCK);
	w.data = malloc(OUT_EXTENT);
	w.fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w.fd < 0)
		err = errno;
	else if (w.kb && w.data)
		err = write_keys(&w, us);
	if (!err)
		err = write_head(&w, device);
	if (!err && fsync(w.fd) < 0)
		err = errno;
	if (w.fd >= 0 && close(w.fd) < 0 && !err)
		err = errno;
	free(w.kb);
	free(w.data);
	return err;
}

/* a missing source holds no keys */
static errcode_t open_undo(const char *name, int *fd)
{
	*fd = -1;
	if (!name)
		return 0;
	*fd = open(name, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 && errno != ENOENT)
		return errno;
	return 0;
}

errcode_t fcsk_undo_merge(const char *first, const char *later,
			  const char *device)
{
	struct units us = { 0 };
	size_t nfirst, len = strlen(first) + sizeof(".merge");
	char *tmp = malloc(len);
	int fa = -1, fb = -1;
	errcode_t err;

	if (!tmp)
		return EXT2_ET_NO_MEMORY;
	snprintf(tmp, len, "%s.merge", first);
	err = open_undo(first, &fa);
	if (!err)
		err = open_undo(later, &fb);
	if (!err && fa >= 0)
		err = read_undo(fa, &us);
	nfirst = us.n;
	if (!err && fb >= 0)
		err = read_undo(fb, &us);
	if (!err) {
		merge_units(&us, nfirst);
		unlink(tmp);
		err = write_undo(tmp, &us, device);
	}
	if (!err && rename(tmp, first) < 0)
		err = errno;
	if (err)
		unlink(tmp);
	else if (later)
		unlink(later);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	free(us.u);
	free(tmp);
	return err;
}
