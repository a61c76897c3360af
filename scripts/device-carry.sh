#!/usr/bin/env bash
# Packs what a GPU check needs on a machine that has libtorch but no Go and no network:
#   .carry/go.tar.xz     a minimal Go toolchain (go/bin, compile/link/asm/cgo, go/src without tests)
#   .carry/gomod.tar.xz  the module cache subset that builds cmd/ffra (sources of the modules it
#                        imports, trimmed of examples and test data, plus every module's go.mod)
# Both land in the git-ignored .carry/ folder. Run scripts/device-check.sh there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARRY="$ROOT/.carry"
mkdir -p "$CARRY"
GOROOT=$(go env GOROOT)
MODCACHE=$(go env GOMODCACHE)

if [[ ! -f "$CARRY/go.tar.xz" ]]; then
	echo "device-carry: packing the Go toolchain from $GOROOT"
	tar -C "$(dirname "$GOROOT")" --exclude='*_test.go' --exclude='testdata' --exclude='go/src/cmd' \
		-cf - go/VERSION go/go.env go/bin go/pkg/include \
		go/pkg/tool/linux_amd64/compile go/pkg/tool/linux_amd64/link \
		go/pkg/tool/linux_amd64/asm go/pkg/tool/linux_amd64/cgo go/src | xz -T0 -6 >"$CARRY/go.tar.xz.tmp"
	mv "$CARRY/go.tar.xz.tmp" "$CARRY/go.tar.xz"
fi

# Modules whose packages cmd/ffra imports (gotch comes from the module cache too: the device
# prepares its own copy for its libtorch).
cd "$ROOT"
mods=$(go list -deps -f '{{with .Module}}{{.Path}}@{{.Version}}{{end}}' ./cmd/ffra | sort -u | grep -v '^github.com/occfer/occfer@')
dirs=()
for m in $mods; do
	rel=$(echo "$m" | sed 's/[A-Z]/!\L&/g') # the module cache's case encoding
	[[ -d "$MODCACHE/$rel" ]] || { echo "device-carry: $MODCACHE/$rel missing (run go mod download)" >&2; exit 1; }
	dirs+=("$rel")
done
# Every module's .mod/.info/.ziphash (small) so the module graph loads offline, and the
# extracted sources of the modules cmd/ffra imports, without examples, generators and tests.
tar -C "$MODCACHE" --transform 's,^,gomod/,' \
	--exclude='*.zip' --exclude='*.lock' --exclude='*/@v/list' \
	--exclude='*/example' --exclude='*/gen' --exclude='testdata' --exclude='*_test.go' \
	-cf - cache/download "${dirs[@]}" | xz -T0 -6 >"$CARRY/gomod.tar.xz.tmp"
mv "$CARRY/gomod.tar.xz.tmp" "$CARRY/gomod.tar.xz"
echo "device-carry: $(du -sh "$CARRY" | cut -f1) in $CARRY (${#dirs[@]} modules)"
