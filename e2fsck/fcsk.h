/*
 * fcsk.h -- what the parts of e2fsck-fc share: its exit codes and the
 * safety checks (fcsk_safe.c) and undo merge (fcsk_undo.c) it makes
 * before and after writing.
 */
#ifndef FCSK_H
#define FCSK_H

#include <signal.h>
#include "e2fc.h"

/* e2fsck's exit codes (e2fsck(8)) */
#define EXIT_OK		0
#define EXIT_NONDESTRUCT 1
#define EXIT_UNCORRECTED 4
#define EXIT_ERROR	8
#define EXIT_USAGE	16
#define EXIT_CANCELED	32

extern const char *fcsk_prog;
extern FILE *fcsk_out;		/* e2fsck's stdout messages (stderr: --json) */

/* ---- fcsk_safe.c ---------------------------------------------------- */

/* the signal (SIGINT, SIGTERM) that asked the run to stop, or 0 */
extern volatile sig_atomic_t fcsk_stop;
/* pid of the e2fsck pass, which gets the signals we receive */
extern volatile pid_t fcsk_child;
void fcsk_signals(void);

/* 1 when a and b name the same file (device and inode, after links) */
int fcsk_same_file(const char *a, const char *b);

/* e2fsck's mount rules: 0 go on, else the exit code (message printed).
 * readonly: the run writes nothing to device */
int fcsk_check_mount(const char *device, int readonly, int *mount_flags);

/* e2fsck's terminal rule for interactive repairs: 0 or EXIT_ERROR */
int fcsk_check_terminal(char mode);

/* keep other e2fsck-fc runs off device: flock on a file (shared when
 * readonly), O_EXCL on a block device.  Returns the fd to hold, or -1
 * with the exit code in *ret (message printed). */
int fcsk_lock(const char *device, int readonly, int mount_flags, int *ret);

/* the undo file can be created where it is asked for: 0 or EXIT_ERROR */
int fcsk_check_undo_path(const char *undo, const char *device,
			 const char *extj);

/* ---- fcsk_undo.c ---------------------------------------------------- */

/* merge the undo file later (written by the e2fsck pass after e2fc's own
 * writes recorded in first) into first, so that e2undo first DEVICE
 * restores the device as it was before both; later (may be NULL) is
 * removed */
errcode_t fcsk_undo_merge(const char *first, const char *later,
			  const char *device);

#endif /* FCSK_H */
