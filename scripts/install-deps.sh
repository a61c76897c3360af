#!/usr/bin/env bash
# Installs the Debian 12 packages occfer builds and tests against, when any is missing.
#   scripts/install-deps.sh [all]    everything (make deps)
#   scripts/install-deps.sh occlude  only what occlude needs: OpenCV and dlib, no libtorch (make deps-occlude)
# Idempotent: with everything present it only checks and exits. Needs root (or sudo) to install.
set -euo pipefail

occlude=(
  pkg-config g++
  libopencv-dev                          # OpenCV 4.6, for gocv v0.31.0
  libdlib-dev libatlas-base-dev          # dlib HOG detector + shape predictor (cblas from ATLAS)
  libdlib-data                           # /usr/share/dlib/shape_predictor_68_face_landmarks.dat
  opencv-data                            # haarcascade_profileface.xml: occlude's second face detector
)
# npm fetches the MediaPipe models (scripts/install-models.sh); Debian's npm brings nodejs. Only
# when no npm is on PATH: one installed elsewhere (e.g. /usr/local) stays the one used.
command -v npm >/dev/null || occlude+=(npm)
torch=(
  binutils patch                         # nm and patch for scripts/prepare-gotch.sh
  xz-utils                               # scripts/device-carry.sh
  libtorch-dev                           # libtorch 1.13.1 (CPU) for gotch
  python3-torch python3-torchvision      # cross-framework tests and the PyTorch reference benchmarks
)
case "${1:-all}" in
  all) packages=("${occlude[@]}" "${torch[@]}") ;;
  occlude) packages=("${occlude[@]}") ;;
  *) echo "usage: $0 [all|occlude]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all Debian packages present (${1:-all})"
  exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
