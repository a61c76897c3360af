package warp

import (
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadAssets: the committed assets load and validate, one frontal drawing per design (3-D
// placement turns it; there are no side variants): ≥ 8 mask designs and ≥ 3 sunglasses designs.
func TestLoadAssets(t *testing.T) {
	ts := assetTemplates(t)
	kinds := map[string]int{}
	for _, tp := range ts {
		kinds[tp.Kind]++
		if w := tp.Image.Bounds().Dx(); w < 512 || w > 1024 {
			t.Errorf("%s: %d px wide, want 512..1024", tp.Name, w)
		}
		if strings.HasSuffix(tp.Name, "_left") || strings.HasSuffix(tp.Name, "_right") {
			t.Errorf("%s: a side variant is committed", tp.Name)
		}
		for _, scale := range []float64{30, 100, 200} { // every grid detail
			if _, err := tp.mesh(scale); err != nil {
				t.Errorf("%s: no 3-D mesh for faces of %.0f px: %v", tp.Name, scale, err)
			}
		}
	}
	if kinds[KindMask] < 8 || kinds[KindSunglasses] < 3 {
		t.Errorf("%d mask and %d sunglasses designs, want ≥ 8 and ≥ 3", kinds[KindMask], kinds[KindSunglasses])
	}
}

// writeTemplate copies a real template into dir with its spec edited by edit.
func writeTemplate(t *testing.T, dir, name string, edit func(*Spec)) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(assetsDir, "masks", "mask_surgical_blue.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Spec
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(filepath.Join(assetsDir, "masks", s.Image))
	if err != nil {
		t.Fatal(err)
	}
	s.Image = name + ".png"
	if err := os.WriteFile(filepath.Join(dir, s.Image), png, 0o644); err != nil {
		t.Fatal(err)
	}
	edit(&s)
	out, _ := json.Marshal(s)
	p := filepath.Join(dir, name+".json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func anchorNamed(s *Spec, name string) *SpecAnchor {
	for i := range s.Anchors {
		if s.Anchors[i].Name == name {
			return &s.Anchors[i]
		}
	}
	return nil
}

// TestBadTemplates: each broken spec is refused with an error that names the
// spec file and the reason.
func TestBadTemplates(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"missing_anchor", func(s *Spec) { s.Anchors = s.Anchors[:len(s.Anchors)-1] }, `missing anchor "jaw_right"`},
		{"unknown_point", func(s *Spec) { anchorNamed(s, "chin").Face = "mid(8,99)" }, "landmark index 99 outside 0..67"},
		{"unknown_fn", func(s *Spec) { anchorNamed(s, "chin").Face = "chin" }, "unknown face point"},
		{"no_template_px", func(s *Spec) { anchorNamed(s, "chin").Template = nil }, `anchor chin: missing "template"`},
		{"collapsed", func(s *Spec) {
			for i := range s.Anchors {
				s.Anchors[i].Template = &[2]float64{100, 100}
			}
		}, "degenerate fit"},
		{"swapped_sides", func(s *Spec) {
			l, r := anchorNamed(s, "cheek_left"), anchorNamed(s, "cheek_right")
			l.Face, r.Face = r.Face, l.Face
			l2, r2 := anchorNamed(s, "jaw_left"), anchorNamed(s, "jaw_right")
			l2.Face, r2.Face = r2.Face, l2.Face
		}, "degenerate fit"},
		{"outside", func(s *Spec) { anchorNamed(s, "chin").Template = &[2]float64{100, 5000} }, "outside the 560x440 image"},
		{"kind", func(s *Spec) { s.Kind = "hat" }, `unknown kind "hat"`},
		{"transform", func(s *Spec) { s.Transform = "spline" }, `unknown transform "spline"`},
		{"variant", func(s *Spec) { s.Variant = "left" }, `side variants are no longer used`},
		{"seam", func(s *Spec) { anchorNamed(s, "chin").Side = "left" }, `exactly 2 anchors with side "both"`},
		{"no_image", func(s *Spec) { s.Image = "nope.png" }, "nope.png"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeTemplate(t, dir, tc.name, tc.edit)
			_, err := LoadTemplate(p)
			if err == nil {
				t.Fatalf("%s loaded, want an error mentioning %q", tc.name, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q, want it to name %s and mention %q", err, p, tc.want)
			}
		})
	}
}

// TestRGBImageRefused: a PNG without alpha is refused as "not RGBA".
func TestRGBImageRefused(t *testing.T) {
	dir := t.TempDir()
	p := writeTemplate(t, dir, "rgb", func(*Spec) {})
	img := image.NewRGBA(image.Rect(0, 0, 560, 440))
	for i := range img.Pix {
		img.Pix[i] = 255 // opaque, so the encoder writes an RGB PNG
	}
	f, err := os.Create(filepath.Join(dir, "rgb.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = LoadTemplate(p)
	if err == nil || !strings.Contains(err.Error(), "not RGBA") || !strings.Contains(err.Error(), "rgb.png") {
		t.Errorf("error %v, want one naming rgb.png as not RGBA", err)
	}
}

// TestLoadTemplatesReportsAll: LoadTemplates reports every bad file, not just
// the first, and refuses a folder without specs.
func TestLoadTemplatesReportsAll(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "good", func(*Spec) {})
	a := writeTemplate(t, dir, "bad1", func(s *Spec) { s.Kind = "hat" })
	b := writeTemplate(t, dir, "bad2", func(s *Spec) { s.Anchors = nil })
	_, err := LoadTemplates(dir)
	if err == nil || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) {
		t.Errorf("error %v, want both %s and %s named", err, a, b)
	}
	if _, err := LoadTemplates(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.json") {
		t.Errorf("empty folder: error %v, want \"no *.json\"", err)
	}
}

// LoadTemplatesOfKind decodes only the templates of one kind, and still
// refuses a spec of an unknown kind.
func TestLoadTemplatesOfKind(t *testing.T) {
	all := assetTemplates(t)
	want := map[string]int{}
	for _, tp := range all {
		want[tp.Kind]++
	}
	for _, kind := range []string{KindMask, KindSunglasses} {
		got, err := LoadTemplatesOfKind(assetsDir, kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range got {
			if tp.Kind != kind {
				t.Errorf("%s load returned %s of kind %s", kind, tp.Name, tp.Kind)
			}
			tp.Close()
		}
		if len(got) != want[kind] || want[kind] == 0 {
			t.Errorf("%s: %d templates, the full load has %d", kind, len(got), want[kind])
		}
	}
	dir := t.TempDir()
	writeTemplate(t, dir, "good", func(*Spec) {})
	bad := writeTemplate(t, dir, "bad", func(s *Spec) { s.Kind = "hat" })
	if _, err := LoadTemplatesOfKind(dir, KindMask); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("unknown kind in a filtered load: error %v, want %s named", err, bad)
	}
}

// LoadTemplatesFrom: a later source adds templates and replaces those of the same name (spec
// and image both from the later source); a name twice within one source is refused; an image
// path that leaves its source is refused; the content hashes follow the bytes loaded.
func TestLoadTemplatesFromSources(t *testing.T) {
	base, over := t.TempDir(), t.TempDir()
	writeTemplate(t, base, "mask_a", func(s *Spec) { s.Colour = "base" })
	writeTemplate(t, base, "mask_b", func(s *Spec) { s.Colour = "base" })
	writeTemplate(t, over, "mask_b", func(s *Spec) { s.Colour = "over" })
	writeTemplate(t, over, "mask_c", func(s *Spec) { s.Colour = "over" })
	ts, err := LoadTemplatesFrom(KindMask, DirSource(base), DirSource(over))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*Template{}
	for _, tp := range ts {
		got[tp.Name] = tp
		defer tp.Close()
	}
	for name, want := range map[string]string{"mask_a": "base", "mask_b": "over", "mask_c": "over"} {
		t.Run(name, func(t *testing.T) {
			tp := got[name]
			if tp == nil {
				t.Fatalf("not loaded; got %d templates", len(ts))
			}
			dir := base
			if want == "over" {
				dir = over
			}
			if tp.Colour != want || tp.SpecPath != filepath.Join(dir, name+".json") || tp.ImagePath != filepath.Join(dir, name+".png") {
				t.Errorf("colour %q from %s / %s; want %q from %s", tp.Colour, tp.SpecPath, tp.ImagePath, want, dir)
			}
			spec, _ := os.ReadFile(tp.SpecPath)
			img, _ := os.ReadFile(tp.ImagePath)
			if tp.SpecSHA256 != sha256Hex(spec) || tp.ImageSHA256 != sha256Hex(img) {
				t.Errorf("hashes %s %s do not match the files loaded", tp.SpecSHA256, tp.ImageSHA256)
			}
		})
	}
	if len(ts) != 3 {
		t.Errorf("%d templates, want 3", len(ts))
	}

	t.Run("name twice in one source", func(t *testing.T) {
		dir := t.TempDir()
		writeTemplate(t, dir, "mask_d", func(*Spec) {})
		os.Mkdir(filepath.Join(dir, "sub"), 0o755)
		dup := writeTemplate(t, filepath.Join(dir, "sub"), "mask_d", func(*Spec) {})
		if _, err := LoadTemplatesFrom("", DirSource(dir)); err == nil || !strings.Contains(err.Error(), dup) || !strings.Contains(err.Error(), "already used") {
			t.Errorf("error %v, want the duplicate %s named", err, dup)
		}
	})
	t.Run("image outside the source", func(t *testing.T) {
		dir := t.TempDir()
		p := writeTemplate(t, dir, "mask_e", func(s *Spec) { s.Image = "../mask_e.png" })
		if _, err := LoadTemplatesFrom("", DirSource(dir)); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "leaves the template folder") {
			t.Errorf("error %v, want %s refused", err, p)
		}
	})
}
