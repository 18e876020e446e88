#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Replay throughput against the physical limit (docs/performance.md). Generates
# two traces (a hit-dominated one: 64 B reads in a 1 MiB window of 4 KiB pages,
# legacy second level; a nested-miss one: reads spread over 256 MiB under
# nested translation, most of them missing the IOTLB), replays each with the
# timing model on and the checker off, and runs the bare set-associative lookup
# loop over the hit-dominated request stream. One line per workload:
#
#   WORKLOAD: X M translations/s, ratio R to the bare loop, peak RSS M MB
#
#   bash bench/run.sh [--build DIR] [--count N]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build/default"
count=1000000
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
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

"$vtdsim" gen dma-window --window 1m --count "$count" -o "$tmp/hit.trace"
"$vtdsim" gen dma-window --window 256m --mode nested --count "$count" \
	-o "$tmp/miss.trace"

# the bare loop first: the others' ratios are to it
line=$("$bare" "$tmp/hit.trace" "$((count * 100))")
echo "$line"
bare_rate=$(echo "$line" | awk '{ print $2 }')

replay() { # name trace
	local t0 t1 rss
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$tmp/rss" "$vtdsim" replay --quiet --no-progress \
		--set timing=1 --set check=0 "$2" >/dev/null
	t1=$(date +%s.%N)
	rss=$(tail -1 "$tmp/rss")
	awk -v n="$count" -v a="$t0" -v b="$t1" -v r="$1" -v bare="$bare_rate" \
		-v rss="$rss" 'BEGIN { x = n / (b - a) / 1e6;
		printf "%s: %.2f M translations/s, ratio %.4f to the bare loop, peak RSS %d MB\n",
		r, x, x / bare, rss / 1024 }'
}
replay hit-dominated "$tmp/hit.trace"
replay nested-miss "$tmp/miss.trace"
