#!/usr/bin/env bash
# Install the Debian 12 packages vtdsim needs to build and test.
# Runs apt-get only for what is missing; uses sudo when not root.
set -euo pipefail

packages=(cmake make gcc g++ libgtest-dev
	# configuration files (vtdsim replay --config) and plots (bench/)
	libinih-dev gnuplot-nox
	# compressed traces
	libzstd-dev
	# the SystemC TLM-2.0 component (model/tlm/)
	libsystemc-dev pkg-config
	# the example platform vtdsim-tlm-platform: its options
	libboost-program-options-dev
	# bench/run.sh: peak RSS of a replay
	time
	# the fuzz harnesses (scripts/fuzz.sh): clang's libFuzzer and sanitizers
	clang libclang-rt-14-dev
	# the differential oracle (vtdsim-qemu-diff): QEMU's intel-iommu
	qemu-system-x86
	# the driver harness: Debian's kernel source and what `make prepare` needs
	linux-source-6.12 xz-utils patch perl flex bison bc libelf-dev libssl-dev)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
