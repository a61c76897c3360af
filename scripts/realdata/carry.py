#!/usr/bin/python3
"""Carry a landmarks file through the transforms of an `occlude align` run.

    /usr/bin/python3 scripts/realdata/carry.py ALIGNED_OUT/manifest.jsonl IN.jsonl OUT.jsonl

Each face of IN.jsonl (paths relative to the align run's input) is mapped by the transform the
align manifest recorded for that image (faces[0].transform, 3x3 row-major, input pixels to crop
pixels); images the align run did not write are left out. Used to give the aligned crops a
second landmarks file in another convention than the one they were aligned with.
"""
import json
import os
import sys


def main(manifest, src, dst):
    tr = {}
    with open(manifest) as f:
        for line in f:
            r = json.loads(line)
            if r.get("action") == "written" and r.get("faces"):
                tr[r["in"]] = (r["out"], r["faces"][0]["transform"])
    out = []
    with open(src) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r["path"] not in tr:
                continue
            rel, m = tr[r["path"]]
            pts = [[round(m[0] * x + m[1] * y + m[2], 3), round(m[3] * x + m[4] * y + m[5], 3)] for x, y in r["landmarks"]]
            out.append(json.dumps({"path": rel, "landmarks": pts}) + "\n")
    tmp = dst + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(sorted(out))
    os.replace(tmp, dst)
    print("carry: %d of the faces of %s into %s" % (len(out), src, dst))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
