#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Many requests in flight (docs/validation.md, "Contention"): 8 devices
# with 32 outstanding 64-byte reads each, random over a 64 MiB window of
# 4 KiB pages, with the default parameters; then the same with half the
# page walkers, and the latency knee with the default IOTLB and with one
# twice its size.
#
#   bash bench/contention.sh [--vtdsim PATH] [--count N] [--set KEY=VALUE]...
#
# Prints throughput, the walker and slot rows of the report and the knee
# (the first window whose mean latency is 10% over the 256 KiB one). Exit 0
# when walkers and slots are contended, half the walkers gives lower
# throughput and the larger IOTLB moves the knee to a larger window; 1
# otherwise; 2 on bad options.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vtdsim="$here/../build/default/vtdsim"
count=200000
sets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--vtdsim) vtdsim=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--set) sets+=(--set "$2"); shift 2 ;;
	*) echo "contention.sh: bad option '$1'" >&2; exit 2 ;;
	esac
done
case "$count" in
'' | *[!0-9]*) echo "contention.sh: --count takes a number" >&2; exit 2 ;;
esac
[ -x "$vtdsim" ] || { echo "contention.sh: no vtdsim at $vtdsim (build first)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# $1 trace, then --set options; leaves the JSON in $tmp/r.json
replay() {
	local tr=$1
	shift
	"$vtdsim" replay --quiet --no-progress --warmup $((count / 10)) \
		${sets[@]+"${sets[@]}"} "$@" --json "$tmp/r.json" "$tr" >/dev/null
}
field() { # section key
	sed -n "s/^  \"$1\": {.*\"$2\": \([0-9.]*\).*/\1/p" "$tmp/r.json"
}
util() { # resource key
	sed -n "s/^    \"$1\": {.*\"$2\": \([0-9.]*\).*/\1/p" "$tmp/r.json"
}

"$vtdsim" gen dma-window --devices 8 --inflight 32 --window 64m \
	--count "$count" -o "$tmp/many.trace"
walkers=$("$vtdsim" config | awk '$1 == "timing.walkers" { print $2 }')
half=$((walkers / 2))
[ "$half" -ge 1 ] || half=1

echo "8 devices x 32 outstanding 64 B reads, random over 64 MiB, 4 KiB pages"
printf '%-22s %12s %10s %8s %10s %8s %10s\n' configuration "M req/s" "mean ns" \
	"walkers" "walk wait" slots "slot wait"
declare -A tput
for w in "$walkers" "$half"; do
	replay "$tmp/many.trace" --set "timing.walkers=$w"
	tput[$w]=$(field throughput requests_per_s)
	printf '%-22s %12.3f %10.1f %7.0f%% %10s %7.0f%% %10s\n' "walkers=$w" \
		"$(awk -v t="${tput[$w]}" 'BEGIN { print t / 1e6 }')" \
		"$(field latency mean_ns)" \
		"$(awk -v b="$(util walkers busy)" 'BEGIN { print b * 100 }')" \
		"$(util walkers waits)" \
		"$(awk -v b="$(util slots busy)" 'BEGIN { print b * 100 }')" \
		"$(util slots waits)"
	if [ "$w" = "$walkers" ]; then
		[ "$(util walkers waits)" != 0 ] || { echo "  FAIL: no walker contention" >&2; fail=1; }
		[ "$(util slots waits)" != 0 ] || { echo "  FAIL: no slot contention" >&2; fail=1; }
	fi
done
if ! awk -v a="${tput[$walkers]}" -v b="${tput[$half]}" 'BEGIN { exit !(b < a * 0.9) }'; then
	echo "  FAIL: half the walkers did not lower the throughput" >&2
	fail=1
fi

echo
echo "Knee: one 64 B read in flight, mean latency (ns) by window"
iotlb_sets=$("$vtdsim" config | awk '$1 == "iotlb.sets" { print $2 }')
windows=(256k 512k 1m 2m 4m 8m)
printf '%-22s' "window"
printf ' %8s' "${windows[@]}"
printf ' %8s\n' knee
declare -A knee
for s in "$iotlb_sets" $((iotlb_sets * 2)); do
	printf '%-22s' "iotlb.sets=$s"
	base=""
	knee[$s]=none
	for w in "${windows[@]}"; do
		"$vtdsim" gen dma-window --window "$w" --count $((count / 2)) -o "$tmp/one.trace"
		replay "$tmp/one.trace" --set "iotlb.sets=$s"
		m=$(field latency mean_ns)
		[ -n "$base" ] || base=$m
		printf ' %8.1f' "$m"
		if [ "${knee[$s]}" = none ] &&
			awk -v m="$m" -v b="$base" 'BEGIN { exit !(m > b * 1.1) }'; then
			knee[$s]=$w
		fi
	done
	printf ' %8s\n' "${knee[$s]}"
done
idx() { local i; for i in "${!windows[@]}"; do [ "${windows[$i]}" = "$1" ] && echo "$i"; done; echo 99; }
k1=$(idx "${knee[$iotlb_sets]}" | head -1)
k2=$(idx "${knee[$((iotlb_sets * 2))]}" | head -1)
if [ "$k2" -le "$k1" ]; then
	echo "  FAIL: twice the IOTLB did not move the knee" >&2
	fail=1
fi

if [ "$fail" -eq 0 ]; then
	echo "contention: PASS"
else
	echo "contention: FAIL"
fi
exit "$fail"
