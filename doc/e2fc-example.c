// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * e2fc-example.c -- a small program on libe2fc's public interface: the
 * fast commits of an ext4 image, then its root directory after a replay
 * made in memory (the image is not written).
 *
 *   cc -o e2fc-example e2fc-example.c $(pkg-config --cflags --libs e2fc)
 *   ./e2fc-example IMAGE [EXTERNAL-JOURNAL]
 */
#include <stdio.h>
#include <string.h>
#include <e2fc/libe2fc.h>

static const char *prog = "e2fc-example";

static int fail(errcode_t err, const char *what)
{
	fprintf(stderr, "%s: %s while %s\n", prog, e2fc_error_message(err),
		what);
	return 1;
}

static void print_commits(struct e2fc_image *img, unsigned n)
{
	struct e2fc_commit_info ci;
	char what[256];
	unsigned c, t;

	for (c = 0; c < n && !e2fc_image_commit(img, c, &ci); c++) {
		printf("commit %u: tid %u, %u tags, %s\n", c, ci.tid, ci.ntags,
		       ci.valid ? "valid" : ci.reason_name);
		for (t = 0; t < ci.ntags; t++) {
			if (e2fc_image_tag_describe(img, c, t, what,
						    sizeof(what)) || !*what)
				continue;
			printf("  %s\n", what);
		}
	}
}

struct listing {
	struct e2fc_image	*img;
	unsigned		n;
};

static int print_entry(void *arg, const char *name, unsigned len,
		       uint32_t ino, int type)
{
	struct listing *l = arg;
	struct e2fc_stat st;
	char path[300];

	(void)type;
	snprintf(path, sizeof(path), "/%.*s", (int)len, name);
	if (e2fc_image_stat(l->img, path, &st))
		return 0;
	printf("  %-20s inode %-5u mode %06o size %llu\n", path, ino,
	       st.mode, (unsigned long long)st.size);
	l->n++;
	return 0;
}

int main(int argc, char **argv)
{
	struct e2fc_replay_result res;
	struct e2fc_image_info info;
	struct e2fc_image *img;
	struct listing l = { NULL, 0 };
	errcode_t err;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s IMAGE [EXTERNAL-JOURNAL]\n", prog);
		return 2;
	}
	printf("libe2fc %s (libext2fs %s)\n", e2fc_version(),
	       e2fc_ext2fs_version());
	err = e2fc_image_open(argv[1], argc > 2 ? argv[2] : NULL, 0, &img);
	if (err)
		return fail(err, "opening the image");
	e2fc_image_info(img, &info);
	printf("fast-commit area: %s, %u commits, %u to replay\n",
	       info.fc_state, info.commits, info.replay_commits);
	print_commits(img, info.commits);
	err = e2fc_image_replay(img, E2FC_ALL_COMMITS, &res);
	if (err) {
		e2fc_image_close(img);
		return fail(err, "replaying the journal");
	}
	printf("replayed in memory: %u transactions, %u fast commits\n",
	       res.log_trans, res.fc_commits);
	l.img = img;
	err = e2fc_image_readdir(img, "/", print_entry, &l);
	e2fc_image_close(img);
	if (err)
		return fail(err, "reading /");
	printf("%u entries in /\n", l.n);
	return 0;
}
