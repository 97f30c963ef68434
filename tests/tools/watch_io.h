/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch_io.h -- the unix io manager with a function called before each
 * write, with the byte range written.  For test programs: the power-cut
 * driver tests/tools/e2fc-recover counts the writes, fuzz/recover_fuzz
 * records them to restore its image.  Header only (the test tools are
 * one source file each): include it once per program.
 */
#ifndef E2FC_WATCH_IO_H
#define E2FC_WATCH_IO_H

#include <stdint.h>
#include <ext2fs/ext2fs.h>

static void (*watch_fn)(uint64_t off, uint64_t len);
static struct struct_io_manager watch_mgr;

static errcode_t watch_write64(io_channel ch, unsigned long long blk, int n,
			       const void *buf)
{
	uint64_t bs = ch->block_size;

	watch_fn(blk * bs, n < 0 ? (uint64_t)-n : (uint64_t)n * bs);
	return unix_io_manager->write_blk64(ch, blk, n, buf);
}

static errcode_t watch_write(io_channel ch, unsigned long blk, int n,
			     const void *buf)
{
	return watch_write64(ch, blk, n, buf);
}

static errcode_t watch_write_byte(io_channel ch, unsigned long off, int n,
				  const void *buf)
{
	watch_fn(off, n);
	return unix_io_manager->write_byte(ch, off, n, buf);
}

static errcode_t watch_open(const char *name, int flags, io_channel *ch)
{
	errcode_t err = unix_io_manager->open(name, flags, ch);

	if (!err)
		(*ch)->manager = &watch_mgr;
	return err;
}

/* the manager, calling fn before each write; one per program */
static io_manager watch_io_manager(const char *name,
				   void (*fn)(uint64_t off, uint64_t len))
{
	watch_fn = fn;
	watch_mgr = *unix_io_manager;
	watch_mgr.name = name;
	watch_mgr.open = watch_open;
	watch_mgr.write_blk = watch_write;
	watch_mgr.write_blk64 = watch_write64;
	watch_mgr.write_byte = watch_write_byte;
	return &watch_mgr;
}

#endif
