#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Calibration of the timing model's defaults against pcie-bench
# (docs/validation.md): an NFP6000 on a Xeon E5-2620 v3 (Haswell) with
# VT-d on, one 64-byte DMA read in flight at a time to a random address of
# a window of host memory mapped with 4 KiB pages (Neugebauer et al.,
# "Understanding PCIe performance for end host networking", SIGCOMM 2018;
# raw data: github.com/pcie-bench/data). The model runs the same
# experiment with `vtdsim gen dma-window` and its default configuration.
#
#   bash bench/calibrate.sh [--vtdsim PATH] [--count N] [--plot FILE.png]
#                           [--data FILE] [--set KEY=VALUE]...
#
# --data writes the latency curve as columns: window, pcie-bench, model
# 4 KiB, model 2 MiB; --plot draws it with gnuplot.
#
# Prints the latency curve (4 KiB pages, beside the measurement, with the
# error of every point), the 2 MiB-page curve (which must stay flat to
# 16 MiB) and, as a second check of the same defaults with many requests in
# flight, read bandwidth with 32 outstanding requests beside pcie-bench's
# bandwidth measurement. Exit 0 when every latency point is within 10% and
# the 2 MiB curve is flat (within 2% of its 256 KiB value) to 16 MiB; 1
# otherwise; 2 on bad options. --set applies to every run (what-if).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vtdsim="$here/../build/default/vtdsim"
count=100000
plot=""
data=""
sets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--vtdsim) vtdsim=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--plot) plot=$2; shift 2 ;;
	--data) data=$2; shift 2 ;;
	--set) sets+=(--set "$2"); shift 2 ;;
	*) echo "calibrate.sh: bad option '$1'" >&2; exit 2 ;;
	esac
done
case "$count" in
'' | *[!0-9]*) echo "calibrate.sh: --count takes a number" >&2; exit 2 ;;
esac
[ -x "$vtdsim" ] || { echo "calibrate.sh: no vtdsim at $vtdsim (build first)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
warmup=$((count / 10))

# pcie-bench/data, LAT_RD, 64 B, random, host buffer warm ("HWarm"),
# VT-d on, 4 KiB pages: mean latency in ns per window.
windows=(256k 512k 1m 2m 4m 16m 64m)
measured=(551 567 673 726 753 778 819)
# pcie-bench/data, BW_RD, 64 B, random, VT-d on, 4 KiB pages: Gb/s.
bw_windows=(512k 1m 2m 4m 64m)
bw_measured=(22.1 15.2 12.2 11.0 10.05)

# One run: $1 window, $2 page, $3 in flight, $4 field (mean|gbps).
run() {
	local tr="$tmp/t.trace" js="$tmp/r.json"
	"$vtdsim" gen dma-window --window "$1" --page "$2" --inflight "$3" \
		--count "$count" --seed 1 -o "$tr"
	local rc=0
	"$vtdsim" replay --quiet --no-progress --warmup "$warmup" \
		${sets[@]+"${sets[@]}"} --json "$js" "$tr" >/dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "calibrate.sh: vtdsim replay failed ($rc)" >&2
		exit 2
	fi
	if [ "$4" = mean ]; then
		sed -n 's/^  "latency": {.*"mean_ns": \([0-9.]*\).*/\1/p' "$js"
	else
		sed -n 's/^  "throughput": {.*"bytes_per_s": \([0-9.]*\).*/\1/p' "$js" |
			awk '{ printf "%.2f\n", $1 * 8 / 1e9 }'
	fi
}

fail=0
echo "Mean latency of one 64 B read in flight, random over a window (ns)"
printf '%-8s %12s %10s %7s %12s\n' window pcie-bench model error "model 2MiB"
curve="$tmp/curve"
: >"$curve"
flat_ref=""
for i in "${!windows[@]}"; do
	w=${windows[$i]}
	m=$(run "$w" 4k 1 mean)
	h=$(run "$w" 2m 1 mean)
	[ -n "$flat_ref" ] || flat_ref=$h
	err=$(awk -v a="$m" -v b="${measured[$i]}" 'BEGIN { printf "%+.1f", (a - b) / b * 100 }')
	printf '%-8s %12s %10.1f %6s%% %12.1f\n' "$w" "${measured[$i]}" "$m" "$err" "$h"
	echo "$w ${measured[$i]} $m $h" >>"$curve"
	if awk -v e="$err" 'BEGIN { exit !(e > 10 || e < -10) }'; then
		echo "  FAIL: $w is more than 10% from pcie-bench" >&2
		fail=1
	fi
	case "$w" in 32m | 64m) ;; *)
		if awk -v a="$h" -v b="$flat_ref" 'BEGIN { exit !((a - b) / b > 0.02 || (b - a) / b > 0.02) }'; then
			echo "  FAIL: 2 MiB pages not flat at $w" >&2
			fail=1
		fi ;;
	esac
done

echo
echo "Read bandwidth, 64 B random reads, 32 in flight, 4 KiB pages (Gb/s)"
printf '%-8s %12s %10s %7s\n' window pcie-bench model error
for i in "${!bw_windows[@]}"; do
	w=${bw_windows[$i]}
	g=$(run "$w" 4k 32 gbps)
	err=$(awk -v a="$g" -v b="${bw_measured[$i]}" 'BEGIN { printf "%+.1f", (a - b) / b * 100 }')
	printf '%-8s %12s %10s %6s%%\n' "$w" "${bw_measured[$i]}" "$g" "$err"
done

if [ -n "$plot" ]; then
	command -v gnuplot >/dev/null || { echo "calibrate.sh: no gnuplot for --plot" >&2; exit 2; }
	pts="$tmp/points"
	awk '{ s = $1; m = (s ~ /k$/) ? 1/1024 : 1; sub(/[km]$/, "", s);
	       print s * m, $2, $3, $4 }' "$curve" >"$pts"
	gnuplot <<EOF
set terminal png size 800,500
set output "$plot"
set logscale x 2
set xlabel "window (MiB)"
set ylabel "mean latency of a 64 B read (ns)"
set key top left
set yrange [400:900]
set grid
plot "$pts" using 1:2 with linespoints title "pcie-bench, Xeon E5-2620 v3, VT-d 4 KiB", \
     "$pts" using 1:3 with linespoints title "vtdsim defaults, 4 KiB pages", \
     "$pts" using 1:4 with linespoints title "vtdsim defaults, 2 MiB pages"
EOF
	echo "plot: $plot"
fi

[ -z "$data" ] || cp "$curve" "$data"
if [ "$fail" -eq 0 ]; then
	echo "calibration: PASS (every point within 10%; 2 MiB pages flat to 16 MiB)"
else
	echo "calibration: FAIL"
fi
exit "$fail"
