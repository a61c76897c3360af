#!/usr/bin/python3
"""Elongated images with known faces, for measuring face detection on strips and video frames.

    /usr/bin/python3 scripts/realdata/strips.py make [--realdata .realdata]
    occlude --kind mask .realdata/sets/strips/img OUT -q [--landmarker dlib]
    /usr/bin/python3 scripts/realdata/strips.py score OUT [--realdata .realdata] [-v]

`make` reads dlib's example group photographs and their human face boxes
(REALDATA/examples/faces, training.xml and testing.xml; boxes marked ignore are left out) and
writes to REALDATA/sets/strips/:

    img/p_<photo>.jpg    each photograph as it is
    img/s3_<i>.jpg       3 photographs side by side, each scaled to 400 px high
    img/s2_<i>.jpg       2 photographs side by side, each scaled to 300 px high
    img/f<i>.jpg         1920x1080 frames: two s3 strips scaled to 1920 px wide, stacked, cut
                         at 1080 (faces cut off are left out)
    truth.json           image -> face boxes [x0, y0, x1, y1] in its pixels

`score` counts, over OUT/manifest.jsonl, the annotated faces occlude found (a face box whose
centre lies within half the annotated side horizontally and 0.6 of it vertically, with a side
0.5-3.5 times the annotated one; each box matches one face) and the boxes that match none.
"""

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET


def boxes(root):
    out = {}
    for name in ("training.xml", "testing.xml"):
        for im in ET.parse(os.path.join(root, name)).getroot().iter("image"):
            bs = []
            for b in im.iter("box"):
                if b.get("ignore") == "1":
                    continue
                l, t, w, h = (int(b.get(k)) for k in ("left", "top", "width", "height"))
                bs.append([l, t, l + w, t + h])
            out[im.get("file")] = bs
    return out


def make(realdata):
    import cv2
    import numpy as np

    src = os.path.join(realdata, "examples", "faces")
    dst = os.path.join(realdata, "sets", "strips")
    os.makedirs(os.path.join(dst, "img"), exist_ok=True)
    known = boxes(src)
    names = sorted(k for k in known if os.path.exists(os.path.join(src, k)))
    truth, images = {}, {}

    def write(name, img, bs):
        cv2.imwrite(os.path.join(dst, "img", name), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
        truth[name], images[name] = bs, img

    def strip(name, files, height):
        parts, bs, x = [], [], 0
        for f in files:
            im = cv2.imread(os.path.join(src, f))
            s = height / im.shape[0]
            im = cv2.resize(im, (round(im.shape[1] * s), height), interpolation=cv2.INTER_AREA)
            bs += [[b[0] * s + x, b[1] * s, b[2] * s + x, b[3] * s] for b in known[f]]
            x += im.shape[1]
            parts.append(im)
        write(name, np.hstack(parts), bs)

    for n in names:
        write("p_" + n, cv2.imread(os.path.join(src, n)), known[n])
    for i in range(0, len(names), 3):
        strip("s3_%d.jpg" % i, names[i : i + 3], 400)
    for i in range(0, len(names), 2):
        strip("s2_%d.jpg" % i, names[i : i + 2], 300)
    s3 = sorted(k for k in truth if k.startswith("s3_"))
    for i in range(len(s3)):
        rows, bs, y = [], [], 0
        for n in (s3[i], s3[(i + 1) % len(s3)]):
            im = images[n]
            s = 1920 / im.shape[1]
            im = cv2.resize(im, (1920, round(im.shape[0] * s)), interpolation=cv2.INTER_AREA)
            bs += [[b[0] * s, b[1] * s + y, b[2] * s, b[3] * s + y] for b in truth[n]]
            y += im.shape[0]
            rows.append(im)
        frame = np.zeros((1080, 1920, 3), np.uint8)
        stacked = np.vstack(rows)[:1080]
        frame[: stacked.shape[0]] = stacked
        write("f%d.jpg" % i, frame, [b for b in bs if b[3] <= 1080])
    with open(os.path.join(dst, "truth.json"), "w") as f:
        json.dump(truth, f)
    for k in sorted(truth):
        print("%s %dx%d %d faces" % (k, images[k].shape[1], images[k].shape[0], len(truth[k])))


def score(realdata, out, verbose):
    with open(os.path.join(realdata, "sets", "strips", "truth.json")) as f:
        truth = json.load(f)
    groups = {}
    with open(os.path.join(out, "manifest.jsonl")) as f:
        for line in f:
            rec = json.loads(line)
            det = [fc["box"] for fc in rec.get("faces") or []]
            used, found = set(), 0
            for b in truth[rec["in"]]:
                cx, cy, s = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0]
                for i, q in enumerate(det):
                    qx, qy, qs = (q[0] + q[2]) / 2, (q[1] + q[3]) / 2, q[2] - q[0]
                    if i not in used and abs(qx - cx) < 0.5 * s and abs(qy - cy) < 0.6 * s and 0.5 * s < qs < 3.5 * s:
                        used.add(i)
                        found += 1
                        break
            g = groups.setdefault(rec["in"].split("_")[0][0], [0, 0, 0])
            g[0] += len(truth[rec["in"]])
            g[1] += found
            g[2] += len(det) - len(used)
            if verbose:
                print("%s: %d faces, %d found, %d other boxes" % (rec["in"], len(truth[rec["in"]]), found, len(det) - len(used)))
    for k, name in (("p", "photographs"), ("s", "strips"), ("f", "1080p frames")):
        if k in groups:
            print("%s: %d faces, %d found, %d other boxes" % (name, *groups[k]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["make", "score"])
    ap.add_argument("out", nargs="?", help="score: an occlude output folder")
    ap.add_argument("--realdata", default=".realdata")
    ap.add_argument("-v", action="store_true", help="score: one line per image")
    args = ap.parse_args()
    if args.what == "make":
        make(args.realdata)
    elif not args.out:
        ap.error("score needs OUT")
    else:
        score(args.realdata, args.out, args.v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
