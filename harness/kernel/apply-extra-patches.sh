#!/bin/bash
# Keep the prepared kernel tree patched with exactly the patches of
# VTDSIM_EXTRA_KERNEL_PATCHES, on top of the series (docs/driver-harness.md,
# "Testing your own driver patch"). Runs at every build and is a no-op when
# nothing changed; otherwise it reverses the extra patches it applied before
# (last first) and applies the current ones, so only the files those patches
# touch change and only what includes them is compiled again.
#
#   apply-extra-patches.sh OUTDIR [EXTRA_PATCH_DIR]
#
# OUTDIR/extra-applied/ holds copies of the patches applied now, in order;
# OUTDIR/applied-patches.txt lists the series, then these.
set -euo pipefail

out=$1
extra_dir=${2:-}
tree=$out/linux
state=$out/extra-applied

die() {
	echo "apply-extra-patches: $*" >&2
	exit 1
}

[ -d "$tree" ] || die "$tree is not prepared"
[ -z "$extra_dir" ] || [ -d "$extra_dir" ] ||
	die "VTDSIM_EXTRA_KERNEL_PATCHES: $extra_dir is not a directory"
mkdir -p "$state"
want=()
if [ -n "$extra_dir" ]; then
	while IFS= read -r p; do want+=("$p"); done < <(find "$extra_dir" -maxdepth 1 -name '*.patch' | LC_ALL=C sort)
fi
have=()
while IFS= read -r p; do have+=("$p"); done < <(find "$state" -maxdepth 1 -name '*.patch' | LC_ALL=C sort)

# unchanged: the same patches, byte for byte, in the same order
same=1
if [ ${#want[@]} -ne ${#have[@]} ]; then
	same=0
else
	for i in "${!want[@]}"; do
		cmp -s "${want[$i]}" "${have[$i]}" || same=0
	done
fi
list() {
	cat "$out/series-patches.txt"
	[ ${#want[@]} -eq 0 ] || printf '%s\n' "${want[@]}"
}
if [ $same = 1 ]; then
	list >"$out/applied-patches.txt.new"
	cmp -s "$out/applied-patches.txt.new" "$out/applied-patches.txt" ||
		mv "$out/applied-patches.txt.new" "$out/applied-patches.txt"
	rm -f "$out/applied-patches.txt.new"
	exit 0
fi

# back to the series alone: the applied patches reversed, last first
for ((i = ${#have[@]} - 1; i >= 0; i--)); do
	echo "apply-extra-patches: reversing $(basename "${have[$i]}")"
	patch -d "$tree" -p1 -R --batch --quiet <"${have[$i]}" >/dev/null ||
		die "could not reverse ${have[$i]}; delete $tree to prepare it again"
	rm -f "${have[$i]}"
done
# the current ones, in name order; a patch that does not apply undoes
# the ones applied before it, so the tree is the series alone again
n=0
for p in "${want[@]}"; do
	if ! log=$(patch -d "$tree" -p1 --forward --batch <"$p" 2>&1); then
		echo "$log" >&2
		for ((i = n - 1; i >= 0; i--)); do
			patch -d "$tree" -p1 -R --batch --quiet <"${want[$i]}" >/dev/null
		done
		rm -f "$state"/*.patch
		list | head -n "$(wc -l <"$out/series-patches.txt")" >"$out/applied-patches.txt"
		die "patch $p does not apply to linux-source-6.12 with the series"
	fi
	echo "apply-extra-patches: applied $(basename "$p")"
	cp "$p" "$state/$(printf '%04d' "$n")-$(basename "$p")"
	n=$((n + 1))
done
list >"$out/applied-patches.txt"
