package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/landmarks/face68"
)

// Pose is a head pose in degrees. Yaw is positive when the face is turned toward the image
// right (the subject's left: the nose tip moves right of the eye-mouth midline), the
// convention of face68.Shape.Yaw; pitch and roll are carried, not used for banding.
type Pose struct {
	Yaw   float64  `json:"yaw"`
	Pitch *float64 `json:"pitch,omitempty"`
	Roll  *float64 `json:"roll,omitempty"`
}

// Bands are the yaw bands results are grouped by, on |yaw| in degrees: [0,15), [15,30),
// [30,45), [45,60), [60,90] (beyond 90 counts as 60-90).
var Bands = []string{"0-15", "15-30", "30-45", "45-60", "60-90"}

// BandUnknown holds faces whose yaw is unknown (an image that failed before any landmarks
// were known, with no pose file entry and no ground truth).
const BandUnknown = "unknown"

// BandOf is the band of a yaw in degrees (either sign).
func BandOf(yaw float64) string {
	a := math.Abs(yaw)
	switch {
	case math.IsNaN(a):
		return BandUnknown
	case a < 15:
		return Bands[0]
	case a < 30:
		return Bands[1]
	case a < 45:
		return Bands[2]
	case a < 60:
		return Bands[3]
	}
	return Bands[4]
}

// noseDepthRatio is the eye-centre distance divided by the depth of the nose tip (point 30)
// in front of the line through the eye midpoint and the mouth-corner midpoint. It was fitted
// on AFLW2000-3D (Zhu et al. 2016): its 68 3D landmarks (pt3d_68, x and y) against its fitted
// yaw (Pose_Para), over the 1964 faces whose angles lie within +-90 deg; 1.7 leaves no bias
// (median signed error under 0.7 deg in every band) and a median absolute error of 1.6, 2.5,
// 2.6, 3.2 and 2.6 deg in the bands 0-15 ... 60-90, with 87% of the faces in the same band
// (scripts/realdata/README.md). It is about 63 mm of pupil distance over 37 mm of depth.
const noseDepthRatio = 1.7

// EstimateYaw estimates the yaw in degrees (sign as Pose.Yaw) from landmarks that every
// 68-point annotation convention agrees on (eyes 36-47, nose tip 30, mouth corners 48 and
// 54; never the jaw contour, which hidden-contour and visible-contour annotations place
// differently). Under weak perspective the eye midpoint and the mouth-corner midpoint
// project onto the image of the face's symmetry plane, so the line through them is the
// projected midline; the nose tip, on that plane but in front of it, moves off the line by
// depth*sin(yaw) while the eye-centre distance shrinks to width*cos(yaw):
// yaw = atan(offset/eyeDistance * noseDepthRatio). It is meant for grouping faces into
// 15-degree bands, not for measuring pose.
func EstimateYaw(s *face68.Shape) float64 {
	re, le := s.RightEye(), s.LeftEye()
	em := face68.Point{X: (re.X + le.X) / 2, Y: (re.Y + le.Y) / 2}
	mc, mr := s[face68.MouthLeftCorner], s[face68.MouthRightCorner]
	mm := face68.Point{X: (mc.X + mr.X) / 2, Y: (mc.Y + mr.Y) / 2}
	ux, uy := mm.X-em.X, mm.Y-em.Y // down the midline
	n := math.Hypot(ux, uy)
	w := math.Hypot(le.X-re.X, le.Y-re.Y)
	if n == 0 || w == 0 {
		return math.NaN()
	}
	vx, vy := uy/n, -ux/n // perpendicular, toward image right for an upright face
	nose := s[face68.NoseTip]
	off := (nose.X-em.X)*vx + (nose.Y-em.Y)*vy
	return math.Atan2(off*noseDepthRatio, w) * 180 / math.Pi
}

// LoadPoseFile reads a pose file: JSON lines {"path":"<rel>","yaw":Y,"pitch":P,"roll":R},
// angles in degrees with yaw signed as Pose.Yaw (pitch and roll optional), paths relative
// to the dataset root as in the manifest's "in". A bad line fails the whole file with an
// error naming the file, the line and the reason.
func LoadPoseFile(file string) (map[string]Pose, error) {
	data, err := limits.ReadFile(file, limits.LabelFile, "pose file")
	if err != nil {
		return nil, fmt.Errorf("pose file: %w", err)
	}
	out := map[string]Pose{}
	first := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var rec struct {
			Path *string  `json:"path"`
			Yaw  *float64 `json:"yaw"`
			Pose
		}
		if err := json.Unmarshal(text, &rec); err != nil {
			return nil, fmt.Errorf("pose file %s: line %d: %w", file, line, err)
		}
		if rec.Path == nil || *rec.Path == "" {
			return nil, fmt.Errorf("pose file %s: line %d: missing \"path\"", file, line)
		}
		if rec.Yaw == nil {
			return nil, fmt.Errorf("pose file %s: line %d: missing \"yaw\"", file, line)
		}
		rel := path.Clean(*rec.Path)
		if strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "/") {
			return nil, fmt.Errorf("pose file %s: line %d: path %q leaves the dataset root", file, line, *rec.Path)
		}
		if prev, ok := first[rel]; ok {
			return nil, fmt.Errorf("pose file %s: line %d: duplicate path %q (first on line %d)", file, line, rel, prev)
		}
		first[rel] = line
		rec.Pose.Yaw = *rec.Yaw
		out[rel] = rec.Pose
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("pose file %s: %w", file, err)
	}
	return out, nil
}
