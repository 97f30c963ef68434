// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * testdata.c -- the kernel-made images of tests/unit/data, for every test
 * file: where they are, and a gunzipped temporary copy of one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

/* $SRCDIR/unit/data (tests/run-tests.sh exports SRCDIR), else the data
 * directory next to this source file */
const char *e2fc_test_data_dir(void)
{
	static char dir[4096];
	const char *src = getenv("SRCDIR");
	char *slash;

	if (src && *src) {
		snprintf(dir, sizeof(dir), "%s/unit/data", src);
		return dir;
	}
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	slash = strrchr(dir, '/');
	if (slash)
		snprintf(slash, sizeof(dir) - (slash - dir), "/data");
	else
		snprintf(dir, sizeof(dir), "data");
	return dir;
}

/* gunzip data/<name> into a new temporary file; its path goes to out;
 * 1 on success */
int e2fc_test_unpack(const char *name, char *out, size_t outlen)
{
	char cmd[8192], buf[65536];
	FILE *in;
	size_t n;
	int fd, ok = 1;

	snprintf(out, outlen, "/tmp/e2fc-test.XXXXXX");
	fd = mkstemp(out);
	if (fd < 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "gunzip -c '%s/%s'", e2fc_test_data_dir(),
		 name);
	in = popen(cmd, "r");
	if (!in) {
		close(fd);
		unlink(out);
		return 0;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (write(fd, buf, n) != (ssize_t)n)
			ok = 0;
	if (pclose(in) != 0)
		ok = 0;
	close(fd);
	if (!ok)
		unlink(out);
	return ok;
}

/* mke2fs opts into a new temporary file of blocks blocks (0: mke2fs's
 * choice); its path goes to out; 1 on success */
int e2fc_test_mkfs(const char *opts, unsigned blocks, char *out,
		   size_t outlen)
{
	char cmd[1024], count[16] = "";
	int fd;

	snprintf(out, outlen, "/tmp/e2fc-test.XXXXXX");
	fd = mkstemp(out);
	if (fd < 0)
		return 0;
	close(fd);
	if (blocks)
		snprintf(count, sizeof(count), "%u", blocks);
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin mke2fs -q -F "
		 "%s '%s' %s >/dev/null 2>&1", opts, out, count);
	if (system(cmd) == 0)
		return 1;
	unlink(out);
	return 0;
}

/*
 * A 4096-block file system (mke2fs opts) made from the tree the shell
 * script builds in its working directory (mke2fs -d), then indexed and
 * packed by e2fsck -fyD; its path goes to out; 1 on success
 */
int e2fc_test_mkfs_tree(const char *script, const char *opts, char *out,
			size_t outlen)
{
	char cmd[1024], all[512], dir[64];
	int ok;

	snprintf(dir, sizeof(dir), "/tmp/e2fc-tree.XXXXXX");
	if (!mkdtemp(dir))
		return 0;
	snprintf(cmd, sizeof(cmd), "cd %s && %s", dir, script);
	snprintf(all, sizeof(all), "%s -d %s", opts, dir);
	ok = system(cmd) == 0 && e2fc_test_mkfs(all, 4096, out, outlen);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		ok = 0;
	if (!ok)
		return 0;
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin "
		 "e2fsck -fyD %s >/dev/null 2>&1; [ $? -le 1 ]", out);
	if (system(cmd) == 0)
		return 1;
	unlink(out);
	return 0;
}
