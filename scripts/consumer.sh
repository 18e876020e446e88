#!/usr/bin/env bash
# Packaging check (docs/systemc.md "Packaging"): install a built tree into a
# temporary prefix, build examples/tlm-consumer against it with
# find_package(vtdsim) and a C program with pkg-config vtdsim, run both.
#   bash scripts/consumer.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: consumer.sh BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$here/examples/tlm-consumer" -B "$tmp/build" \
	-DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$tmp/build/consumer"
cat >"$tmp/c.c" <<'C'
#include <stdio.h>
#include <vtdsim/vtdsim.h>
int main(void)
{
	struct vtd_config cfg;
	char err[128];
	struct vtd *v;

	vtd_config_init(&cfg);
	v = vtd_create(&cfg, NULL, NULL, err, sizeof(err));
	if (!v)
		return 1;
	printf("C VER 0x%02x\n", (unsigned int)vtd_reg_read(v, 0, 4));
	vtd_destroy(v);
	return 0;
}
C
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig" \
	cc "$tmp/c.c" -o "$tmp/c" $(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig" pkg-config --cflags --libs vtdsim)
"$tmp/c"
