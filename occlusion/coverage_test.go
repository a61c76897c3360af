package occlusion

import (
	"context"
	"path/filepath"
	"testing"
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
				if f.Template == nil || f.Template.Name == "" || len(f.Transform) == 0 {
					t.Errorf("%s: template/transform not recorded: %+v", r.In, f)
				}
				if !tc.wantEyes(f.Coverage.Eyes) || !tc.wantMouth(f.Coverage.Mouth) {
					t.Errorf("%s (%s, %s): coverage eyes %.3f mouth %.3f", r.In, f.Source, f.Template.Name, f.Coverage.Eyes, f.Coverage.Mouth)
				}
			}
		})
	}
}
