#!/usr/bin/env bash
# gotch-patch.sh: applies occfer's fixes of gotch to a copy of it, or checks that a
# prepared copy carries every one of them.
#
#   scripts/gotch-patch.sh apply DIR   # DIR: a writable copy of the gotch go.mod requires
#   scripts/gotch-patch.sh check DIR   # DIR: a prepared copy (make gotch-check: build/gotch)
#
# The fixes are the files of scripts/gotch-patches/, applied in name order; its README.md
# says what each one fixes and why. They do not depend on the libtorch version (what does,
# prepare-gotch.sh generates):
#   NNNN-*.patch  unified diffs relative to the gotch root (-p1), applied with GNU patch and
#                 no fuzz, so a hunk whose context moved stops the build;
#   NNNN-*.awk    mechanical rewrites of many sites, too large for a readable diff: the header
#                 names the file ("# file: PATH") and the exact number of each kind of site
#                 ("# expect: KIND=N ..."); the script prints "KIND N" (sites rewritten) and
#                 "KIND-fixed N" (sites already fixed) to stderr.
# apply stops at the first fix that does not apply, naming it; check names every fix the copy
# lacks. Both exit non-zero then.
set -euo pipefail

die() { echo "gotch-patch: error: $*" >&2; exit 1; }

PATCHES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gotch-patches
[[ $# == 2 && ($1 == apply || $1 == check) ]] || die "usage: $0 apply|check DIR"
MODE=$1
DIR=$(cd "$2" 2>/dev/null && pwd) || die "$2 is not a folder"
[[ -d "$DIR/libtch" && -d "$DIR/ts" ]] || die "$DIR is not a gotch source tree (no libtch/ and ts/)"
command -v patch >/dev/null || die "GNU patch is not on PATH (apt-get install patch)"

# header FIX KEY: the value of the "# KEY: ..." line of an awk fix.
header() { sed -n "s/^# $2: *//p" "$1" | head -n1; }

# awk_counts FIX FILE OUT: runs the rewrite of FILE into OUT, prints the counts.
awk_counts() { awk -f "$1" "$2" 2>&1 >"$3"; }

failed=()
n=0
for fix in "$PATCHES"/*; do
	name=$(basename "$fix")
	case "$name" in
	README.md) continue ;;
	[0-9][0-9][0-9][0-9]-*.patch)
		# --force: never ask, and never treat a patch as reversed (or, with -R, as applied)
		# because it looks so; -F0: no fuzz; dry run first, so a failure leaves DIR as it was.
		opts=(-d "$DIR" -p1 -F0 --force --no-backup-if-mismatch --reject-file=- -s -i "$fix")
		if [[ $MODE == apply ]]; then
			out=$(patch --dry-run "${opts[@]}" 2>&1) ||
				die "$name does not apply to $DIR (gotch changed? update the patch, see scripts/gotch-patches/README.md):"$'\n'"$out"
			patch "${opts[@]}" >/dev/null
		elif ! patch -R --dry-run "${opts[@]}" >/dev/null 2>&1; then
			failed+=("$name")
		fi
		;;
	[0-9][0-9][0-9][0-9]-*.awk)
		file=$(header "$fix" file)
		expect=$(header "$fix" expect)
		[[ -n "$file" && -n "$expect" ]] || die "$name lacks its '# file:' or '# expect:' header"
		[[ -f "$DIR/$file" ]] || die "$name: $DIR/$file not found"
		out=/dev/null
		[[ $MODE == apply ]] && out="$DIR/$file.new"
		counts=$(awk_counts "$fix" "$DIR/$file" "$out") || { rm -f "$DIR/$file.new"; die "$name: awk failed on $DIR/$file"; }
		ok=1
		for kv in $expect; do
			kind=${kv%%=*} want=${kv#*=}
			now=$(sed -n "s/^$kind //p" <<<"$counts")
			done_=$(sed -n "s/^$kind-fixed //p" <<<"$counts")
			if [[ $MODE == apply ]]; then
				[[ "$now" == "$want" && "$done_" == 0 ]] || {
					ok=0
					echo "gotch-patch: $name: $file has $now $kind site(s) to fix and $done_ already fixed; expected $want and 0" >&2
				}
			else
				[[ "$now" == 0 && "$done_" == "$want" ]] || {
					ok=0
					echo "gotch-patch: $name: $file has $done_ fixed $kind site(s) and $now unfixed; expected $want and 0" >&2
				}
			fi
		done
		if [[ $MODE == apply ]]; then
			[[ $ok == 1 ]] || { rm -f "$DIR/$file.new"; die "$name does not apply to $DIR (gotch changed? review the script and its expected counts)"; }
			mv -f "$DIR/$file.new" "$DIR/$file"
		elif [[ $ok == 0 ]]; then
			failed+=("$name")
		fi
		;;
	*) die "unexpected file $name in scripts/gotch-patches (fixes are NNNN-name.patch or NNNN-name.awk)" ;;
	esac
	n=$((n + 1))
done

if [[ ${#failed[@]} -gt 0 ]]; then
	die "$DIR lacks $(printf '%s ' "${failed[@]}")(rerun scripts/prepare-gotch.sh, FORCE=1 if it says up to date)"
fi
echo "gotch-patch: $MODE: all $n fixes in place in $DIR" >&2
