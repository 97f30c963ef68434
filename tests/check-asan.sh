#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-asan.sh -- `make check-asan`: the whole suite built with
# -fsanitize=address,undefined (configure --enable-sanitizers) out of tree
# in asan/ of the build directory, from a copy of the sources (git's
# tracked files and the working changes), so that no object of an in-place
# build is found through VPATH.  Any sanitizer report fails a test: UBSan
# is not recoverable there, ASan aborts, and every program's stderr is
# compared or checked.  Ends with make check's "N passed, N failed".
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(pwd)/asan
mkdir -p "$build/src"
cd "$src"
# the sources as they are now (tracked and new files, nothing ignored)
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | \
	tar -xf - -C "$build/src"
cd "$build/src"
if [ ! -f config.status ] || [ configure.ac -nt config.status ]; then
	autoreconf -fi >/dev/null 2>&1
	./configure -q --enable-sanitizers
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
make -s -j2
make check
