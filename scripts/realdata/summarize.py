#!/usr/bin/python3
"""Summarize `occlude audit --json` reports into one markdown table.

    /usr/bin/python3 scripts/realdata/summarize.py M/*.audit.json

The file names are SET-VIEW-SOURCE-KIND.audit.json or .audit-human.json (measure.sh). One row per set, view, landmark
source and kind; per yaw band the pass rate and the number of faces, "pass% (n)"; then the share
of faces found (occluded where the annotated face is) over the bands up to 60 deg.
"""
import json
import os
import sys

BANDS = ["0-15", "15-30", "30-45", "45-60", "60-90"]


def main(paths):
    print("| set | view | landmarks | kind | " + " | ".join(BANDS) + " | all | found <= 60 |")
    print("|---|---|---|---|" + "---|" * (len(BANDS) + 2))
    for p in sorted(paths):
        name = os.path.basename(p).rsplit(".audit", 1)[0]
        set_, view, rest = name.split("-", 2)
        src, kind = rest.rsplit("-", 1)  # the source may hold a dash (own-dlib)
        with open(p) as f:
            rep = json.load(f)
        by = {b["band"]: b for b in rep["bands"]}
        cells = []
        for b in BANDS + ["all"]:
            s = by.get(b)
            if not s or s["faces"] == 0:
                cells.append("-")
            else:
                cells.append("%.0f%% (%d)" % (100 * s["pass_rate"], s["faces"]))
        faces = sum(by[b]["faces"] for b in BANDS[:4] if b in by)
        found = sum(by[b]["found"] for b in BANDS[:4] if b in by)
        fcell = "%.0f%% (%d/%d)" % (100 * found / faces, found, faces) if faces else "-"
        print("| %s | %s | %s | %s | %s | %s |" % (set_, view, src, kind, " | ".join(cells), fcell))


if __name__ == "__main__":
    main(sys.argv[1:])
