#!/usr/bin/env bash
# The main job: install what is missing, build vtdsim and replay a shipped
# trace (nested translation for a guest-SVA device), printing the report.
# Usage: scripts/demo.sh [TRACE]
set -euo pipefail
cd "$(dirname "$0")/.."
trace=${1:-traces/samples/sm-nested.trace}
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target vtdsim
./build/default/vtdsim replay "$trace"
