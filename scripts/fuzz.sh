#!/usr/bin/env bash
# Fuzz every harness of fuzz/ with libFuzzer (clang, ASan + UBSan), from the
# committed seed corpus (docs/robustness.md). One line per harness:
#
#   fuzz NAME: N executions in S s, corpus C, no finding
#
# A finding (crash, invariant violation, sanitizer report, leak, time-out,
# memory beyond the limits) stops that harness, keeps the input under
# build/fuzz/findings/ and makes the script exit 1.
#
#   bash scripts/fuzz.sh [--time SECONDS | --runs N] [--seed N] [HARNESS...]
#     --time S   fuzz each harness S seconds (default 60; CI: 20)
#     --runs N   fuzz each harness for N executions (the 10^7 of the
#                robustness report: --runs 10000000)
#     --seed N   libFuzzer's random seed (default 1); a second run beside
#                the first on another core takes another seed (its log is
#                build/fuzz/HARNESS-seedN.log), so the two do not repeat
#                each other's inputs
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time=60)
seed=1
harnesses=()
while [ $# -gt 0 ]; do
	case "$1" in
	--time) limit=(-max_total_time="$2"); shift 2 ;;
	--runs) limit=(-runs="$2"); shift 2 ;;
	--seed)
		[[ "${2:-}" =~ ^[1-9][0-9]{0,8}$ ]] || { echo "fuzz.sh: bad --seed '${2:-}'" >&2; exit 2; }
		seed=$2; shift 2 ;;
	-*) echo "fuzz.sh: unknown option '$1'" >&2; exit 2 ;;
	*) harnesses+=("$1"); shift ;;
	esac
done
all=(tables regs prq trace_text trace_binary config import_ftrace import_qemu)
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all[@]}")
for h in "${harnesses[@]}"; do
	[ -d "fuzz/corpus/$h" ] || { echo "fuzz.sh: no harness '$h' (${all[*]})" >&2; exit 2; }
done

bash scripts/install-deps.sh
cmake -S fuzz -B build/fuzz -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build/fuzz -j"$(nproc)" >/dev/null

mkdir -p build/fuzz/findings
rc=0
for h in "${harnesses[@]}"; do
	work=build/fuzz/work/$h
	log=build/fuzz/$h.log
	[ "$seed" = 1 ] || log=build/fuzz/$h-seed$seed.log
	# the model harnesses: a few hundred operations an input are plenty
	case $h in tables | regs | prq) max_len=4096 ;; *) max_len=65536 ;; esac
	mkdir -p "$work"
	# new inputs go to the work corpus, the committed seeds stay as they are
	if build/fuzz/fuzz_"$h" "${limit[@]}" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb=1024 -max_len=$max_len -print_final_stats=1 \
		-artifact_prefix=build/fuzz/findings/"$h"- \
		"$work" fuzz/corpus/"$h" >"$log" 2>&1; then
		verdict="no finding"
	else
		verdict="FINDING (build/fuzz/findings/$h-*, log $log)"
		rc=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	echo "fuzz $h: ${execs:-?} executions in ${secs:-?} s, corpus $(ls "$work" | wc -l), $verdict"
done
exit $rc
