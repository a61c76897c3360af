package occlusion

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/warp"
)

// The overlays land where they should: a face mask hides the mouth and leaves the eyes, and
// sunglasses the reverse, as measured by the manifest's coverage on the recorded landmarks.
func TestOverlayCoverage(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 6)
	for _, tc := range []struct {
		kind                Kind
		wantEyes, wantMouth func(float64) bool
	}{
		{KindMask, func(v float64) bool { return v < 0.05 }, func(v float64) bool { return v > 0.8 }},
		{KindSunglasses, func(v float64) bool { return v > 0.8 }, func(v float64) bool { return v < 0.05 }},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			sum, err := Run(context.Background(), baseConfig(in, out, tc.kind))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Items != 6 || sum.Processed != 6 || sum.Failed != 0 {
				t.Fatalf("summary %+v", sum)
			}
			recs := readManifest(t, filepath.Join(out, ManifestFile))
			if len(recs) != 6 {
				t.Fatalf("%d records, want 6", len(recs))
			}
			for _, r := range recs {
				if !r.occluded() || r.Action != ActionWritten || len(r.Faces) != 1 {
					t.Fatalf("%s: status %s action %s faces %d (%s)", r.In, r.Status, r.Action, len(r.Faces), r.Error)
				}
				f := r.Faces[0]
				if f.Template == nil || f.Template.Name == "" || f.Pose == nil || f.Placement != warp.PlacementRefined {
					t.Errorf("%s: template, pose or placement not recorded (want placement %s): %+v", r.In, warp.PlacementRefined, f)
				}
				if !tc.wantEyes(f.Coverage.Eyes) || !tc.wantMouth(f.Coverage.Mouth) {
					t.Errorf("%s (%s, %s): coverage eyes %.3f mouth %.3f", r.In, f.Source, f.Template.Name, f.Coverage.Eyes, f.Coverage.Mouth)
				}
				// The pixels agree with the coverage: the covered region changed, the other
				// one only by JPEG re-encoding.
				eyes, mouth := pixelChange(t, filepath.Join(in, r.In), filepath.Join(out, r.Out), f.Landmarks)
				covered, visible := mouth, eyes
				if tc.kind == KindSunglasses {
					covered, visible = eyes, mouth
				}
				if covered < 12 || visible > 6 { // tinted lenses over dark eyes change less than a mask
					t.Errorf("%s: mean pixel change %.1f in the covered region, %.1f in the visible one", r.In, covered, visible)
				}
			}
		})
	}
}

// pixelChange returns the mean absolute BGR change between two images in 5x5 squares at the
// two eye centres and at the mouth centre.
func pixelChange(t *testing.T, a, b string, lm [68][2]float64) (eyes, mouth float64) {
	t.Helper()
	ia := decodeForTest(t, a)
	defer ia.Close()
	ib := decodeForTest(t, b)
	defer ib.Close()
	pa, pb := ia.ToBytes(), ib.ToBytes()
	centre := func(from, to int) (float64, float64) {
		var x, y float64
		for i := from; i <= to; i++ {
			x, y = x+lm[i][0], y+lm[i][1]
		}
		n := float64(to - from + 1)
		return x / n, y / n
	}
	diff := func(cx, cy float64) float64 {
		var sum, n float64
		for y := int(cy) - 2; y <= int(cy)+2; y++ {
			for x := int(cx) - 2; x <= int(cx)+2; x++ {
				for k := 0; k < 3; k++ {
					o := 3*(y*ia.Cols()+x) + k
					sum += math.Abs(float64(pa[o]) - float64(pb[o]))
					n++
				}
			}
		}
		return sum / n
	}
	rx, ry := centre(36, 41)
	lx, ly := centre(42, 47)
	mx, my := centre(48, 67)
	return (diff(rx, ry) + diff(lx, ly)) / 2, diff(mx, my)
}
