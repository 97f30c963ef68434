# debugfs-compare.sh -- sourced by the tests/debugfs-* scripts: a request
# of debugfs-fc after "fc_replay" must print, byte for byte, what the
# system debugfs prints on the image recovered to a copy by
# "e2fsck-fc -y -E journal_only --output COPY"; the image stays unchanged.
#
#   dfc_image NAME GZ   gunzip GZ to $T/NAME.img, recover it to $T/NAME.rec
#   dfc_same NAME FILE  run the requests of FILE (one a line) both ways and
#                       compare stdout and stderr ("same: ..." or a diff)
#   dfc_raw NAME FILE   the same without fc_replay: both on the image as is
#   dfc_unchanged NAME  the image's sha1 is what it was
export TZ=GMT
CORPUS=$SRCDIR/kernel/corpus

dfc_image()
{
	gunzip -c "$2" >"$T/$1.img"
	sha1sum <"$T/$1.img" >"$T/$1.sha1"
	"$E2FSCK_FC" -y -E journal_only --output "$T/$1.rec" "$T/$1.img" \
		>"$T/$1.fsck" 2>&1 || echo "$1: e2fsck-fc exit $?"
}

# normalize: the echo of -f lines names the program; the device names differ
dfc_norm()
{
	sed -e 's/debugfs-fc: /debugfs: /g' -e "s|$T/$1\.rec|DEV|g" \
	    -e "s|$T/$1\.img|DEV|g" -e '/^debugfs 1\.47\.0 (5-Feb-2023)$/d'
}

dfc_cmp()
{
	local name=$1 what=$2 n
	n=$(grep -c . "$T/req")
	if cmp -s "$T/o1" "$T/o2" && cmp -s "$T/e1" "$T/e2"; then
		echo "same: $name $what ($n requests, $(wc -l <"$T/o1") lines)"
	else
		echo "DIFFERENT: $name $what"
		diff "$T/o1" "$T/o2" | head -20
		diff "$T/e1" "$T/e2" | head -10
	fi
}

dfc_same()
{
	grep -v '^#' "$2" >"$T/req"
	debugfs -f "$T/req" "$T/$1.rec" 2>&1 >"$T/o1" | dfc_norm "$1" >"$T/e1"
	dfc_norm "$1" <"$T/o1" >"$T/o1n" && mv "$T/o1n" "$T/o1"
	{ echo fc_replay; cat "$T/req"; } >"$T/req.fc"
	"$DEBUGFS_FC" -f "$T/req.fc" "$T/$1.img" 2>&1 >"$T/o2" |
		dfc_norm "$1" >"$T/e2"
	# the echo of fc_replay and its one line of report
	sed -i '1,2d' "$T/o2"
	dfc_norm "$1" <"$T/o2" >"$T/o2n" && mv "$T/o2n" "$T/o2"
	dfc_cmp "$1" "after fc_replay"
}

dfc_raw()
{
	grep -v '^#' "$2" >"$T/req"
	debugfs -f "$T/req" "$T/$1.img" 2>&1 >"$T/o1" | dfc_norm "$1" >"$T/e1"
	dfc_norm "$1" <"$T/o1" >"$T/o1n" && mv "$T/o1n" "$T/o1"
	"$DEBUGFS_FC" -f "$T/req" "$T/$1.img" 2>&1 >"$T/o2" |
		dfc_norm "$1" >"$T/e2"
	dfc_norm "$1" <"$T/o2" >"$T/o2n" && mv "$T/o2n" "$T/o2"
	dfc_cmp "$1" "without replay"
}

dfc_unchanged()
{
	sha1sum <"$T/$1.img" | cmp -s - "$T/$1.sha1" && echo "$1: image unchanged"
}
