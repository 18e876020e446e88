#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# What the timing model costs the host (docs/timing.md): replays the same
# requests with the timing model off and on, densely (a closed loop, all
# ready at 0) and spread one second of simulated time apart, and prints the
# host's replay rate of each. The engine has no per-ns or per-cycle loop, so
# a second between requests costs no more than nothing between them.
#
#   bash bench/timing-cost.sh [--vtdsim PATH] [--count N]
#
# Prints one line per run: `RUN: X M requests/s (T s)`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vtdsim="$here/../build/default/vtdsim"
count=1000000
while [ $# -gt 0 ]; do
	case "$1" in
	--vtdsim) vtdsim=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	*) echo "timing-cost.sh: bad option '$1'" >&2; exit 2 ;;
	esac
done
[ -x "$vtdsim" ] || { echo "timing-cost.sh: no vtdsim at $vtdsim (build first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$vtdsim" gen dma-window --window 4m --count "$count" -o "$tmp/dense.trace"
# the same requests, one simulated second apart
awk '/^dma / { printf "@%d000000000 %s\n", ++n, $0; next } { print }' \
	"$tmp/dense.trace" >"$tmp/sparse.trace"

run() { # name trace timing
	local t0 t1
	t0=$(date +%s.%N)
	"$vtdsim" replay --quiet --no-progress --set "timing=$3" \
		--set check=0 "$2" >/dev/null
	t1=$(date +%s.%N)
	awk -v n="$count" -v a="$t0" -v b="$t1" -v r="$1" \
		'BEGIN { printf "%s: %.2f M requests/s (%.2f s)\n", r, n / (b - a) / 1e6, b - a }'
}
echo "$count 64 B reads, 4 MiB window, 4 KiB pages, legacy, checker off"
run "timing-off-dense" "$tmp/dense.trace" 0
run "timing-on-dense" "$tmp/dense.trace" 1
run "timing-off-1s-apart" "$tmp/sparse.trace" 0
run "timing-on-1s-apart" "$tmp/sparse.trace" 1
