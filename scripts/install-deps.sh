#!/usr/bin/env bash
# Installs the Debian 12 packages occfer builds and tests against, when any is missing.
# Idempotent: with everything present it only checks and exits. Needs root (or sudo) to install.
set -euo pipefail

packages=(
  pkg-config g++ binutils xz-utils
  libopencv-dev                          # OpenCV 4.6, for gocv v0.31.0
  libdlib-dev libatlas-base-dev          # dlib HOG detector + shape predictor (cblas from ATLAS)
  libdlib-data                           # /usr/share/dlib/shape_predictor_68_face_landmarks.dat
  opencv-data                            # haarcascade_profileface.xml: occlude's second face detector
  libtorch-dev                           # libtorch 1.13.1 (CPU) for gotch
  python3-torch python3-torchvision      # cross-framework tests and the PyTorch reference benchmarks
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all Debian packages present"
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
