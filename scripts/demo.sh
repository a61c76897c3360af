#!/usr/bin/env bash
# The demo behind `make demo`: the whole product on data made here, since RAF-DB cannot ship.
#  1. configs/demo-fixture.json: a RAF-DB-shaped tree of re-shots of the astronaut portrait
#     (crops, roll, mirror, lighting; original + aligned images) through the real dlib detection
#     path, occluded three ways (FM, SG, random), with a contact sheet.
#  2. configs/demo-synth.json: the generated 7-class expression set (landmarks-from-file path),
#     occluded three ways, FFRA-Net trained a few epochs on CPU, evaluated on the clean and the
#     three occluded test sets; then a tiny protocol (ResNet-18 and FFRA-Net on FM, an FFRA-Net λ
#     sweep on FM, seeds 1 and 2, 1 epoch each) written as demo/synth/tables.md, tables.json
#     and lambda.png (docs/protocol.md).
set -euo pipefail
BIN=${1:-bin}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
"$BIN/occfer" run configs/demo-fixture.json
echo
"$BIN/occfer" run configs/demo-synth.json
echo
echo "demo: contact sheets demo/fixture/contact_sheet.png and demo/synth/contact_sheet.png,"
echo "      manifests demo/*/*_rafdb/manifest.jsonl, training run demo/synth/run/ (curves.png, confusion_*.png),"
echo "      protocol demo/synth/tables.md, tables.json, lambda.png, runs in demo/synth/runs/"
