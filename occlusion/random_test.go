package occlusion

import (
	"context"
	"image"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/internal/cli"
)

func grayCanvas(w, h int) *canvas {
	pix := make([]uint8, 3*w*h)
	for i := range pix {
		pix[i] = 128
	}
	c := &canvas{pix: pix, w: w, h: h}
	c.occ.W, c.occ.H, c.occ.Pix = w, h, make([]uint8, w*h)
	return c
}

// Every occluder type paints inside its box only, covers a real part of it, and the same RNG
// state gives the same pixels.
func TestOccluderTypes(t *testing.T) {
	face := image.Rect(40, 30, 160, 170)
	noDonor := func(*rand.Rand, int, int) ([]uint8, string, bool) { return nil, "", false }
	for _, typ := range AllOccluders {
		cfg := RandomConfig{MinCount: 1, MaxCount: 1, MinArea: 0.2, MaxArea: 0.2, Types: []string{typ}}
		var first []uint8
		for rep := 0; rep < 2; rep++ {
			cv := grayCanvas(200, 200)
			occ := drawRandom(cv, face, dataset.ItemRNG(1, "x.jpg", typ), cfg, noDonor)
			if len(occ) != 1 {
				t.Fatalf("%s: %d occluders", typ, len(occ))
			}
			b := image.Rect(occ[0].Box[0], occ[0].Box[1], occ[0].Box[2], occ[0].Box[3])
			if !b.In(face) {
				t.Errorf("%s: box %v outside face %v", typ, b, face)
			}
			changed, covered := 0, 0
			for y := 0; y < cv.h; y++ {
				for x := 0; x < cv.w; x++ {
					in := image.Pt(x, y).In(b)
					o := 3 * (y*cv.w + x)
					if cv.pix[o] != 128 || cv.pix[o+1] != 128 || cv.pix[o+2] != 128 {
						if !in {
							t.Fatalf("%s: pixel %d,%d outside the box changed", typ, x, y)
						}
						changed++
					}
					if cv.occ.Pix[y*cv.w+x] == 255 {
						if !in {
							t.Fatalf("%s: mask set outside the box at %d,%d", typ, x, y)
						}
						covered++
					}
				}
			}
			if frac := float64(covered) / float64(b.Dx()*b.Dy()); frac < 0.3 {
				t.Errorf("%s: covers %.2f of its box, want >= 0.3", typ, frac)
			}
			if changed < covered {
				t.Errorf("%s: %d pixels changed but %d masked", typ, changed, covered)
			}
			if rep == 0 {
				first = append([]uint8(nil), cv.pix...)
			} else if string(first) != string(cv.pix) {
				t.Errorf("%s: same RNG state drew different pixels", typ)
			}
		}
	}
}

// Occluder count and area follow the configuration.
func TestOccluderCountAndArea(t *testing.T) {
	face := image.Rect(0, 0, 100, 100)
	cfg := RandomConfig{MinCount: 2, MaxCount: 4, MinArea: 0.05, MaxArea: 0.1, Types: []string{OccSolid}}
	seen := map[int]bool{}
	for i := 0; i < 200; i++ {
		cv := grayCanvas(100, 100)
		occ := drawRandom(cv, face, dataset.ItemRNG(uint64(i), "a.png", "random"), cfg, nil)
		seen[len(occ)] = true
		for _, o := range occ {
			a := float64((o.Box[2]-o.Box[0])*(o.Box[3]-o.Box[1])) / 1e4
			if a < 0.035 || a > 0.125 { // rounding to whole pixels moves the area a little
				t.Fatalf("occluder area %.3f of the face, want 0.05..0.1: %v", a, o.Box)
			}
		}
	}
	if len(seen) != 3 || !seen[2] || !seen[4] {
		t.Fatalf("counts drawn: %v, want 2, 3 and 4", seen)
	}
}

// A random-occlusion run records 1..K occluders per face with coverage, writes masks that lie
// inside the recorded boxes, and cuts patches from other images of the dataset.
func TestRandomRun(t *testing.T) {
	in := t.TempDir()
	makeFolders(t, in, 6)
	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindRandom)
	c.WriteMasks = true
	c.Occluders, c.OccluderTypes = cli.IntRange{Min: 1, Max: 3}, []string{OccPatch, OccHand, OccNoise}
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	patches := 0
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		if r.Status != StatusDetected || len(r.Faces) != 1 {
			t.Fatalf("%s: %s %s", r.In, r.Status, r.Error)
		}
		f := r.Faces[0]
		if n := len(f.Occluders); n < 1 || n > 3 {
			t.Errorf("%s: %d occluders, want 1..3", r.In, n)
		}
		if f.Coverage.Face <= 0 {
			t.Errorf("%s: face coverage %v", r.In, f.Coverage.Face)
		}
		m, err := imageio.Decode(filepath.Join(out, r.Mask))
		if err != nil {
			t.Fatal(err)
		}
		mp := m.ToBytes()
		masked := 0
		for i := 0; i < len(mp); i += 3 {
			if mp[i] == 0 {
				continue
			}
			masked++
			p := image.Pt(i/3%m.Cols(), i/3/m.Cols())
			inside := false
			for _, o := range f.Occluders {
				inside = inside || p.In(image.Rect(o.Box[0], o.Box[1], o.Box[2], o.Box[3]))
			}
			if !inside {
				t.Fatalf("%s: mask pixel %v outside every occluder box", r.In, p)
			}
		}
		m.Close()
		if masked == 0 {
			t.Errorf("%s: empty mask", r.In)
		}
		for _, o := range f.Occluders {
			if o.Type == OccPatch {
				patches++
				if o.Donor == "" || o.Donor == r.In {
					t.Errorf("%s: patch donor %q", r.In, o.Donor)
				}
			}
		}
	}
	if patches == 0 {
		t.Error("no patch occluder drawn in 6 images")
	}
}
