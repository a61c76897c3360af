package audit

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/landmarks"
)

// boxShape is a hand-built 68-point shape whose regions are rectangles on pixel edges, so
// every area the audit computes is a whole number of pixels:
//   - hull: the square [10.5, 110.5]^2 (corners on points 0, 4, 12 and 16), so FaceRegion is
//     [5.5, 115.5]^2: pixels 6..115 in both directions;
//   - outer lip 48-59: [44.5, 76.5] x [80.5, 88.5], pixels x 45..76, y 81..88 (32 x 8 = 256);
//   - right eye 36-41: [30.5, 42.5] x [38.5, 42.5] (pixels 31..42 x 39..42, 48 px), left eye
//     42-47: [78.5, 90.5] x [38.5, 42.5] (pixels 79..90 x 39..42, 48 px);
//   - nose 30-35 on pixel centres (60,60) (54,66) (57,67) (60,68) (63,67) (66,66).
//
// Every other point lies inside the hull.
func boxShape() landmarks.Shape {
	var s landmarks.Shape
	for i := range s {
		s[i] = landmarks.Point{X: 60, Y: 60} // inner points, overwritten below where it matters
	}
	for i := 0; i <= 16; i++ { // jaw: down the left side, along the bottom, up the right side
		switch {
		case i <= 4:
			s[i] = landmarks.Point{X: 10.5, Y: 10.5 + 25*float64(i)}
		case i <= 12:
			s[i] = landmarks.Point{X: 10.5 + 12.5*float64(i-4), Y: 110.5}
		default:
			s[i] = landmarks.Point{X: 110.5, Y: 110.5 - 25*float64(i-12)}
		}
	}
	for i := 17; i <= 26; i++ {
		s[i] = landmarks.Point{X: 25 + 7*float64(i-17), Y: 30}
	}
	rect6 := func(first int, x0, y0, x1, y1 float64) {
		ym := (y0 + y1) / 2
		pts := []landmarks.Point{{X: x0, Y: ym}, {X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: ym}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		copy(s[first:first+6], pts)
	}
	rect6(36, 30.5, 38.5, 42.5, 42.5)
	rect6(42, 78.5, 38.5, 90.5, 42.5)
	nose := []landmarks.Point{{X: 60, Y: 60}, {X: 54, Y: 66}, {X: 57, Y: 67}, {X: 60, Y: 68}, {X: 63, Y: 67}, {X: 66, Y: 66}}
	copy(s[30:36], nose)
	lip := []landmarks.Point{
		{X: 44.5, Y: 84.5}, // 48, left corner
		{X: 44.5, Y: 80.5}, {X: 52.5, Y: 80.5}, {X: 60.5, Y: 80.5}, {X: 68.5, Y: 80.5}, {X: 76.5, Y: 80.5},
		{X: 76.5, Y: 84.5}, // 54, right corner
		{X: 76.5, Y: 88.5}, {X: 68.5, Y: 88.5}, {X: 60.5, Y: 88.5}, {X: 52.5, Y: 88.5}, {X: 44.5, Y: 88.5},
	}
	copy(s[48:60], lip)
	for i := 60; i <= 67; i++ {
		s[i] = landmarks.Point{X: 50 + 3*float64(i-60), Y: 84.5}
	}
	return s
}

// fillRect occludes pixels x0..x1-1, y0..y1-1.
func fillRect(m *Mask, x0, y0, x1, y1 int) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			m.Set(x, y, true)
		}
	}
}

// outTree writes an occlude output folder: settings of kind, the manifest lines (records,
// encoded as occlude does) and the masks (by the record's mask path).
type outTree struct {
	t    *testing.T
	dir  string
	recs []map[string]any
}

func newOutTree(t *testing.T, kind string) *outTree {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".occfer", "occlude.json"), []byte(`{"version":2,"kind":"`+kind+`"}`+"\n"))
	return &outTree{t: t, dir: dir}
}

// add records an image; with a mask it is occluded (status from-file, face s) and the mask
// and a grey output image are written.
func (o *outTree) add(rel, status string, w, h int, face *landmarks.Shape, m *Mask) {
	o.t.Helper()
	rec := map[string]any{"in": rel, "status": status, "action": "skipped", "width": w, "height": h, "seed": 1}
	if face != nil {
		var lm [68][2]float64
		for i, p := range face {
			lm[i] = [2]float64{p.X, p.Y}
		}
		b := face.Box()
		rec["faces"] = []map[string]any{{"source": status, "box": [4]int{b.Min.X, b.Min.Y, b.Max.X, b.Max.Y}, "landmarks": lm}}
	}
	if m != nil {
		rec["out"], rec["action"], rec["mask"] = rel, "written", "occlusion_masks/"+rel+".png"
		g := image.NewGray(image.Rect(0, 0, m.W, m.H))
		copy(g.Pix, m.Pix)
		writePNG(o.t, filepath.Join(o.dir, "occlusion_masks", rel+".png"), g)
		out := image.NewGray(image.Rect(0, 0, w, h))
		for i := range out.Pix {
			out.Pix[i] = 200
		}
		writePNG(o.t, filepath.Join(o.dir, rel), out)
	}
	if status == "error" {
		rec["error"] = rel + ": face 0: something failed"
	}
	o.recs = append(o.recs, rec)
}

func (o *outTree) write() string {
	o.t.Helper()
	var buf bytes.Buffer
	for _, r := range o.recs {
		b, err := json.Marshal(r)
		if err != nil {
			o.t.Fatal(err)
		}
		buf.Write(append(b, '\n'))
	}
	writeFile(o.t, filepath.Join(o.dir, "manifest.jsonl"), buf.Bytes())
	return o.dir
}

func writePNG(t *testing.T, p string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	writeFile(t, p, buf.Bytes())
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// landmarksJSONL renders shapes as a landmarks file (the generic JSON-lines format).
func landmarksJSONL(t *testing.T, dir string, shapes map[string]landmarks.Shape) string {
	t.Helper()
	var b []byte
	for rel, s := range shapes {
		b = landmarks.AppendJSONL(b, rel, s)
	}
	p := filepath.Join(dir, "landmarks68.jsonl")
	writeFile(t, p, b)
	return p
}
