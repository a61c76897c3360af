#!/usr/bin/env bash
# prepare-gotch.sh: makes github.com/sugarme/gotch build against the libtorch on
# this machine, without touching the module cache.
#
#   1. finds libtorch: $LIBTORCH (an official libtorch unpack or a Python torch
#      package folder), else Debian's libtorch-dev;
#   2. copies gotch (the version go.mod requires) into build/gotch and writes its
#      cgo flags (include/lib paths, rpath, C++ ABI, CUDA libraries);
#   3. applies occfer's gotch fixes (scripts/gotch-patches, via gotch-patch.sh),
#      then finds, with fast g++ -fsyntax-only passes, every generated op that does
#      not compile against this libtorch and replaces its body with one that
#      raises "gotch op X is not available in libtorch V" (listed in
#      build/gotch/REPLACED_OPS.txt);
#   4. compiles gotch once (warming the Go build cache) and runs a smoke binary;
#   5. writes internal/buildinfo/generated.go (the facts above, for `ffra env`;
#      git-ignored, see internal/buildinfo/buildinfo.go) and, last and
#      atomically, go.work (use . + replace gotch => ./build/gotch).
#
# Re-running is a no-op while the libtorch, gotch version and this script are
# unchanged (build/gotch/.stamp) apart from rewriting step 5's files if they
# are missing or stale. FORCE=1 rebuilds. NO_WARM=1 skips step 4.
# GOTCH_SRC=DIR uses an unpacked gotch instead of the module cache (offline).
# GOTCH_BUILD=DIR prepares DIR/gotch instead of build/gotch (go.work then
# names DIR/gotch by its absolute path).
set -euo pipefail

die() { echo "prepare-gotch: error: $*" >&2; exit 1; }
log() { echo "prepare-gotch: $*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS="$ROOT/scripts"
BUILD="${GOTCH_BUILD:-$ROOT/build}"
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
DEST="$BUILD/gotch"
BUILDINFO="$ROOT/internal/buildinfo/generated.go"
cd "$ROOT"

# One run at a time (parallel make, two engineers): the second waits, then
# finds the stamp fresh and returns at once.
if command -v flock >/dev/null; then
	exec 9>"$BUILD/.prepare-gotch.lock"
	flock 9
fi

HAVE_GO=1
command -v go >/dev/null || HAVE_GO=0
command -v g++ >/dev/null || die "g++ is not on PATH (apt-get install g++)"
command -v nm >/dev/null || die "nm is not on PATH (apt-get install binutils)"
command -v patch >/dev/null || die "patch is not on PATH (apt-get install patch)"

# ---------------------------------------------------------------- 1. libtorch
INCS=() # include dirs
LIBDIR=""
KIND=""
if [[ -n "${LIBTORCH:-}" ]]; then
	LT=$(cd "$LIBTORCH" 2>/dev/null && pwd) || die "LIBTORCH=$LIBTORCH is not a folder"
	[[ -d "$LT/include" && -d "$LT/lib" ]] || die "LIBTORCH=$LT must hold include/ and lib/ (a libtorch unpack or a .../site-packages/torch folder)"
	BASE_INC="$LT/include"
	INCS=("$BASE_INC" "$BASE_INC/torch/csrc/api/include")
	LIBDIR="$LT/lib"
	KIND="LIBTORCH=$LT"
else
	MA=$(gcc -print-multiarch 2>/dev/null || true)
	for d in "/usr/lib/$MA" /usr/lib /usr/lib64; do
		if [[ -e "$d/libtorch.so" || -e "$d/libtorch_cpu.so" ]]; then LIBDIR=$d; break; fi
	done
	[[ -f /usr/include/torch/csrc/api/include/torch/torch.h && -n "$LIBDIR" ]] ||
		die "no libtorch found: set LIBTORCH to a libtorch folder (include/ + lib/) or apt-get install libtorch-dev"
	# /usr/include is searched by default; naming it with -I would reorder it
	# before the C++ library's own headers and break #include_next.
	BASE_INC=/usr/include
	INCS=("/usr/include/torch/csrc/api/include")
	KIND="system (Debian libtorch-dev)"
	LT=/usr
fi
API_INC="${INCS[${#INCS[@]} - 1]}"
[[ -f "$API_INC/torch/torch.h" ]] || die "$API_INC/torch/torch.h not found: not a libtorch include tree"
for l in c10 torch_cpu; do
	[[ -e "$LIBDIR/lib$l.so" ]] || die "$LIBDIR/lib$l.so not found"
done

# Version: the most precise source available.
VERSION=""
if [[ -f "$LT/build-version" ]]; then
	VERSION=$(head -n1 "$LT/build-version")
elif [[ -f "$LT/version.py" ]]; then
	VERSION=$(sed -n "s/^__version__ *= *['\"]\([^'\"]*\)['\"].*/\1/p" "$LT/version.py" | head -n1)
elif [[ "$LT" == /usr ]] && command -v dpkg-query >/dev/null &&
	V=$(dpkg-query -W -f='${Version}' libtorch-dev 2>/dev/null) && [[ -n "$V" ]]; then
	VERSION=${V%%+*}
	VERSION=${VERSION%%-*}
fi
if [[ -z "$VERSION" ]]; then
	VERSION=$(sed -n 's/^ *"\([0-9][^"]*\)".*/\1/p' "$API_INC/torch/version.h" 2>/dev/null | head -n1)
fi
[[ -n "$VERSION" ]] || VERSION=unknown

CUDA=0
if [[ -e "$LIBDIR/libtorch_cuda.so" || -e "$LIBDIR/libc10_cuda.so" ]]; then CUDA=1; fi
VARIANT=$([[ $CUDA == 1 ]] && echo CUDA || echo CPU)

# C++ ABI: TorchConfig's flags if present, else look for __cxx11 symbols in libc10.
ABI=""
CFG=$(ls "$LT"/share/cmake/Torch/TorchConfig.cmake "$LT"/lib/cmake/Torch/TorchConfig.cmake \
	"$LIBDIR"/cmake/Torch/TorchConfig.cmake 2>/dev/null | head -n1 || true)
if [[ -n "$CFG" ]]; then
	ABI=$(grep -o '_GLIBCXX_USE_CXX11_ABI=[01]' "$CFG" | head -n1 | cut -d= -f2 || true)
fi
if [[ -z "$ABI" ]]; then
	n=$(nm -D "$LIBDIR/libc10.so" 2>/dev/null | grep -c cxx11 || true)
	ABI=$([[ "$n" -gt 0 ]] && echo 1 || echo 0)
fi

# C++ standard: newer libtorch headers refuse C++17.
STD=c++17
if grep -rqsE 'C\+\+20 (or later|is required)|__cplusplus < 202002L' "$BASE_INC/c10/macros" "$BASE_INC/c10/util"; then STD=c++20; fi

log "libtorch: $KIND"
log "  version $VERSION, $VARIANT, C++11 ABI=$ABI, -std=$STD"
log "  include ${INCS[*]}"
log "  lib     $LIBDIR"

# ---------------------------------------------------------------- 2. gotch source
# The version go.mod requires; GOTCH_SRC may name an unpacked copy of it
# (offline machines), else the module cache provides it.
GOTCH_VER=$(sed -n 's/^[[:space:]]*github.com\/sugarme\/gotch \(v[^ ]*\).*/\1/p' go.mod | head -n1)
[[ -n "$GOTCH_VER" ]] || die "go.mod does not require github.com/sugarme/gotch"
if [[ -n "${GOTCH_SRC:-}" ]]; then
	GOTCH_SRC=$(cd "$GOTCH_SRC" && pwd) || die "GOTCH_SRC=$GOTCH_SRC is not a folder"
else
	[[ $HAVE_GO == 1 ]] || die "go is not on PATH"
	MOD=$(GOWORK=off go mod download -json "github.com/sugarme/gotch@$GOTCH_VER") ||
		die "go mod download github.com/sugarme/gotch@$GOTCH_VER failed"
	GOTCH_SRC=$(printf '%s\n' "$MOD" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
fi
[[ -d "$GOTCH_SRC/libtch" ]] || die "gotch source not found in the module cache ($GOTCH_SRC)"

SCRIPT_SUM=$(cat "$0" "$SCRIPTS/gotch-replace-ops.awk" "$SCRIPTS/gotch-patch.sh" "$SCRIPTS"/gotch-patches/* | sha256sum | cut -c1-16)
STAMP="libtorch=$LT
libdir=$LIBDIR
version=$VERSION
variant=$VARIANT
abi=$ABI
gotch=$GOTCH_VER
script=$SCRIPT_SUM"

# go.work names the copy relative to the checkout when it lies inside it.
WORK_DEST=$DEST
[[ "$DEST" == "$ROOT/"* ]] && WORK_DEST="./${DEST#"$ROOT/"}"
WORK_CONTENT="go $(sed -n 's/^go \([0-9.]*\).*/\1/p' go.mod | head -n1)

use .

replace github.com/sugarme/gotch $GOTCH_VER => $WORK_DEST
"

write_gowork() {
	# $(cat) drops the trailing newline, so compare without it
	if [[ -f go.work ]] && [[ "$(cat go.work)" == "${WORK_CONTENT%$'\n'}" ]]; then return; fi
	local tmp
	tmp=$(mktemp "$ROOT/.go.work.XXXXXX")
	printf '%s' "$WORK_CONTENT" >"$tmp"
	chmod 644 "$tmp"
	mv -f "$tmp" "$ROOT/go.work"
	log "wrote go.work"
}

# internal/buildinfo/generated.go: the facts of $DEST's stamp and replaced-op
# list as Go, written only when its content changes.
write_buildinfo() {
	local tmp stamp_val
	stamp_val() { sed -n "s/^$1=//p" "$DEST/.stamp" | sed 's/[\\"]/\\&/g'; }
	tmp=$(mktemp "$(dirname "$BUILDINFO")/.generated.go.XXXXXX")
	{
		echo "// Code generated by scripts/prepare-gotch.sh. DO NOT EDIT."
		echo
		echo "package buildinfo"
		echo
		echo "// The libtorch that build/gotch was prepared for (see buildinfo.go)."
		echo "func init() {"
		echo "	facts = Facts{"
		echo "		LibtorchPath: \"$(stamp_val libtorch)\","
		echo "		LibtorchLib: \"$(stamp_val libdir)\","
		echo "		LibtorchVersion: \"$(stamp_val version)\","
		echo "		Variant: \"$(stamp_val variant)\","
		echo "		CXX11ABI: $(stamp_val abi),"
		echo "		GotchVersion: \"$(stamp_val gotch)\","
		echo "		ReplacedOps: []string{"
		while IFS= read -r op; do echo "			\"$op\","; done <"$DEST/REPLACED_OPS.txt"
		echo "		},"
		echo "	}"
		echo "}"
	} >"$tmp"
	if command -v gofmt >/dev/null; then gofmt -w "$tmp"; fi
	chmod 644 "$tmp"
	if cmp -s "$tmp" "$BUILDINFO"; then
		rm -f "$tmp"
		return
	fi
	mv -f "$tmp" "$BUILDINFO"
	log "wrote ${BUILDINFO#"$ROOT/"}"
}

# Up to date: same stamp, and the copy still carries every fix (else rebuild it).
if [[ "${FORCE:-0}" != 1 && -f "$DEST/.stamp" && "$(cat "$DEST/.stamp")" == "$STAMP" ]]; then
	if "$SCRIPTS/gotch-patch.sh" check "$DEST" 2>/dev/null; then
		log "$DEST is up to date for this libtorch"
		write_buildinfo
		write_gowork
		exit 0
	fi
	log "$DEST lacks some of scripts/gotch-patches: preparing it again"
fi

mkdir -p "$BUILD"
NEW=$(mktemp -d "$BUILD/gotch.new.XXXXXX")
chmod 755 "$NEW" # mktemp makes it 0700
trap 'rm -rf "$NEW"' EXIT
cp -R "$GOTCH_SRC/." "$NEW/"
chmod -R u+w "$NEW"
LIBTCH="$NEW/libtch"

# cgo flags. -Wl,--no-as-needed keeps the CUDA libraries linked although no
# symbol of theirs is referenced directly: they register the CUDA backend in
# static initialisers.
{
	echo "// Code generated by scripts/prepare-gotch.sh for libtorch $VERSION ($VARIANT) at $LT. DO NOT EDIT."
	echo
	echo "package libtch"
	echo
	for i in "${INCS[@]}"; do echo "// #cgo CXXFLAGS: -I$i"; done
	echo "// #cgo CXXFLAGS: -std=$STD -I\${SRCDIR} -O1 -g0 -D_GLIBCXX_USE_CXX11_ABI=$ABI"
	echo "// #cgo CXXFLAGS: -Wno-deprecated-declarations -Wno-unused-variable -Wno-sign-compare -Wno-unused-function"
	echo "// #cgo CFLAGS: -I\${SRCDIR} -D_GLIBCXX_USE_CXX11_ABI=$ABI"
	if [[ $CUDA == 1 ]]; then
		echo "// #cgo LDFLAGS: -L$LIBDIR -Wl,-rpath,$LIBDIR -Wl,--no-as-needed -ltorch_cuda -lc10_cuda -ltorch -ltorch_cpu -lc10 -Wl,--as-needed -lstdc++"
	else
		echo "// #cgo LDFLAGS: -L$LIBDIR -Wl,-rpath,$LIBDIR -ltorch -ltorch_cpu -lc10 -lstdc++"
	fi
	echo 'import "C"'
} >"$LIBTCH/lib.go"

# gotch bug fixes that do not depend on the libtorch: the patch set in
# scripts/gotch-patches (see its README.md). A fix that no longer applies stops
# here, named.
"$SCRIPTS/gotch-patch.sh" apply "$NEW" || die "the gotch patch set does not apply to gotch $GOTCH_VER"

# gotch's generated code spells optionals c10::optional / c10::nullopt. Newer
# libtorch made them aliases of std:: and may drop the aliases; restore them
# rather than losing every op with an optional argument.
if [[ ! -f "$BASE_INC/c10/util/Optional.h" ]] || ! grep -qs "nullopt" "$BASE_INC/c10/util/Optional.h"; then
	log "c10::optional/nullopt aliases missing: adding them for gotch"
	sed -i 's|#include <torch/torch.h>|#include <torch/torch.h>\n#include <optional>\nnamespace c10 { using std::optional; using std::nullopt; }|' "$LIBTCH/torch_api.h"
fi

# ---------------------------------------------------------------- 3. discovery
: >"$NEW/REPLACED_OPS.txt"
SYNTAX=(g++ "-std=$STD" -fsyntax-only -fmax-errors=0 -w "-D_GLIBCXX_USE_CXX11_ABI=$ABI" -I"$LIBTCH")
for i in "${INCS[@]}"; do SYNTAX+=(-I"$i"); done
ERR="$NEW/.syntax-errors.txt"
pass=0
while :; do
	pass=$((pass + 1))
	[[ $pass -le 12 ]] || die "op replacement did not converge after 11 passes; last errors in $ERR"
	log "syntax pass $pass (g++ -fsyntax-only torch_api.cpp)"
	if (cd "$LIBTCH" && "${SYNTAX[@]}" torch_api.cpp) 2>"$ERR"; then break; fi
	# Headers that no longer exist: drop the include (gotch includes more than it uses).
	missing=$(sed -n 's/^torch_api\.cpp:[0-9]*:[0-9]*: fatal error: \(.*\): No such file or directory/\1/p' "$ERR")
	if [[ -n "$missing" ]]; then
		while IFS= read -r h; do
			log "  header $h is missing in this libtorch: dropping its #include"
			grep -vF "#include <$h>" "$LIBTCH/torch_api.cpp" | grep -vF "#include \"$h\"" >"$LIBTCH/torch_api.cpp.new"
			mv "$LIBTCH/torch_api.cpp.new" "$LIBTCH/torch_api.cpp"
		done <<<"$missing"
		continue
	fi
	progress=0
	for f in torch_api_generated.cpp.h torch_api.cpp; do
		grep -oE "^$f:[0-9]+:" "$ERR" | cut -d: -f2 | sort -un >"$NEW/.lines" || true
		[[ -s "$NEW/.lines" ]] || continue
		before=$(wc -l <"$NEW/REPLACED_OPS.txt")
		awk -v ver="$VERSION" -v listfile="$NEW/REPLACED_OPS.txt" -f "$SCRIPTS/gotch-replace-ops.awk" \
			"$NEW/.lines" "$LIBTCH/$f" >"$LIBTCH/$f.new" 2>"$NEW/.outside"
		mv "$LIBTCH/$f.new" "$LIBTCH/$f"
		after=$(wc -l <"$NEW/REPLACED_OPS.txt")
		log "  $f: replaced $((after - before)) function(s)"
		if [[ -s "$NEW/.outside" ]]; then
			log "  errors outside any function in $f: $(tr '\n' ' ' <"$NEW/.outside")"
		fi
		[[ $after -gt $before ]] && progress=1
	done
	if [[ $progress == 0 ]]; then
		grep -m 20 'error' "$ERR" >&2 || true
		die "g++ errors that no op replacement can fix (full log: $ERR)"
	fi
done
rm -f "$ERR" "$NEW/.lines" "$NEW/.outside"
sort -u -o "$NEW/REPLACED_OPS.txt" "$NEW/REPLACED_OPS.txt"
NREP=$(wc -l <"$NEW/REPLACED_OPS.txt")
# Ops occfer (model/, train/) cannot work without: better to stop here than to
# build a library whose training step fails at run time.
ESSENTIAL="atg_conv2d atg_batch_norm atg_relu atg_max_pool2d atg_adaptive_avg_pool2d atg_linear
atg_group_norm atg_sigmoid atg_cat atg_narrow atg_constant_pad_nd atg_reshape atg_permute atg_mul
atg_mul_scalar atg_add atg_flatten atg_contiguous atg_squeeze atg_as_strided atg_to atg_to_device
atg_grad atg_set_requires_grad atg_sum atg_cross_entropy_loss atg_log_softmax atg_full atg_zeros atg_totype"
for op in $ESSENTIAL; do
	if grep -qx "$op" "$NEW/REPLACED_OPS.txt"; then
		die "essential op $op does not compile against libtorch $VERSION (see $NEW/REPLACED_OPS.txt); this libtorch is too far from gotch $GOTCH_VER"
	fi
done
log "replaced $NREP op(s) that do not compile against libtorch $VERSION (build/gotch/REPLACED_OPS.txt)"

# A smoke program: links against libtorch and runs one op (checks rpath + ABI).
mkdir -p "$NEW/smoke"
cat >"$NEW/smoke/main.go" <<'EOF'
// Command smoke checks that gotch links and runs against the prepared libtorch.
package main

import (
	"fmt"
	"os"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

func main() {
	x, err := ts.Ones([]int64{2, 3}, gotch.Float, gotch.CPU)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smoke:", err)
		os.Exit(1)
	}
	s, err := x.Sum(gotch.Float, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smoke:", err)
		os.Exit(1)
	}
	fmt.Printf("smoke: ones(2,3).sum() = %v\n", s.Float64Values()[0])
}
EOF

printf '%s\n' "$STAMP" >"$NEW/.stamp"

# ---------------------------------------------------------------- 4. swap in, warm, smoke
# Swap the finished tree into place in two renames: a concurrent build sees either
# the old tree or the new one, never a half-copied one.
if [[ -d "$DEST" ]]; then
	OLD="$BUILD/gotch.old.$$"
	mv "$DEST" "$OLD"
	mv "$NEW" "$DEST"
	rm -rf "$OLD"
else
	mv "$NEW" "$DEST"
fi
trap - EXIT

if [[ "${NO_WARM:-0}" != 1 ]]; then
	[[ $HAVE_GO == 1 ]] || die "go is not on PATH (NO_WARM=1 skips the build)"
	# Compile gotch (one large C++ file) now so the Go build cache is warm for
	# everyone, using a private go.work so the real one still appears last.
	TMPWORK=$(mktemp "$ROOT/.go.work.warm.XXXXXX")
	printf '%s' "$WORK_CONTENT" >"$TMPWORK"
	log "compiling gotch (first time: several minutes on 2 cores)"
	if ! GOWORK="$TMPWORK" go build -o "$BUILD/gotch-smoke" github.com/sugarme/gotch/smoke; then
		rm -f "$TMPWORK"
		rm -f "$DEST/.stamp"
		die "gotch does not build against libtorch $VERSION at $LT"
	fi
	rm -f "$TMPWORK"
	"$BUILD/gotch-smoke" || { rm -f "$DEST/.stamp"; die "the gotch smoke binary failed"; }
fi

write_buildinfo
write_gowork
log "done: libtorch $VERSION ($VARIANT) at $LT; $NREP gotch op(s) replaced"
