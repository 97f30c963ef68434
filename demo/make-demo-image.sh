#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-demo-image.sh OUT.img.gz -- make the bundled demo crash image with the
# running kernel (root and loop devices needed): a 16 MiB ext4 with
# fast_commit, a set-up tree committed by sync, then fsynced changes that
# stay in the fast-commit area; the image is copied while still mounted.
# The steps are those of the e2fcdump test images, on the demo's names
# (tests/gen/make-dump-images.sh, variant demo).
set -eu
out=$(realpath -m "$1")
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$(dirname "$0")/../tests/gen/make-dump-images.sh" demo "$t" -L e2fc-demo
mv "$t/image.gz" "$out"
