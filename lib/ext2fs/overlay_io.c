// SPDX-License-Identifier: LGPL-2.0-or-later
/*
 * overlay_io.c -- a copy-on-write io_manager: reads come from the named
 * file or device (opened read-only, never written), writes go to memory.
 *
 * The overlay is kept in 1024-byte units (every ext2 block size is a
 * multiple), in a hash table, so block-size changes and byte writes need
 * no special cases.  Every open makes a new, empty overlay: two opens of
 * the same name never see each other's writes.  An overlay lives as long
 * as a channel uses it.  A channel can take over the overlay of another
 * one that is still open with the io option "e2fc_overlay=<id>" (what
 * e2fc_overlay_reopen_options() returns): that is how e2fc_recover()
 * reopens a file system without losing what it wrote.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include "e2fc.h"

#define UNIT		1024
#define UNIT_SHIFT	10
#define OPTION		"e2fc_overlay"

struct unit {
	uint64_t	idx;
	struct unit	*next;
	uint8_t		data[UNIT];
};

struct overlay {
	uint64_t	id;		/* unique in the process */
	char		opts[40];	/* OPTION=id */
	struct overlay	*next;		/* live overlays */
	struct unit	**tab;
	size_t		size;		/* buckets, power of two */
	size_t		count;		/* units held */
	int		refs;		/* open channels */
};

struct ov_chan {
	struct overlay	*ov;
	int		fd;
	struct struct_io_stats	stats;
};

/*
 * The live overlays, only so that an io option can name one.  Nothing
 * is shared between two of them; registry_lock guards the list, the ids
 * and every overlay's refs, so channels may open and close in threads.
 */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct overlay *live;
static uint64_t last_id;

/* a new reference to the live overlay id, or NULL */
static struct overlay *ov_get(uint64_t id)
{
	struct overlay *ov;

	pthread_mutex_lock(&registry_lock);
	for (ov = live; ov; ov = ov->next)
		if (ov->id == id && ov->refs > 0) {
			ov->refs++;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	return ov;
}

static errcode_t ov_new(struct overlay **out)
{
	struct overlay *ov;

	ov = calloc(1, sizeof(*ov));
	if (!ov)
		return EXT2_ET_NO_MEMORY;
	ov->size = 1024;
	ov->tab = calloc(ov->size, sizeof(*ov->tab));
	if (!ov->tab) {
		free(ov);
		return EXT2_ET_NO_MEMORY;
	}
	ov->refs = 1;
	pthread_mutex_lock(&registry_lock);
	ov->id = ++last_id;
	ov->next = live;
	live = ov;
	pthread_mutex_unlock(&registry_lock);
	snprintf(ov->opts, sizeof(ov->opts), OPTION "=%" PRIu64, ov->id);
	*out = ov;
	return 0;
}

static size_t bucket(const struct overlay *ov, uint64_t idx)
{
	return (size_t)((idx * 0x9E3779B97F4A7C15ULL) >> 20) & (ov->size - 1);
}

static struct unit *unit_find(const struct overlay *ov, uint64_t idx)
{
	struct unit *u;

	for (u = ov->tab[bucket(ov, idx)]; u; u = u->next)
		if (u->idx == idx)
			return u;
	return NULL;
}

static void ov_grow(struct overlay *ov)
{
	struct unit **old = ov->tab, *u, *next;
	size_t i, osize = ov->size;

	ov->tab = calloc(osize * 2, sizeof(*ov->tab));
	if (!ov->tab) {		/* keep the old table; chains get longer */
		ov->tab = old;
		return;
	}
	ov->size = osize * 2;
	for (i = 0; i < osize; i++)
		for (u = old[i]; u; u = next) {
			size_t b = bucket(ov, u->idx);

			next = u->next;
			u->next = ov->tab[b];
			ov->tab[b] = u;
		}
	free(old);
}

static void ov_free_units(struct overlay *ov)
{
	struct unit *u, *next;
	size_t i;

	for (i = 0; i < ov->size; i++) {
		for (u = ov->tab[i]; u; u = next) {
			next = u->next;
			free(u);
		}
		ov->tab[i] = NULL;
	}
	ov->count = 0;
}

/* drop a reference; the last one frees the overlay */
static void ov_put(struct overlay *ov)
{
	struct overlay **pp;

	pthread_mutex_lock(&registry_lock);
	if (--ov->refs > 0) {
		pthread_mutex_unlock(&registry_lock);
		return;
	}
	for (pp = &live; *pp; pp = &(*pp)->next)
		if (*pp == ov) {
			*pp = ov->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	ov_free_units(ov);
	free(ov->tab);
	free(ov);
}

/* all len bytes at off, again after a signal; a read that meets the end
 * zeroes the rest of buf (the end of a device reads as zeros) */
static errcode_t pio_all(int fd, uint8_t *p, size_t len, uint64_t off,
			 int wr)
{
	ssize_t n;

	while (len) {
		n = wr ? pwrite(fd, p, len, (off_t)off) :
			 pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0 && wr)
			return EXT2_ET_SHORT_WRITE;
		if (n == 0) {
			memset(p, 0, len);
			return EXT2_ET_SHORT_READ;
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

errcode_t e2fc_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	return pio_all(fd, buf, len, off, 0);
}

errcode_t e2fc_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	return pio_all(fd, (uint8_t *)buf, len, off, 1);
}

/* bytes [off, off+len): base data with the overlay on top */
static errcode_t ov_read(struct ov_chan *c, uint64_t off, uint8_t *buf,
			 size_t len)
{
	errcode_t err = 0;
	uint64_t idx;

	if (!c->ov->count)
		return e2fc_pread_all(c->fd, buf, len, off);
	while (len) {
		size_t in = off & (UNIT - 1), n = UNIT - in;
		struct unit *u;

		if (n > len)
			n = len;
		idx = off >> UNIT_SHIFT;
		u = unit_find(c->ov, idx);
		if (u) {
			memcpy(buf, u->data + in, n);
		} else {
			/* read the run of units not in the overlay at once */
			size_t run = n;

			while (run < len &&
			       !unit_find(c->ov, (off + run) >> UNIT_SHIFT))
				run += (len - run) < UNIT ? len - run : UNIT;
			err = e2fc_pread_all(c->fd, buf, run, off);
			if (err && err != EXT2_ET_SHORT_READ)
				return err;
			n = run;
		}
		buf += n;
		off += n;
		len -= n;
	}
	return err;
}

static errcode_t ov_write(struct ov_chan *c, uint64_t off, const uint8_t *buf,
			  size_t len)
{
	struct overlay *ov = c->ov;

	while (len) {
		size_t in = off & (UNIT - 1), n = UNIT - in;
		uint64_t idx = off >> UNIT_SHIFT;
		struct unit *u;

		if (n > len)
			n = len;
		u = unit_find(ov, idx);
		if (!u) {
			errcode_t err;
			size_t b;

			u = malloc(sizeof(*u));
			if (!u)
				return EXT2_ET_NO_MEMORY;
			u->idx = idx;
			if (n < UNIT) {
				err = e2fc_pread_all(c->fd, u->data, UNIT,
						     idx << UNIT_SHIFT);
				if (err && err != EXT2_ET_SHORT_READ) {
					free(u);
					return err;
				}
			}
			if (ov->count >= ov->size * 2)
				ov_grow(ov);
			b = bucket(ov, idx);
			u->next = ov->tab[b];
			ov->tab[b] = u;
			ov->count++;
		}
		memcpy(u->data + in, buf, n);
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static size_t io_len(io_channel ch, int count)
{
	return count < 0 ? (size_t)-count : (size_t)count * ch->block_size;
}

static errcode_t ovio_read64(io_channel ch, unsigned long long block,
			     int count, void *data)
{
	struct ov_chan *c = ch->private_data;
	size_t len = io_len(ch, count);
	errcode_t err;

	c->stats.bytes_read += len;
	err = ov_read(c, (uint64_t)block * ch->block_size, data, len);
	if (err == EXT2_ET_SHORT_READ && ch->read_error)
		return ch->read_error(ch, block, count, data, len, 0, err);
	return err;
}

static errcode_t ovio_write64(io_channel ch, unsigned long long block,
			      int count, const void *data)
{
	struct ov_chan *c = ch->private_data;
	size_t len = io_len(ch, count);

	c->stats.bytes_written += len;
	return ov_write(c, (uint64_t)block * ch->block_size, data, len);
}

static errcode_t ovio_read(io_channel ch, unsigned long block, int count,
			   void *data)
{
	return ovio_read64(ch, block, count, data);
}

static errcode_t ovio_write(io_channel ch, unsigned long block, int count,
			    const void *data)
{
	return ovio_write64(ch, block, count, data);
}

static errcode_t ovio_write_byte(io_channel ch, unsigned long offset,
				 int size, const void *data)
{
	struct ov_chan *c = ch->private_data;

	if (size < 0)
		return EXT2_ET_INVALID_ARGUMENT;
	return ov_write(c, offset, data, (size_t)size);
}

static errcode_t ovio_open(const char *name, int flags, io_channel *chp)
{
	io_channel ch = NULL;
	struct ov_chan *c = NULL;
	errcode_t err;

	if (!name)
		return EXT2_ET_BAD_DEVICE_NAME;
	err = EXT2_ET_NO_MEMORY;
	ch = calloc(1, sizeof(*ch));
	c = calloc(1, sizeof(*c));
	if (!ch || !c)
		goto fail;
	ch->name = strdup(name);
	if (!ch->name)
		goto fail;
	c->fd = open(name, O_RDONLY);
	if (c->fd < 0) {
		err = errno;
		goto fail;
	}
	err = ov_new(&c->ov);
	if (err)
		goto fail_fd;
	c->stats.num_fields = 2;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = e2fc_overlay_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->flags = flags;
	ch->private_data = c;
	*chp = ch;
	return 0;
fail_fd:
	close(c->fd);
fail:
	if (ch)
		free(ch->name);
	free(ch);
	free(c);
	return err;
}

static errcode_t ovio_close(io_channel ch)
{
	struct ov_chan *c = ch->private_data;

	if (--ch->refcount > 0)
		return 0;
	ov_put(c->ov);
	close(c->fd);
	free(c);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t ovio_set_blksize(io_channel ch, int blksize)
{
	if (blksize < UNIT || (blksize & (UNIT - 1)))
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

static errcode_t ovio_flush(io_channel ch)
{
	return 0;
}

/* OPTION=id: use the overlay of a channel still open instead of our own
 * (still empty: the option comes right after the open) */
static errcode_t ovio_set_option(io_channel ch, const char *option,
				 const char *arg)
{
	struct ov_chan *c = ch->private_data;
	struct overlay *ov;
	char *end;
	uint64_t id;

	if (strcmp(option, OPTION) || !arg)
		return EXT2_ET_INVALID_ARGUMENT;
	errno = 0;
	id = strtoull(arg, &end, 10);
	if (errno || end == arg || *end)
		return EXT2_ET_INVALID_ARGUMENT;
	ov = ov_get(id);
	if (!ov)
		return EXT2_ET_INVALID_ARGUMENT;
	if (ov == c->ov || c->ov->count) {
		errcode_t err = ov == c->ov ? 0 : EXT2_ET_OP_NOT_SUPPORTED;

		ov_put(ov);
		return err;
	}
	ov_put(c->ov);
	c->ov = ov;
	return 0;
}

static errcode_t ovio_get_stats(io_channel ch, io_stats *stats)
{
	struct ov_chan *c = ch->private_data;

	*stats = &c->stats;
	return 0;
}

static struct struct_io_manager overlay_manager = {
	.magic		= EXT2_ET_MAGIC_IO_MANAGER,
	.name		= "e2fc overlay I/O manager",
	.open		= ovio_open,
	.close		= ovio_close,
	.set_blksize	= ovio_set_blksize,
	.read_blk	= ovio_read,
	.write_blk	= ovio_write,
	.flush		= ovio_flush,
	.write_byte	= ovio_write_byte,
	.set_option	= ovio_set_option,
	.get_stats	= ovio_get_stats,
	.read_blk64	= ovio_read64,
	.write_blk64	= ovio_write64,
};

io_manager e2fc_overlay_io_manager = &overlay_manager;

/* the overlay of ch; NULL if ch is not an overlay channel */
static struct overlay *ov_of(io_channel ch)
{
	if (!ch || ch->manager != e2fc_overlay_io_manager)
		return NULL;
	return ((struct ov_chan *)ch->private_data)->ov;
}

size_t e2fc_overlay_units(io_channel ch)
{
	struct overlay *ov = ov_of(ch);

	return ov ? ov->count : 0;
}

const char *e2fc_overlay_reopen_options(io_channel ch)
{
	struct overlay *ov = ov_of(ch);

	return ov ? ov->opts : NULL;
}

errcode_t e2fc_overlay_read_bytes(io_channel ch, uint64_t off, void *buf,
				  size_t len)
{
	struct ov_chan *c;

	if (!ov_of(ch))
		return EXT2_ET_OP_NOT_SUPPORTED;
	c = ch->private_data;
	c->stats.bytes_read += len;
	return ov_read(c, off, buf, len);
}

errcode_t e2fc_overlay_write_bytes(io_channel ch, uint64_t off,
				   const void *buf, size_t len)
{
	struct ov_chan *c;

	if (!ov_of(ch))
		return EXT2_ET_OP_NOT_SUPPORTED;
	c = ch->private_data;
	c->stats.bytes_written += len;
	return ov_write(c, off, buf, len);
}

static int blk_cmp(const void *a, const void *b)
{
	blk64_t x = *(const blk64_t *)a, y = *(const blk64_t *)b;

	return x < y ? -1 : x > y;
}

errcode_t e2fc_overlay_blocks(io_channel ch, unsigned blocksize,
			      blk64_t **list, size_t *n)
{
	struct overlay *ov = ov_of(ch);
	size_t i, k = 0, out = 0;
	blk64_t *arr = NULL;
	struct unit *u;
	errcode_t err;

	*list = NULL;
	*n = 0;
	if (!ov || !ov->count)
		return 0;
	if (blocksize < UNIT || (blocksize & (UNIT - 1)))
		return EXT2_ET_INVALID_ARGUMENT;
	err = ext2fs_get_array(ov->count, sizeof(*arr), &arr);
	if (err)
		return err;
	for (i = 0; i < ov->size; i++)
		for (u = ov->tab[i]; u; u = u->next)
			arr[k++] = (u->idx << UNIT_SHIFT) / blocksize;
	qsort(arr, k, sizeof(*arr), blk_cmp);
	for (i = 0; i < k; i++)
		if (!out || arr[out - 1] != arr[i])
			arr[out++] = arr[i];
	*list = arr;
	*n = out;
	return 0;
}

static int all_zero(const uint8_t *p, size_t len)
{
	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

/* [data, hole) by read and write where copy_file_range cannot (another
 * file system on older kernels, a block device): zero chunks stay holes */
static errcode_t copy_rw(int in, int out, off_t data, off_t hole)
{
	size_t chunk = 1 << 20, len;
	uint8_t *buf = malloc(chunk);
	errcode_t err = 0;
	ssize_t n;

	if (!buf)
		return EXT2_ET_NO_MEMORY;
	for (; data < hole && !err; data += n) {
		len = (size_t)(hole - data) < chunk ? (size_t)(hole - data) :
		      chunk;
		n = pread(in, buf, len, data);
		if (n <= 0) {
			err = n < 0 ? errno : EXT2_ET_SHORT_READ;
			break;
		}
		if (!all_zero(buf, n))
			err = e2fc_pwrite_all(out, buf, n, data);
	}
	free(buf);
	return err;
}

static errcode_t copy_range(int in, int out, off_t data, off_t hole)
{
	while (data < hole) {
		loff_t a = data, b = data;
		ssize_t n = copy_file_range(in, &a, out, &b,
					    (size_t)(hole - data), 0);

		if (n < 0 && (errno == EXDEV || errno == EINVAL ||
			      errno == EOPNOTSUPP || errno == ENOSYS))
			return copy_rw(in, out, data, hole);
		if (n <= 0)
			return n < 0 ? errno : EXT2_ET_SHORT_READ;
		data += n;
	}
	return 0;
}

/* copy src to dst (created or truncated), keeping holes; a reflink
 * where the file system offers one */
errcode_t e2fc_copy_sparse(const char *src, const char *dst)
{
	struct stat st;
	errcode_t err = 0;
	off_t data, hole, end;
	int in, out;

	in = open(src, O_RDONLY);
	if (in < 0)
		return errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0 || fstat(in, &st) < 0) {
		err = errno;
		goto out;
	}
	end = st.st_size;
	if (S_ISBLK(st.st_mode)) {
		end = lseek(in, 0, SEEK_END);
		if (end < 0) {
			err = errno;
			goto out;
		}
	}
	if (S_ISREG(st.st_mode) && ioctl(out, FICLONE, in) == 0)
		goto sync;
	if (ftruncate(out, end) < 0 && S_ISREG(st.st_mode)) {
		err = errno;
		goto out;
	}
	for (data = 0; data < end; data = hole) {
		data = lseek(in, data, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;
			data = 0;	/* no SEEK_DATA: copy everything */
			hole = end;
		} else {
			hole = lseek(in, data, SEEK_HOLE);
			if (hole < 0)
				hole = end;
		}
		err = copy_range(in, out, data, hole);
		if (err)
			goto out;
	}
sync:
	if (fsync(out) < 0)
		err = errno;
out:
	close(in);
	if (out >= 0 && close(out) < 0 && !err)
		err = errno;
	return err;
}
