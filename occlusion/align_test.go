package occlusion

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

// pose is a similarity from the continuous coordinates of a 100x100 aligned crop to those of
// a raw photo: rotate by deg about the crop's eye-mouth centre, scale by k, put that centre
// at (cx, cy).
type pose struct{ deg, k, cx, cy float64 }

func (p pose) apply(q face68.Point) face68.Point {
	s, c := math.Sincos(p.deg * math.Pi / 180)
	x, y := q.X-50, q.Y-55
	return face68.Point{X: p.cx + p.k*(c*x-s*y), Y: p.cy + p.k*(s*x+c*y)}
}

// drawnFace is a raw photo of a face reduced to what alignment reads: two dark eye discs and
// a dark mouth disc on a light background, placed by p so that the eye-mouth triangle has
// exactly the template's shape; and its landmarks (eye outlines and outer lip as regular
// polygons about the disc centres; the rest at the face centre). Pixels are 4x4 supersampled.
func drawnFace(p pose, w, h int) (*image.Gray, face68.Shape) {
	var centres [3]face68.Point
	for i, t := range AlignTemplate {
		centres[i] = p.apply(t) // continuous coordinates
	}
	radius := [3]float64{4 * p.k, 4 * p.k, 6 * p.k}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			in := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					px, py := float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4
					for i, c := range centres {
						if math.Hypot(px-c.X, py-c.Y) < radius[i] {
							in++
							break
						}
					}
				}
			}
			img.Pix[y*img.Stride+x] = uint8(220 - 180*in/16)
		}
	}
	var s face68.Shape
	mid := face68.Point{X: (centres[0].X+centres[1].X+centres[2].X)/3 - 0.5, Y: (centres[0].Y+centres[1].Y+centres[2].Y)/3 - 0.5}
	for i := range s {
		s[i] = mid
	}
	ring := func(first, n int, c face68.Point, r float64) {
		for k := 0; k < n; k++ {
			a := 2 * math.Pi * float64(k) / float64(n)
			s[first+k] = face68.Point{X: c.X - 0.5 + r*math.Cos(a), Y: c.Y - 0.5 + r*math.Sin(a)}
		}
	}
	ring(36, 6, centres[0], radius[0])
	ring(42, 6, centres[1], radius[1])
	ring(48, 12, centres[2], radius[2])
	return img, s
}

// darkCentroid is the darkness-weighted centroid (pixel-centre coordinates) of the pixels of
// g within r of c, darkness measured below the background level 220.
func darkCentroid(g gocv.Mat, c face68.Point, r float64) face68.Point {
	var sx, sy, sw float64
	for y := int(c.Y - r); y <= int(c.Y+r)+1; y++ {
		for x := int(c.X - r); x <= int(c.X+r)+1; x++ {
			if x < 0 || y < 0 || x >= g.Cols() || y >= g.Rows() || math.Hypot(float64(x)-c.X, float64(y)-c.Y) > r {
				continue
			}
			w := math.Max(0, 220-float64(g.GetUCharAt(y, x)))
			sx, sy, sw = sx+w*float64(x), sy+w*float64(y), sw+w
		}
	}
	return face68.Point{X: sx / sw, Y: sy / sw}
}

func pngBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAlignDrawnFaces: on faces drawn with the template's eye-mouth triangle, in raw photos
// rotated, scaled up and down and shifted, the eye and mouth discs of the aligned crop (their
// centroids, measured on the pixels) land on the template within 0.5 px, for two crop sizes.
func TestAlignDrawnFaces(t *testing.T) {
	poses := []pose{{0, 1, 120, 110}, {25, 2.5, 260, 200}, {-40, 0.6, 90, 80}, {12, 3.6, 250, 210}, {-170, 1.3, 240, 180}}
	in := t.TempDir()
	var lm []byte
	for i, p := range poses {
		img, s := drawnFace(p, 480, 400)
		rel := fmt.Sprintf("face%d.png", i)
		writeFile(t, filepath.Join(in, rel), pngBytes(t, img))
		lm = face68.AppendJSONL(lm, rel, s, -1)
	}
	writeFile(t, filepath.Join(in, "landmarks68.jsonl"), lm)
	for _, size := range []int{100, 160} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cfg := baseConfig(in, out, KindAlign)
			cfg.AlignSize = size
			if _, err := Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			k := float64(size) / 100
			for i := range poses {
				crop, err := imageio.Decode(filepath.Join(out, fmt.Sprintf("face%d.png", i)))
				if err != nil {
					t.Fatal(err)
				}
				gray := gocv.NewMat()
				gocv.CvtColor(crop, &gray, gocv.ColorBGRToGray)
				if crop.Cols() != size || crop.Rows() != size {
					t.Errorf("face%d: crop %dx%d, want %dx%d", i, crop.Cols(), crop.Rows(), size, size)
				}
				for j, tp := range AlignTemplate {
					want := face68.Point{X: tp.X*k - 0.5, Y: tp.Y*k - 0.5}
					got := darkCentroid(gray, want, 8*k)
					if d := math.Hypot(got.X-want.X, got.Y-want.Y); d > 0.5 {
						t.Errorf("face%d (%+v), size %d: disc %d at (%.2f, %.2f), template (%.2f, %.2f): %.2f px off",
							i, poses[i], size, j, got.X, got.Y, want.X, want.Y, d)
					}
				}
				gray.Close()
				crop.Close()
			}
		})
	}
}

// TestAlignSynthFaces aligns synth faces (exact landmarks) from raw photos in which they are
// rotated, scaled and shifted: the crop does not depend on the raw pose (landmarks equal to
// 0.01 px, pixels close), the manifest's transform maps the input landmarks onto the crop's,
// OUT/landmarks68.jsonl carries them, and the fit is the least-squares one (no nearby
// similarity puts the eye centres and mouth centre closer to the template).
func TestAlignSynthFaces(t *testing.T) {
	in := t.TempDir()
	var lm []byte
	type face struct {
		rel  string
		orig face68.Shape
		raw  [3][3]float64 // synth image -> raw photo
	}
	var faces []face
	for i, p := range []pose{{0, 1, 99.5, 104.5}, {20, 1.6, 300, 240}, {-33, 0.8, 200, 150}} {
		rel := fmt.Sprintf("raw/face%d.png", i)
		img, sl, err := synth.Face(1, "Image/aligned/test_0001_aligned.jpg", 3, 200) // one face, three poses
		if err != nil {
			t.Fatal(err)
		}
		var s face68.Shape
		for k, q := range sl {
			s[k] = face68.Point{X: q.X, Y: q.Y}
		}
		// synth draws at 200 px: crop coordinates x2; the raw pose works on 100-px coordinates.
		s0, c0 := math.Sincos(p.deg * math.Pi / 180)
		kk := p.k / 2
		m := [3][3]float64{{kk * c0, -kk * s0, 0}, {kk * s0, kk * c0, 0}, {0, 0, 1}}
		m[0][2] = p.cx - 0.5 - (m[0][0]*99.5 + m[0][1]*109.5)
		m[1][2] = p.cy - 0.5 - (m[1][0]*99.5 + m[1][1]*109.5)
		src, err := gocv.ImageToMatRGB(img)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := imageio.Warp(src, m, image.Pt(560, 480), gocv.InterpolationCubic, gocv.BorderReplicate)
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		writeImage(t, filepath.Join(in, filepath.FromSlash(rel)), raw)
		raw.Close()
		var rs face68.Shape
		for k, q := range s {
			rs[k] = apply3(m, q)
		}
		lm = face68.AppendJSONL(lm, rel, rs, -1)
		faces = append(faces, face{rel, s, m})
	}
	writeFile(t, filepath.Join(in, "landmarks68.jsonl"), lm)
	out := filepath.Join(t.TempDir(), "out")
	cfg := baseConfig(in, out, KindAlign)
	cfg.Aligned = false
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ByStatus[StatusFromFile] != 3 {
		t.Fatalf("statuses %v, want 3 from-file", sum.ByStatus)
	}
	recs := readManifest(t, filepath.Join(out, ManifestFile))
	carried, err := face68.LoadFile(filepath.Join(out, "landmarks68.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var first face68.Shape
	for i, r := range recs {
		f := r.Faces[0]
		var m [3][3]float64
		for k, v := range f.Transform {
			m[k/3][k%3] = v
		}
		var crop face68.Shape
		for k, p := range f.Landmarks {
			crop[k] = face68.Point{X: p[0], Y: p[1]}
			raw := apply3(faces[i].raw, faces[i].orig[k])
			if q := apply3(m, raw); math.Abs(q.X-p[0]) > 0.01 || math.Abs(q.Y-p[1]) > 0.01 {
				t.Fatalf("%s: landmark %d: transform gives (%.3f, %.3f), record (%.2f, %.2f)", r.In, k, q.X, q.Y, p[0], p[1])
			}
		}
		if carried[r.In] != crop {
			t.Errorf("%s: landmarks68.jsonl differs from the manifest", r.In)
		}
		if i == 0 {
			first = crop
		}
		for k := range crop {
			if math.Abs(crop[k].X-first[k].X) > 0.02 || math.Abs(crop[k].Y-first[k].Y) > 0.02 {
				t.Fatalf("%s: landmark %d at (%.2f, %.2f), the unrotated face's at (%.2f, %.2f)", r.In, k, crop[k].X, crop[k].Y, first[k].X, first[k].Y)
			}
		}
		if d := meanAbsDiff(t, filepath.Join(out, recs[0].Out), filepath.Join(out, r.Out)); d > 4 {
			t.Errorf("%s: crop differs from the unrotated face's by %.2f grey levels on average", r.In, d)
		}
		// Least squares: no nearby similarity (about the template centroid) does better.
		sse := func(s face68.Shape) float64 {
			var e float64
			for k, p := range AlignPoints(&s) {
				e += math.Pow(p.X-(AlignTemplate[k].X-0.5), 2) + math.Pow(p.Y-(AlignTemplate[k].Y-0.5), 2)
			}
			return e
		}
		best := sse(crop)
		for _, d := range [][4]float64{{0.3, 0, 0, 0}, {-0.3, 0, 0, 0}, {0, 0.005, 0, 0}, {0, -0.005, 0, 0}, {0, 0, 0.1, 0}, {0, 0, -0.1, 0}, {0, 0, 0, 0.1}, {0, 0, 0, -0.1}} {
			moved := pose{d[0], 1 + d[1], 50 + d[2], 55 + d[3]}
			var s face68.Shape
			for k, p := range crop {
				q := moved.apply(face68.Point{X: p.X + 0.5, Y: p.Y + 0.5})
				s[k] = face68.Point{X: q.X - 0.5, Y: q.Y - 0.5}
			}
			if e := sse(s); e < best-1e-4 {
				t.Errorf("%s: moving the crop by %v brings the points closer to the template (%.4f < %.4f)", r.In, d, e, best)
			}
		}
	}
}

func meanAbsDiff(t *testing.T, a, b string) float64 {
	t.Helper()
	ia := decodeForTest(t, a)
	defer ia.Close()
	ib := decodeForTest(t, b)
	defer ib.Close()
	d := gocv.NewMat()
	defer d.Close()
	gocv.AbsDiff(ia, ib, &d)
	m := d.Mean()
	return (m.Val1 + m.Val2 + m.Val3) / 3
}

// TestAlignDetected aligns the astronaut photo through the detector and predictor (no
// landmarks file): its eye centres and mouth centre land on the template within 0.5 px (the
// template's proportions come from this face's shape averaged with its mirror image); a
// photo without a face is reported, counted and not written; a resumed run gives the same
// bytes.
func TestAlignDetected(t *testing.T) {
	in := t.TempDir()
	data, err := os.ReadFile("../testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "happy", "astronaut.png"), data)
	blank := image.NewGray(image.Rect(0, 0, 200, 150))
	writeFile(t, filepath.Join(in, "sad", "blank.png"), pngBytes(t, blank))
	out := filepath.Join(t.TempDir(), "out")
	cfg := baseConfig(in, out, KindAlign)
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ByStatus[StatusDetected] != 1 || sum.ByStatus[StatusNoFace] != 1 {
		t.Fatalf("statuses %v, want 1 detected, 1 no-face", sum.ByStatus)
	}
	if _, err := os.Stat(filepath.Join(out, "sad", "blank.png")); !os.IsNotExist(err) {
		t.Errorf("the faceless photo was written (%v)", err)
	}
	recs := readManifest(t, filepath.Join(out, ManifestFile))
	var s face68.Shape
	for k, p := range recs[0].Faces[0].Landmarks {
		s[k] = face68.Point{X: p[0], Y: p[1]}
	}
	for k, p := range AlignPoints(&s) {
		want := face68.Point{X: AlignTemplate[k].X - 0.5, Y: AlignTemplate[k].Y - 0.5}
		if d := math.Hypot(p.X-want.X, p.Y-want.Y); d > 0.5 {
			t.Errorf("point %d at (%.2f, %.2f), template (%.2f, %.2f): %.2f px off", k, p.X, p.Y, want.X, want.Y, d)
		}
	}
	if recs[1].Status != StatusNoFace || recs[1].Action != ActionSkipped || recs[1].Out != "" {
		t.Errorf("blank: %+v", recs[1])
	}
	again := filepath.Join(t.TempDir(), "again")
	copyTree(t, out, again)
	os.Remove(filepath.Join(again, ManifestFile))
	os.Remove(filepath.Join(again, "happy", "astronaut.png"))
	cfg.Out, cfg.Resume = again, true
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	sameTree(t, out, again)
}

// warpFixture warps src by the 3x3 map m into a size x size image (bilinear, replicated
// borders).
func warpFixture(t *testing.T, src gocv.Mat, m [3][3]float64, size int) gocv.Mat {
	t.Helper()
	out, err := imageio.Warp(src, m, image.Pt(size, size), gocv.InterpolationLinear, gocv.BorderReplicate)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
