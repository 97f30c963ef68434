/*
 * fcsk_safe.c -- the checks e2fsck-fc makes before it writes anything:
 * same-file refusals, e2fsck's mount and terminal rules, a lock that
 * keeps two runs apart, the undo path, and the signals that stop a run
 * between writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "fcsk.h"

volatile sig_atomic_t fcsk_stop;
volatile pid_t fcsk_child;
FILE *fcsk_out;

static void on_signal(int sig)
{
	fcsk_stop = sig;
	if (fcsk_child > 0)
		kill(fcsk_child, sig);
}

/* SIGINT and SIGTERM only set fcsk_stop: the run stops at the next
 * point between writes (never inside the write-back) */
void fcsk_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int fcsk_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a || !b || stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return 0;
	if (S_ISBLK(sa.st_mode) && S_ISBLK(sb.st_mode))
		return sa.st_rdev == sb.st_rdev;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int fcsk_check_mount(const char *device, int readonly, int *mount_flags)
{
	errcode_t err;
	int mf = 0;

	err = ext2fs_check_if_mounted(device, &mf);
	*mount_flags = mf;
	if (err) {
		com_err("ext2fs_check_if_mount", err,
			"while determining whether %s is mounted.", device);
		return EXIT_OK;
	}
	if (!(mf & (EXT2_MF_MOUNTED | EXT2_MF_BUSY)) ||
	    ((mf & EXT2_MF_ISROOT) && (mf & EXT2_MF_READONLY)))
		return EXIT_OK;
	if (readonly) {
		fprintf(fcsk_out, "Warning!  %s is %s.\n", device,
			mf & EXT2_MF_MOUNTED ? "mounted" : "in use");
		return EXIT_OK;
	}
	/* e2fsck would ask on a terminal; a replay under a mounted file
	 * system is never right, so e2fsck-fc does not ask */
	fprintf(fcsk_out, "%s is %s.\n", device,
		mf & EXT2_MF_MOUNTED ? "mounted" : "in use");
	fflush(fcsk_out);
	fprintf(stderr, "%s: Cannot continue, aborting.\n\n", fcsk_prog);
	return EXIT_ERROR;
}

int fcsk_check_terminal(char mode)
{
	if (mode || getenv("E2FSCK_FORCE_INTERACTIVE") ||
	    (isatty(0) && isatty(1)))
		return EXIT_OK;
	fprintf(stderr, "%s: need terminal for interactive repairs\n",
		fcsk_prog);
	return EXIT_ERROR;
}

static int in_use(const char *device, int err, int *ret)
{
	if (err == EWOULDBLOCK || err == EBUSY) {
		fprintf(fcsk_out, "%s is in use.\n", device);
		fflush(fcsk_out);
		fprintf(stderr, "%s: Cannot continue, aborting.\n\n",
			fcsk_prog);
	} else {
		com_err(fcsk_prog, err, "while trying to open %s", device);
	}
	*ret = EXIT_ERROR;
	return -1;
}

int fcsk_lock(const char *device, int readonly, int mount_flags, int *ret)
{
	int flags = O_RDONLY | O_CLOEXEC, fd;
	struct stat st;

	*ret = EXIT_OK;
	if (stat(device, &st) < 0)
		return in_use(device, errno, ret);
	/* the read-only root stays open shared, as e2fsck opens it */
	if (S_ISBLK(st.st_mode) && !readonly &&
	    !((mount_flags & EXT2_MF_ISROOT) &&
	      (mount_flags & EXT2_MF_READONLY)))
		flags |= O_EXCL;
	fd = open(device, flags);
	if (fd < 0)
		return in_use(device, errno, ret);
	if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		int err = errno;

		close(fd);
		return in_use(device, err, ret);
	}
	return fd;
}

int fcsk_check_undo_path(const char *undo, const char *device,
			 const char *extj)
{
	char *copy = strdup(undo);
	const char *dir = copy ? dirname(copy) : NULL;
	struct stat st;
	int ret = EXIT_OK;

	if (!dir) {
		com_err(fcsk_prog, EXT2_ET_NO_MEMORY, "while checking the "
			"undo file %s", undo);
		ret = EXIT_ERROR;
	} else if (fcsk_same_file(undo, device) || fcsk_same_file(undo, extj)) {
		fprintf(stderr, "%s: the undo file %s is the file system or "
			"its journal; refusing to write it\n", fcsk_prog,
			undo);
		ret = EXIT_ERROR;
	} else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		com_err(fcsk_prog, stat(dir, &st) < 0 ? errno : ENOTDIR,
			"while checking the directory of the undo file %s",
			undo);
		ret = EXIT_ERROR;
	} else if (access(dir, W_OK | X_OK) < 0) {
		com_err(fcsk_prog, errno, "while checking the directory of "
			"the undo file %s", undo);
		ret = EXIT_ERROR;
	}
	free(copy);
	return ret;
}
