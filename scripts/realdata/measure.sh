#!/usr/bin/env bash
# The real-data measurement of occlude's masks and sunglasses (issue 8): every set of
# .realdata/sets (made by prepare.py), as originals and as aligned crops (occlude align), with
# landmarks from a hidden-contour file, a visible-contour file and occlude's own detection,
# occluded with --write-masks and audited against the annotated landmarks by yaw band.
#
#   scripts/realdata/measure.sh [REALDATA] [BIN]      (defaults: .realdata, bin)
#
# PREPARE=0 reuses the sets (and aligned crops) of an earlier run instead of remaking them;
# SOURCES limits the landmark sources, e.g. SOURCES=own for occlude's own landmarks only
# (own: the default landmarker, MediaPipe's; own-dlib: --landmarker dlib; human: AFLW2000-3D's
# human re-annotation as the landmarks file, where prepare.py found it). Every AFLW2000-3D run
# is scored against its fitted annotation (*.audit.json) and, where fetched, its human
# re-annotation too (*.audit-human.json).
#
# Needs bin/occlude (make build, or go build -o bin/occlude ./cmd/occlude), Debian's python3
# with python3-scipy, and the data of scripts/realdata/README.md. Writes only under
# REALDATA/sets (the sets, their aligned crops) and REALDATA/measure (runs, audits, table.md).
# Every run is deterministic (--seed 1); rerunning redoes it from scratch.
set -euo pipefail
R=${1:-.realdata}
BIN=${2:-bin}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
S=$R/sets
M=$R/measure
OCC=$BIN/occlude

SOURCES=${SOURCES:-hidden visible own own-dlib human}

if [ "${PREPARE:-1}" != 0 ]; then
"$PY" "$HERE/prepare.py" --realdata "$R"
# AFLW2000-3D's second landmarks file: dlib's own predictions (visible contour).
go run "$HERE/predict68" -root "$S/aflw/orig" -landmarks "$S/aflw/truth.jsonl" -o "$S/aflw/visible.jsonl"

# Aligned crops, aligned with the annotation; the annotation and the other landmarks file are
# carried into crop coordinates. The crops' landmarks68.jsonl is moved out of the tree so that
# occlude's own-landmarks runs on it detect instead of reading it.
for set in aflw vis dlibex; do
  rm -rf "$S/$set/aligned"
  "$OCC" align -q "$S/$set/orig" "$S/$set/aligned" --landmarks "$S/$set/truth.jsonl"
  mv "$S/$set/aligned/landmarks68.jsonl" "$S/$set/aligned_truth.jsonl"
  for second in visible reannotated; do
    if [ -f "$S/$set/$second.jsonl" ]; then
      "$PY" "$HERE/carry.py" "$S/$set/aligned/manifest.jsonl" "$S/$set/$second.jsonl" "$S/$set/aligned_$second.jsonl"
    fi
  done
  rm "$S/$set/aligned/manifest.jsonl"
  rm -rf "$S/$set/aligned/.occfer"
done
fi

rm -rf "$M"
mkdir -p "$M"
for set in aflw vis dlibex; do
  pose=()
  [ -f "$S/$set/pose.jsonl" ] && pose=(--pose "$S/$set/pose.jsonl")
  for view in orig aligned; do
    if [ "$view" = orig ]; then
      in=$S/$set/orig truth=$S/$set/truth.jsonl visible=$S/$set/visible.jsonl rean=$S/$set/reannotated.jsonl aligned=()
    else
      in=$S/$set/aligned truth=$S/$set/aligned_truth.jsonl visible=$S/$set/aligned_visible.jsonl rean=$S/$set/aligned_reannotated.jsonl aligned=(--aligned)
    fi
    # Landmark sources: the hidden-contour annotation (AFLW2000-3D only), a visible-contour
    # file (dlib's predictions for AFLW2000-3D, the annotation itself for the others), and
    # occlude's own detection (--faces largest: the sets have one annotated face per image).
    if [ "$set" = aflw ]; then
      sources=("hidden:$truth" "visible:$visible" "own:" "own-dlib:")
      [ -f "$rean" ] && sources+=("human:$rean")
    else
      sources=("visible:$truth" "own:" "own-dlib:")
    fi
    for src in "${sources[@]}"; do
      name=${src%%:*} file=${src#*:}
      [[ " $SOURCES " == *" $name "* ]] || continue
      lm=()
      [ -n "$file" ] && lm=(--landmarks "$file")
      [ "$name" = own-dlib ] && lm=(--landmarker dlib)
      for kind in mask sunglasses; do
        out=$M/$set-$view-$name-$kind
        "$OCC" --kind "$kind" "$in" "$out" --write-masks --faces largest --seed 1 -q "${aligned[@]}" "${lm[@]}"
        "$OCC" audit "$out" --landmarks "$truth" "${pose[@]}" --json > "$out.audit.json"
        "$OCC" audit "$out" --landmarks "$truth" "${pose[@]}" --sheet 24 -o "$out.worst.png" --in "$in" > "$out.audit.txt"
        # AFLW2000-3D again, scored against the human re-annotation where it was fetched
        if [ "$set" = aflw ] && [ -f "$rean" ]; then
          "$OCC" audit "$out" --landmarks "$rean" "${pose[@]}" --json > "$out.audit-human.json"
          "$OCC" audit "$out" --landmarks "$rean" "${pose[@]}" --sheet 24 -o "$out.worst-human.png" --in "$in" > "$out.audit-human.txt"
        fi
      done
    done
  done
done
{
  echo "Scored against each set's annotation (AFLW2000-3D: its fitted pt3d_68):"
  echo
  "$PY" "$HERE/summarize.py" "$M"/*.audit.json
  if compgen -G "$M/*.audit-human.json" > /dev/null; then
    echo
    echo "AFLW2000-3D scored against its human re-annotation (Bulat and Tzimiropoulos 2017):"
    echo
    "$PY" "$HERE/summarize.py" "$M"/*.audit-human.json
  fi
} > "$M/table.md"
cat "$M/table.md"
