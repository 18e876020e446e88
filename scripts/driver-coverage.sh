#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Line coverage of the real driver's files over every scenario of the driver
# harness (docs/driver-harness.md, "Coverage"). Builds build/coverage with the
# kernel files instrumented for gcov, runs each scenario in its own process,
# and prints one line per compiled kernel file:
#
#   drivers/iommu/intel/cache.c: 84.3% of 512 lines
#
# then checks the floors the project keeps (FLOORS below) and exits 1 if a
# file is under its floor.
#
#   bash scripts/driver-coverage.sh [--build DIR] [--no-check]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/coverage
check=1
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--no-check) check=0; shift ;;
	*) echo "driver-coverage.sh: bad option '$1'" >&2; exit 2 ;;
	esac
done
# path:minimum percent
FLOORS="drivers/iommu/intel/cache.c:80 drivers/iommu/intel/pasid.c:80
drivers/iommu/intel/nested.c:80 drivers/iommu/intel/prq.c:80
drivers/iommu/intel/svm.c:80 drivers/iommu/intel/iommu.c:65
drivers/iommu/intel/dmar.c:65"

command -v gcov >/dev/null || { echo "driver-coverage.sh: gcov not found" >&2; exit 2; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVTDSIM_BUILD_TESTS=OFF \
	-DVTDSIM_DRIVER_COVERAGE=ON >/dev/null
cmake --build "$build" --target vtdsim-linux -j2 >/dev/null
obj="$build/kernel/obj"
tree="$build/kernel/linux"
find "$obj" -name '*.gcda' -delete
for s in $("$build/vtdsim-linux" --list); do
	# nested-unforwarded is meant to fail; every run counts
	"$build/vtdsim-linux" "$s" >/dev/null 2>&1 || true
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
while read -r src; do
	[ -n "$src" ] || continue
	o="$obj/$(echo "$src" | tr / _).o"
	# gcov names the source file's line "File '<path>'" then
	# "Lines executed:P% of N"
	line=$(cd "$tmp" && gcov -n -o "$OLDPWD/$o" "$OLDPWD/$tree/$src" 2>/dev/null |
		awk -v f="$src" '
			/^File / { cur = $0; next }
			/^Lines executed:/ && index(cur, f "\x27") && !done {
				split($0, a, ":"); split(a[2], b, "% of ");
				print b[1], b[2]; done = 1 }')
	if [ -z "$line" ]; then
		echo "$src: no coverage data"
		continue
	fi
	set -- $line
	echo "$src: $1% of $2 lines"
	for f in $FLOORS; do
		if [ "${f%%:*}" = "$src" ] && [ "$check" = 1 ] &&
			awk -v p="$1" -v m="${f##*:}" 'BEGIN { exit !(p < m) }'; then
			echo "  under its floor of ${f##*:}%" >&2
			status=1
		fi
	done
done < "$build/kernel/kernel-sources.txt"
exit $status
