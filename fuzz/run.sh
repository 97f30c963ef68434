#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh HARNESS [SECONDS] -- run one harness nice'd in the background
# fashion the machine allows (one job, -nice 19), seeded from out/seeds,
# keeping its corpus in out/corpus/HARNESS, its log in out/logs and any
# finding in out/artifacts.  Executions and edges: the last "#N ... cov:"
# line of the log, and -print_final_stats.
set -eu
cd "$(dirname "$0")"
h=$1
t=${2:-600}
case $h in
fc_scan_fuzz|fc_scan_crc_fuzz)	seeds=fc_scan dict=fc.dict max=12288 ;;
log_scan_fuzz)			seeds=log_scan dict=jbd2.dict max=65536 ;;
recover_fuzz)			seeds=recover dict=all.dict max=32768 ;;
*)	echo "run.sh: unknown harness $h" >&2; exit 2 ;;
esac
mkdir -p out/corpus/$h out/logs out/artifacts
exec nice -n 19 out/$h -dict=dict/$dict -max_len=$max -timeout=120 \
	-rss_limit_mb=2048 -max_total_time="$t" -print_final_stats=1 \
	-artifact_prefix=out/artifacts/$h- ${FUZZ_ARGS:-} \
	out/corpus/$h out/seeds/$seeds >>out/logs/$h.log 2>&1
