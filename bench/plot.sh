#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# plot.sh BENCH_DIR OUT_DIR -- the PNGs of run-bench.sh's curve and biglog
# cases, from BENCH_DIR/curve.dat and BENCH_DIR/biglog.dat (gnuplot):
#   OUT_DIR/bench-curve.png   replay time against file-system size, log-log
#   OUT_DIR/bench-biglog.png  1 GiB journal: time and peak RSS, bars
set -eu
in=$1
out=$2
mkdir -p "$out"

if [ -s "$in/curve.dat" ]; then
	gnuplot <<EOP
set terminal pngcairo noenhanced size 800,500 font "sans,10"
set output "$out/bench-curve.png"
set title "Replay of 2,000 fast commits against file-system size (median of runs)"
set logscale xy 2
set xlabel "file-system size"
set ylabel "seconds"
set format x "%.0b%B"
set xtics ("1G" 2**30, "64G" 2**36, "1T" 2**40, "8T" 2**43, "64T" 2**46)
set key top left
set datafile missing "-"
set grid
plot "$in/curve.dat" using 1:2 with linespoints lw 2 title "e2fsck-fc -E journal_only", \
     "$in/curve.dat" using 1:3 with linespoints lw 2 title "e2fsck 1.47.0 -E journal_only", \
     "$in/curve.dat" using 1:4 with linespoints lw 2 title "kernel mount (replay)", \
     "$in/curve.dat" using 1:5 with linespoints lw 1 dt 2 title "one ext2fs_open (every group descriptor, 4 KiB pages)", \
     "$in/curve.dat" using 1:6 with linespoints lw 1 dt 3 title "one e2fc_fs_open (every group descriptor, huge pages)"
EOP
fi

if [ -s "$in/biglog.dat" ]; then
	gnuplot <<EOP
set terminal pngcairo noenhanced size 900,420 font "sans,10"
set output "$out/bench-biglog.png"
set multiplot layout 1,2 title "1 GiB journal left full of transactions (median of runs)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set yrange [0:*]
set key top left
set title "replay time"
set ylabel "seconds"
plot "$in/biglog.dat" using 2:xtic(1) title "e2fsck-fc", \
     "" using 3 title "e2fsck", "" using 4 title "kernel"
set title "peak RSS"
set ylabel "MiB"
plot "$in/biglog.dat" using 5:xtic(1) title "e2fsck-fc", \
     "" using 6 title "e2fsck", 256 with lines dt 2 lc rgb "red" title "bound 256 MiB"
unset multiplot
EOP
fi
