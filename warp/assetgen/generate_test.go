package assetgen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/warp"
)

// TestCommittedAssetsAreCurrent re-renders a sample of templates (one per
// kind and side) and requires byte-identical PNG and JSON files to those in
// assets/: the generator is deterministic and the committed assets are what
// it produces. After changing the generator run `go generate ./warp/assetgen`.
func TestCommittedAssetsAreCurrent(t *testing.T) {
	want := map[string]bool{
		"mask_surgical_blue_right":         true,
		"mask_cloth_floral_frontal":        true,
		"sunglasses_wayfarer_black_left":   true,
		"sunglasses_aviator_green_frontal": true,
	}
	if testing.Short() {
		want = map[string]bool{"sunglasses_round_brown_frontal": true}
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

// TestJobsCoverTheCatalogue: names are unique, every mask style has
// frontal/left/right, and the rendered templates are the promised size.
func TestJobsCoverTheCatalogue(t *testing.T) {
	seen := map[string]bool{}
	styles := map[string]int{}
	for _, j := range jobs() {
		if seen[j.name] {
			t.Errorf("duplicate template name %s", j.name)
		}
		seen[j.name] = true
		styles[j.spec.Kind+"/"+j.spec.Style]++
	}
	for _, s := range []string{"mask/surgical", "mask/n95", "mask/kn95", "mask/cloth", "sunglasses/aviator", "sunglasses/wayfarer", "sunglasses/round"} {
		if styles[s] == 0 || styles[s]%3 != 0 {
			t.Errorf("style %s has %d templates, want a positive multiple of 3 (frontal, left, right)", s, styles[s])
		}
	}
}

// TestCylinderVariants: the side variants move the face's midline toward the
// side the nose points to and hide the far ear loop; anchors follow.
func TestCylinderVariants(t *testing.T) {
	r := newCylinder(maskW, warp.VariantRight)
	l := newCylinder(maskW, warp.VariantLeft)
	f := newCylinder(maskW, warp.VariantFrontal)
	if x := f.forward(maskCX + 100); x != maskCX+100 {
		t.Errorf("frontal moved x: %v", x)
	}
	if r.forward(maskCX) <= maskCX+100 || l.forward(maskCX) >= maskCX-100 {
		t.Errorf("midline at %.1f (right) and %.1f (left), want it moved > 100 px toward the nose side", r.forward(maskCX), l.forward(maskCX))
	}
	for _, x := range []float64{maskCX - 150, maskCX, maskCX + 150} {
		fx, _, ok := r.inverse(r.forward(x))
		if !ok || abs(fx-x) > 1e-9 {
			t.Errorf("inverse(forward(%v)) = %v, %v", x, fx, ok)
		}
	}
	// the far half (image right for the right variant) is foreshortened
	img := render(maskW, maskH, r.wrap(maskScene(maskStyles()[0])))
	const row = 250
	left, right := -1, -1
	for x := 0; x < maskW; x++ {
		if img.Pix[row*img.Stride+4*x+3] > 127 {
			if left < 0 {
				left = x
			}
			right = x
		}
	}
	mid := r.forward(maskCX)
	near, far := mid-float64(left), float64(right)-mid
	if left < 0 || far > 0.6*near {
		t.Errorf("right variant row %d: near half %.0f px, far half %.0f px; want far ≤ 0.6·near", row, near, far)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
