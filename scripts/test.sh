#!/usr/bin/env bash
# Build everything and run the whole test suite (GoogleTest units, trace
# conformance suite) through CTest. Usage: scripts/test.sh [default|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
bash scripts/install-deps.sh
cmake --workflow --preset "$preset"
