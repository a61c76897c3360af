#!/usr/bin/env bash
# Runs every fuzz target of the module (each func FuzzX(f *testing.F) in a _test.go file),
# one after another, for FUZZTIME each (default 60s). Targets are discovered, so a new one is
# run without touching this script or the Makefile. FUZZ (a regexp, default all) picks
# targets by name, FUZZPKGS (default: every package with one) picks packages.
#
# Minimising each new interesting input is capped at FUZZMINIMIZETIME (default 5s): go's
# default of 60s spends most of a short run minimising. A failing input is written by go test
# to <package>/testdata/fuzz/<FuzzX>/ and is run by every plain `go test` from then on: commit
# it with the fix, as a regression test.
set -euo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-60s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-5s}
FUZZ=${FUZZ:-.}
cd "$(dirname "$0")/.."
pkgs=${FUZZPKGS:-$(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	grep -v '^\./build/' | xargs -r -n1 dirname | sort -u)}
failed=()
for pkg in $pkgs; do
	for target in $($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' | grep -E -- "$FUZZ" || true); do
		echo "== $pkg $target ($FUZZTIME)"
		if ! $GO test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME"; then
			failed+=("$pkg $target")
		fi
	done
done
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: failed: %s\n' "${failed[@]}"
	exit 1
fi
