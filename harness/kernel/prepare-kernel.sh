#!/bin/bash
# Prepare Debian's linux-source-6.12 for the driver harness (see docs/driver-harness.md).
#
#   prepare-kernel.sh TARBALL OUTDIR SERIES_DIR
#
# Extracts the tree into OUTDIR/linux, applies the quilt series of SERIES_DIR (-p1;
# the extra patches of VTDSIM_EXTRA_KERNEL_PATCHES come after, at every build, from
# apply-extra-patches.sh), applies the pinned user-space
# configuration, runs `make prepare`, writes user-space versions of asm/io.h and
# asm/irqflags.h into OUTDIR/generated and OUTDIR/kflags.rsp (the compiler flags
# kbuild uses for drivers/iommu/intel, rewritten for user-space code generation),
# then drops the parts of the tree nothing compiles.
set -euo pipefail

tarball=$1
out=$2
series_dir=$3
here=$(cd "$(dirname "$0")" && pwd)
# The kernel's make must not join the calling build's make (jobserver, flags).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
trap 'echo "prepare-kernel: failed at line $LINENO" >&2' ERR
tree=$out/linux

die() {
	echo "prepare-kernel: $*" >&2
	exit 1
}

[ -f "$tarball" ] || die "$tarball not found: install Debian's linux-source-6.12 (scripts/install-deps.sh)"
rm -rf "$tree" "$out/kflags.rsp" "$out/applied-patches.txt" "$out/extra-applied"
mkdir -p "$out"
tmp=$(mktemp -d "$out/extract.XXXXXX")
# Kconfig reads files from all over the tree: only sources of other architectures
# and large driver trees' C files are left out.
tar -xf "$tarball" -C "$tmp" --exclude='*/arch/[a-wyz]*/*.[chS]' \
	--exclude='*/drivers/gpu/*.[ch]' --exclude='*/drivers/net/*.[ch]' \
	--exclude='*/sound/*.[ch]' --exclude='*/Documentation/*.rst'
mv "$tmp"/linux-source-* "$tree"
rmdir "$tmp"

apply() {
	echo "prepare-kernel: applying $1"
	local log
	if ! log=$(patch -d "$tree" -p1 --forward --batch <"$1" 2>&1); then
		echo "$log" >&2
		die "patch $1 does not apply to linux-source-6.12"
	fi
	echo "$1" >>"$out/applied-patches.txt"
}

: >"$out/applied-patches.txt"
if [ -f "$series_dir/series" ]; then
	while read -r p _; do
		case "$p" in '' | '#'*) continue ;; esac
		apply "$series_dir/$p"
	done <"$series_dir/series"
fi
cp "$out/applied-patches.txt" "$out/series-patches.txt"

cd "$tree"
make -s x86_64_defconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$here/user.config" >/dev/null
make -s olddefconfig
for opt in INTEL_IOMMU_SVM IOMMUFD PCI_PRI IOMMU_SVA; do
	grep -q "^CONFIG_$opt=y" .config || die "configuration lost CONFIG_$opt"
done
grep -q '^CONFIG_SMP=y' .config && die "configuration has CONFIG_SMP"
make -s -j"$(nproc)" prepare >/dev/null

# Headers that must not trap in user space are rewritten from the tree's own:
# MMIO accessors become out-of-line calls into the shim, and the interrupt flag
# is a variable instead of cli/sti/pushf.
gen=$out/generated/asm
mkdir -p "$gen"
perl -pe 's/^build_mmio_read\((\w+), "\w", ([^,]+), .*$/extern $2 $1(const volatile void __iomem *addr);/;
	s/^build_mmio_write\((\w+), "\w", ([^,]+), .*$/extern void $1($2 val, volatile void __iomem *addr);/' \
	arch/x86/include/asm/io.h >"$gen/io.h"
perl -0pe 's/asm volatile\("# __raw_save_flags.*?\);/flags = vk_eflags;/s;
	s/asm volatile\("cli"[^;]*;/vk_eflags &= ~X86_EFLAGS_IF;/g;
	s/asm volatile\("sti; hlt"[^;]*;/vk_eflags |= X86_EFLAGS_IF;/g;
	s/asm volatile\("sti"[^;]*;/vk_eflags |= X86_EFLAGS_IF;/g;
	s/asm volatile\("hlt"[^;]*;//g;
	s/(#include <asm\/nospec-branch.h>)/$1\nextern unsigned long vk_eflags;/' \
	arch/x86/include/asm/irqflags.h >"$gen/irqflags.h"
grep -q '^extern unsigned int readl(' "$gen/io.h" || die "asm/io.h rewrite failed"
if grep -qE '"(cli|sti|pushf)' "$gen/irqflags.h"; then die "asm/irqflags.h rewrite failed"; fi

# Capture kbuild's own command line for one driver object.
rm -f drivers/iommu/intel/pasid.o
cmd=$(make -j1 V=1 drivers/iommu/intel/pasid.o 2>&1 | grep -E '^ *gcc .*-c -o drivers/iommu/intel/pasid.o' | head -1)
[ -n "$cmd" ] || die "could not capture kbuild's compiler command"
rm -f drivers/iommu/intel/pasid.o

{
	echo "-I$here/override"
	echo "-I$out/generated"
	for f in ${cmd%%;*}; do
		case "$f" in
		gcc | -Wp,* | -c | -o | *.o | *.c | -DKBUILD_* | -D__KBUILD_*) ;;
		-mcmodel=kernel | -mno-red-zone | -fno-PIE | -mindirect-branch* | \
			-mfunction-return=* | -fpatchable-function-entry=* | \
			-mstack-protector-guard* | -mrecord-mcount | -pg | -mfentry | -Werror | \
			-mpreferred-stack-boundary=* | -mskip-rax-setup) ;;
		-I./*) echo "-I$tree/${f#-I./}" ;;
		./*) echo "$tree/${f#./}" ;;
		*) echo "$f" ;;
		esac
	done
	echo "-fPIE"
	echo "-g"
	echo "-Wno-error"
} >"$out/kflags.rsp"
# What the harness compiles needs only the headers, lib/ and two driver
# directories: drop the rest of the large trees (about 500 MB per build).
version=$(make -s kernelversion)
find drivers -mindepth 1 -maxdepth 1 -type d ! -name iommu ! -name pci -exec rm -rf {} +
find arch -mindepth 1 -maxdepth 1 -type d ! -name x86 -exec rm -rf {} +
rm -rf Documentation fs net sound samples tools/testing

echo "prepare-kernel: linux $version, $(wc -l <"$out/applied-patches.txt") patch(es), flags in $out/kflags.rsp"
