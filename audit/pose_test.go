package audit

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/landmarks"
)

// headShape projects a 3D face (x right, y down, z toward the camera; eyes at x = +-32,
// mouth corners at x = +-25, y = 55, the nose tip at y = 38 and noseDepthRatio in front of
// the eye plane) turned by yaw and pitch (degrees), orthographically, then rolled in the
// image by roll degrees about the origin and moved to (200, 150). Only the points
// EstimateYaw reads matter; the rest stay at the eye midpoint.
func headShape(yaw, pitch, roll float64) landmarks.Shape {
	const w = 64.0
	d := w / noseDepthRatio
	type p3 struct{ x, y, z float64 }
	var pts [68]p3
	for i := range pts {
		pts[i] = p3{0, 0, 0}
	}
	eye := func(first int, cx float64) {
		for k := 0; k < 6; k++ { // a hexagon about (cx, 0): its centre is the eye centre
			a := float64(k) * math.Pi / 3
			pts[first+k] = p3{cx + 12*math.Cos(a), 5 * math.Sin(a), 0}
		}
	}
	eye(36, -w/2)
	eye(42, w/2)
	pts[48], pts[54] = p3{-25, 55, 0}, p3{25, 55, 0}
	pts[30] = p3{0, 38, d}
	sy, cy := math.Sincos(yaw * math.Pi / 180)
	sp, cp := math.Sincos(pitch * math.Pi / 180)
	sr, cr := math.Sincos(roll * math.Pi / 180)
	var s landmarks.Shape
	for i, q := range pts {
		y1, z1 := q.y*cp-q.z*sp, q.y*sp+q.z*cp // pitch about x
		x2 := q.x*cy + z1*sy                   // yaw about y: +z (toward the camera) moves right
		s[i] = landmarks.Point{X: 200 + x2*cr - y1*sr, Y: 150 + x2*sr + y1*cr}
	}
	return s
}

func TestEstimateYaw(t *testing.T) {
	for _, c := range []struct{ yaw, pitch, roll, tol float64 }{
		{0, 0, 0, 1e-9}, {20, 0, 0, 1e-9}, {-35, 0, 0, 1e-9}, {50, 0, 25, 1e-9}, {-70, 0, -30, 1e-9},
		// pitch tilts the projected midline; the estimate stays within a few degrees
		{30, 15, 0, 3}, {-45, -15, 10, 3},
	} {
		s := headShape(c.yaw, c.pitch, c.roll)
		if got := EstimateYaw(&s); math.Abs(got-c.yaw) > c.tol {
			t.Errorf("yaw %v pitch %v roll %v: EstimateYaw = %.4f", c.yaw, c.pitch, c.roll, got)
		}
	}
	// The sign agrees with landmarks.Shape.Yaw on a face turned toward the image right.
	s := headShape(30, 0, 0)
	if s[30].X <= 200 || EstimateYaw(&s) <= 0 {
		t.Errorf("turned right: nose x %.1f, yaw %.1f; want nose right of centre and yaw > 0", s[30].X, EstimateYaw(&s))
	}
}

func TestBandOf(t *testing.T) {
	for yaw, want := range map[float64]string{0: "0-15", -14.99: "0-15", 15: "15-30", -29.9: "15-30",
		30: "30-45", 44.99: "30-45", -45: "45-60", 59.9: "45-60", 60: "60-90", -90: "60-90", 120: "60-90", math.NaN(): BandUnknown} {
		if got := BandOf(yaw); got != want {
			t.Errorf("BandOf(%v) = %q, want %q", yaw, got, want)
		}
	}
}

func TestLoadPoseFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "pose.jsonl")
	os.WriteFile(good, []byte(`{"path":"a/b.jpg","yaw":-31.5,"pitch":2,"roll":-4}`+"\n\n"+`{"path":"c.jpg","yaw":10}`+"\n"), 0o644)
	p, err := LoadPoseFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 2 || p["a/b.jpg"].Yaw != -31.5 || *p["a/b.jpg"].Roll != -4 || p["c.jpg"].Yaw != 10 || p["c.jpg"].Pitch != nil {
		t.Errorf("LoadPoseFile = %+v", p)
	}
	for _, c := range []struct{ name, data, want string }{
		{"no yaw", `{"path":"a.jpg","pitch":3}`, "line 1: missing \"yaw\""},
		{"no path", "\n" + `{"yaw":3}`, "line 2: missing \"path\""},
		{"duplicate", `{"path":"a.jpg","yaw":1}` + "\n" + `{"path":"./a.jpg","yaw":2}`, "line 2: duplicate path \"a.jpg\" (first on line 1)"},
		{"escape", `{"path":"../a.jpg","yaw":1}`, "leaves the dataset root"},
		{"not json", `yaw=3`, "line 1:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := filepath.Join(dir, c.name+".jsonl")
			os.WriteFile(f, []byte(c.data), 0o644)
			_, err := LoadPoseFile(f)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), f) {
				t.Errorf("error %v; want one naming %s and %q", err, f, c.want)
			}
		})
	}
}
