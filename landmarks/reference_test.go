package landmarks

import (
	"encoding/json"
	"image"
	"os"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// Reference data produced by dlib on the astronaut fixture. `go test ./landmarks -run
// TestReference -update` rewrites it from the current dlib; then `go test
// ./landmarks/face68 -run TestReferenceShape -update` rederives face68's reference shape
// (FitFrom5) from it. Without -update the test checks the stored data against dlib.
const astronautRefPath = "../testdata/landmarks/astronaut.json"

type astronautRef struct {
	Box       [4]int       `json:"box"` // half-open x0, y0, x1, y1
	Landmarks [][2]float64 `json:"landmarks"`
}

func loadAstronautRef(t *testing.T) (image.Rectangle, face68.Shape) {
	t.Helper()
	data, err := os.ReadFile(astronautRefPath)
	if err != nil {
		t.Fatal(err)
	}
	var r astronautRef
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", astronautRefPath, err)
	}
	if len(r.Landmarks) != 68 {
		t.Fatalf("%s: %d landmarks", astronautRefPath, len(r.Landmarks))
	}
	var s face68.Shape
	for i, p := range r.Landmarks {
		s[i] = face68.Point{X: p[0], Y: p[1]}
	}
	return image.Rect(r.Box[0], r.Box[1], r.Box[2], r.Box[3]), s
}

func writeReference(t *testing.T, f Face) {
	r := astronautRef{Box: [4]int{f.Box.Min.X, f.Box.Min.Y, f.Box.Max.X, f.Box.Max.Y}}
	for _, p := range f.Points {
		r.Landmarks = append(r.Landmarks, [2]float64{p.X, p.Y})
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(astronautRefPath, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s; now run go test ./landmarks/face68 -run TestReferenceShape -update", astronautRefPath)
}

// TestReference checks that dlib still gives the stored astronaut landmarks.
func TestReference(t *testing.T) {
	_, f := astronautFace(t)
	if *update {
		writeReference(t, f)
		return
	}
	box, want := loadAstronautRef(t)
	if f.Box != box {
		t.Errorf("box %v, stored %v", f.Box, box)
	}
	for i := range want {
		if face68.Distance(f.Points[i], want[i]) > 0.01 {
			t.Errorf("landmark %d at %v, stored %v", i, f.Points[i], want[i])
		}
	}
}
