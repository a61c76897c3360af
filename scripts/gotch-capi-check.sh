#!/usr/bin/env bash
# gotch-capi-check.sh: checks the prepared gotch C API against a libtorch without
# Go (e.g. a GPU machine with only PyTorch): runs prepare-gotch.sh with
# NO_WARM=1, compiles build/gotch/libtch/torch_api.cpp with the cgo flags it
# wrote, links scripts/gotch-capi-smoke.cpp against it and runs conv2d etc. on
# cuda:0 (or the CPU when no GPU is visible).
#
#   LIBTORCH=/path/to/site-packages/torch [GOTCH_SRC=unpacked-gotch] scripts/gotch-capi-check.sh
# Logs go to $OUT (default build/capi-check). Like prepare-gotch.sh it
# re-prepares build/gotch for that libtorch, so run it on the machine whose
# libtorch you mean (and rerun prepare-gotch.sh afterwards elsewhere).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/build/capi-check}
mkdir -p "$OUT"
export NO_WARM=1
start=$(date +%s)
./scripts/prepare-gotch.sh >"$OUT/prepare.log" 2>&1
rc=$?
tail -n 8 "$OUT/prepare.log"
[[ $rc == 0 ]] || { echo "prepare-gotch failed (rc $rc), see $OUT/prepare.log"; exit 1; }
cp build/gotch/REPLACED_OPS.txt build/gotch/libtch/lib.go "$OUT/"
cd build/gotch/libtch
flags() { sed -n "s|^// #cgo $1: ||p" lib.go | sed "s|\${SRCDIR}|$PWD|g" | tr '\n' ' '; }
CXX=$(flags CXXFLAGS)
LD=$(flags LDFLAGS)
obj="$OUT/torch_api.o"
# shellcheck disable=SC2086 # flag lists are meant to split
g++ $CXX -c torch_api.cpp -o "$obj" >"$OUT/compile.log" 2>&1 || { tail -n 20 "$OUT/compile.log"; exit 1; }
echo "compiled torch_api.cpp after $(($(date +%s) - start))s"
# shellcheck disable=SC2086
g++ $CXX "$ROOT/scripts/gotch-capi-smoke.cpp" "$obj" $LD -o "$OUT/smoke" >"$OUT/link.log" 2>&1 || { tail -n 20 "$OUT/link.log"; exit 1; }
"$OUT/smoke"
