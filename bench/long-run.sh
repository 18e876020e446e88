#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Long runs in constant memory (docs/performance.md "Long runs"): for each
# count, `vtdsim gen dma-window` streams a binary trace of that many requests
# (64 B reads in a 64 MiB window, legacy second level) through a pipe into
# `vtdsim replay -` (timing on, checker off), nothing on disk, the replay
# under a hard address-space limit (ulimit -v, --limit-mb, default 256 MB: a
# replay that grew with the trace would die, not swap). One line per count:
#
#   long-run N: X M translations/s, peak RSS M MB, limit L MB
#
# (RSS of the replay process alone: if it grew with the trace, the lines
# would show it.) The first count is replayed twice and the two JSON
# reports compared byte for byte:
#
#   long-run N: the same report twice
#
#   bash bench/long-run.sh [--build DIR] [--limit-mb L] [COUNT...]
#                                                (default 1e6 1e8 1e9)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build/default"
limit_mb=256
counts=()
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--limit-mb) limit_mb=$2; shift 2 ;;
	-*) echo "long-run.sh: bad option '$1'" >&2; exit 2 ;;
	*) counts+=("$1"); shift ;;
	esac
done
[ ${#counts[@]} -gt 0 ] || counts=(1000000 100000000 1000000000)
vtdsim="$build/vtdsim"
[ -x "$vtdsim" ] || { echo "long-run.sh: no $vtdsim (build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "long-run.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one replay of n requests under the limit: its JSON report in $2
replay() {
	"$vtdsim" gen dma-window --window 64m --count "$1" --format binary |
		( ulimit -v $((limit_mb * 1024)); exec /usr/bin/time -f %M \
			-o "$tmp/rss" "$vtdsim" replay --quiet --no-progress \
			--set timing=1 --set check=0 --json "$2" - >/dev/null )
}

first=1
for n in "${counts[@]}"; do
	n=$(awk -v n="$n" 'BEGIN { printf "%d", n }') # 1e9 -> 1000000000
	t0=$(date +%s.%N)
	replay "$n" "$tmp/r.json"
	t1=$(date +%s.%N)
	grep -q "\"requests\": $n," "$tmp/r.json" ||
		{ echo "long-run.sh: the replay of $n requests did not see them all" >&2; exit 1; }
	awk -v n="$n" -v a="$t0" -v b="$t1" -v rss="$(tail -1 "$tmp/rss")" \
		-v lim="$limit_mb" \
		'BEGIN { printf "long-run %d: %.2f M translations/s, peak RSS %d MB, limit %d MB\n",
		n, n / (b - a) / 1e6, rss / 1024, lim }'
	if [ $first = 1 ]; then
		replay "$n" "$tmp/r2.json"
		cmp -s "$tmp/r.json" "$tmp/r2.json" ||
			{ echo "long-run.sh: two replays of $n requests gave different reports" >&2; exit 1; }
		echo "long-run $n: the same report twice"
		first=0
	fi
done
