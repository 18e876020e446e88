#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Replay throughput against the physical limit (docs/performance.md). Generates
# the traces, in binary form (and the hit-dominated one in text too):
#   hit-dominated: 64 B reads in a 256 KiB window of 4 KiB pages, legacy
#     second level, one every microsecond (each done before the next comes:
#     the fast lane), every page held by the default IOTLB;
#   hit-dominated-back-to-back: the same reads all ready at once, the device
#     keeping one in flight (the event engine throughout);
#   nested-miss: reads spread over 256 MiB under nested translation, all
#     ready at once, most of them missing the IOTLB;
# replays them with the timing model on and the checker off, the
# hit-dominated one again with the checker on and from text (what each
# costs), and runs the bare lookup loops over the hit-dominated request
# stream. One line per workload:
#
#   WORKLOAD: X M translations/s, ratio R to the bare loop, peak RSS M MB
#
# (bare-loop, bare-probe, hit-dominated, hit-dominated-back-to-back,
# hit-dominated-checked, hit-dominated-text, nested-miss). A replay's time is
# the wall-clock time of the whole command, trace set-up included, the
# fastest of --repeat runs (5: the machine is shared and noisy).
#
#   bash bench/run.sh [--build DIR] [--count N] [--repeat N]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build/default"
count=4000000
repeat=5
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--repeat) repeat=$2; shift 2 ;;
	*) echo "run.sh: bad option '$1'" >&2; exit 2 ;;
	esac
done
vtdsim="$build/vtdsim"
bare="$build/vtdsim-bare-loop"
for b in "$vtdsim" "$bare"; do
	[ -x "$b" ] || { echo "run.sh: no $b (build first)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "run.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in hit.trace hit.vtb; do
	"$vtdsim" gen dma-window --window 256k --count "$count" --interval 1000 \
		-o "$tmp/$f"
done
"$vtdsim" gen dma-window --window 256k --count "$count" -o "$tmp/b2b.vtb"
"$vtdsim" gen dma-window --window 256m --mode nested --count "$count" \
	-o "$tmp/miss.vtb"

# the bare loops first: the others' ratios are to the set-associative one
lines=$("$bare" "$tmp/hit.trace" "$((count * 100))")
echo "$lines"
bare_rate=$(echo "$lines" | awk '/^bare-loop:/ { print $2 }')

replay() { # name trace check: the fastest of $repeat runs
	local t0 t1 k best="" rss
	for ((k = 0; k < repeat; k++)); do
		t0=$(date +%s.%N)
		/usr/bin/time -f %M -o "$tmp/rss" "$vtdsim" replay --quiet \
			--no-progress --set timing=1 --set check="$3" "$2" >/dev/null
		t1=$(date +%s.%N)
		best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
			'BEGIN { d = b - a; print (best == "" || d < best) ? d : best }')
	done
	rss=$(tail -1 "$tmp/rss")
	awk -v n="$count" -v d="$best" -v r="$1" -v bare="$bare_rate" \
		-v rss="$rss" 'BEGIN { x = n / d / 1e6;
		printf "%s: %.2f M translations/s, ratio %.4f to the bare loop, peak RSS %d MB\n",
		r, x, x / bare, rss / 1024 }'
}
replay hit-dominated "$tmp/hit.vtb" 0
replay hit-dominated-back-to-back "$tmp/b2b.vtb" 0
replay hit-dominated-checked "$tmp/hit.vtb" 1
replay hit-dominated-text "$tmp/hit.trace" 0
replay nested-miss "$tmp/miss.vtb" 0
