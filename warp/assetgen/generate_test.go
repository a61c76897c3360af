package assetgen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedAssetsAreCurrent re-renders a sample of templates (one per
// kind and side) and requires byte-identical PNG and JSON files to those in
// assets/: the generator is deterministic and the committed assets are what
// it produces. After changing the generator run `go generate ./warp/assetgen`.
func TestCommittedAssetsAreCurrent(t *testing.T) {
	want := map[string]bool{
		"mask_surgical_blue":        true,
		"mask_cloth_floral":         true,
		"sunglasses_wayfarer_black": true,
		"sunglasses_aviator_green":  true,
	}
	if testing.Short() {
		want = map[string]bool{"sunglasses_round_brown": true}
	}
	dir := t.TempDir()
	found := 0
	for _, j := range jobs() {
		if !want[j.name] {
			continue
		}
		found++
		paths, err := j.write(dir)
		if err != nil {
			t.Fatalf("%s: %v", j.name, err)
		}
		for _, p := range paths {
			rel, _ := filepath.Rel(dir, p)
			got, _ := os.ReadFile(p)
			committed, err := os.ReadFile(filepath.Join("..", "..", "assets", rel))
			if err != nil {
				t.Fatalf("committed asset: %v", err)
			}
			if !bytes.Equal(got, committed) {
				t.Errorf("assets/%s differs from a fresh render (%d vs %d bytes); run go generate ./warp/assetgen", rel, len(got), len(committed))
			}
		}
	}
	if found != len(want) {
		t.Fatalf("found %d of %d sample jobs", found, len(want))
	}
}

// TestJobsCoverTheCatalogue: names are unique and every style is drawn; each design is one
// frontal drawing (turned heads are drawn by posing it in 3-D, package warp).
func TestJobsCoverTheCatalogue(t *testing.T) {
	seen := map[string]bool{}
	styles := map[string]int{}
	for _, j := range jobs() {
		if seen[j.name] {
			t.Errorf("duplicate template name %s", j.name)
		}
		seen[j.name] = true
		styles[j.spec.Kind+"/"+j.spec.Style]++
		if j.spec.Variant != "" {
			t.Errorf("%s: variant %q, want none", j.name, j.spec.Variant)
		}
	}
	for _, s := range []string{"mask/surgical", "mask/n95", "mask/kn95", "mask/cloth", "sunglasses/aviator", "sunglasses/wayfarer", "sunglasses/round"} {
		if styles[s] == 0 {
			t.Errorf("style %s has no template", s)
		}
	}
}

// TestFrontShading: the drawing is shaded as a cylinder seen from the front (full at the
// centre line, darker toward the sides) and empty beyond the template's width.
func TestFrontShading(t *testing.T) {
	var got []float64
	sc := frontShading(maskW, func(x, y, cosView float64) rgba { got = append(got, cosView); return rgb(1, 1, 1) })
	for _, x := range []float64{maskCX, maskCX + 100, maskCX + 250} {
		sc(x, 100)
	}
	if len(got) != 3 || got[0] != 1 || !(got[1] < 1 && got[2] < got[1]) {
		t.Errorf("cosView at the centre, 100 and 250 px out: %v, want 1 then falling", got)
	}
	if c := sc(-5, 100); c != (rgba{}) {
		t.Errorf("outside the template: %v, want transparent", c)
	}
}
