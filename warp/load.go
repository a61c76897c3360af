package warp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Spec is the JSON form of a template (one file per template, next to its PNG).
type Spec struct {
	Kind   string `json:"kind"`
	Style  string `json:"style"`
	Colour string `json:"colour"`
	// Variant and Group are accepted for templates written before 3-D placement, when turned
	// heads got separate "left"/"right" drawings; only "frontal" (or nothing) is valid now.
	Variant   string       `json:"variant,omitempty"`
	Group     string       `json:"group,omitempty"`
	Transform string       `json:"transform"`
	Image     string       `json:"image"` // PNG path relative to the JSON file
	Anchors   []SpecAnchor `json:"anchors"`
}

// SpecAnchor is one anchor in a Spec.
type SpecAnchor struct {
	Name     string      `json:"name"`
	Template *[2]float64 `json:"template"` // template pixel (x, y)
	Face     string      `json:"face"`     // face point expression, see FacePoint
	Side     string      `json:"side,omitempty"`
}

// LoadTemplates loads every *.json template spec under dir (recursively) and
// validates each. All problems are reported together, each naming its file.
func LoadTemplates(dir string) ([]*Template, error) { return LoadTemplatesOfKind(dir, "") }

// LoadTemplatesOfKind is LoadTemplates for the specs whose "kind" is kind
// (all when kind is ""), so that a mask run does not decode the sunglasses'
// images: decoding template PNGs is most of a small run's fixed cost. Specs of
// other kinds are still parsed, so a broken one is still reported.
func LoadTemplatesOfKind(dir, kind string) ([]*Template, error) {
	var specs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
			specs = append(specs, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load templates from %s: %w", dir, err)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("load templates from %s: no *.json template specs found", dir)
	}
	var errs []error
	parsed := make([]Spec, 0, len(specs))
	var paths []string
	for _, p := range specs {
		sp, err := readSpec(p)
		switch {
		case err != nil:
			errs = append(errs, err)
		case sp.Kind != KindMask && sp.Kind != KindSunglasses:
			// validated in full below when unfiltered; when filtered, still refused
			if kind != "" {
				errs = append(errs, fmt.Errorf("template %s: kind %q, want %q or %q", p, sp.Kind, KindMask, KindSunglasses))
				continue
			}
			parsed = append(parsed, sp)
			paths = append(paths, p)
		case kind == "" || sp.Kind == kind:
			parsed = append(parsed, sp)
			paths = append(paths, p)
		}
	}
	// Decoding the PNGs is most of the fixed cost of a dataset run: spread it over the cores.
	// Results land in per-spec slots, so order and errors do not depend on scheduling.
	loaded := make([]*Template, len(paths))
	loadErrs := make([]error, len(paths))
	var wg sync.WaitGroup
	n := max(1, min(runtime.GOMAXPROCS(0), len(paths)))
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(paths); i += n {
				loaded[i], loadErrs[i] = loadFromSpec(paths[i], parsed[i])
			}
		}()
	}
	wg.Wait()
	var ts []*Template
	names := map[string]string{}
	for i, p := range paths {
		t := loaded[i]
		if loadErrs[i] != nil {
			errs = append(errs, loadErrs[i])
			continue
		}
		if prev, dup := names[t.Name]; dup {
			errs = append(errs, fmt.Errorf("template %s: name %q already used by %s", p, t.Name, prev))
			t.Close()
			continue
		}
		names[t.Name] = p
		ts = append(ts, t)
	}
	if len(errs) > 0 {
		for _, t := range ts {
			t.Close()
		}
		return nil, errors.Join(errs...)
	}
	sortTemplates(ts)
	return ts, nil
}

// LoadTemplate reads one spec and its PNG and validates the result.
func LoadTemplate(specPath string) (*Template, error) {
	s, err := readSpec(specPath)
	if err != nil {
		return nil, err
	}
	return loadFromSpec(specPath, s)
}

// readSpec reads and parses one template spec (unknown fields are errors).
func readSpec(specPath string) (Spec, error) {
	var s Spec
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return s, fmt.Errorf("template %s: %w", specPath, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("template %s: bad JSON: %w", specPath, err)
	}
	return s, nil
}

// loadFromSpec builds the template of a parsed spec, with its image, and validates it.
func loadFromSpec(specPath string, s Spec) (*Template, error) {
	t, err := s.toTemplate(specPath)
	if err != nil {
		return nil, err
	}
	if s.Image == "" {
		return nil, fmt.Errorf("template %s: \"image\" is missing", specPath)
	}
	t.ImagePath = filepath.Join(filepath.Dir(specPath), filepath.FromSlash(s.Image))
	t.Image, err = readRGBA(t.ImagePath)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", specPath, err)
	}
	if err := ValidateTemplate(t); err != nil {
		return nil, err
	}
	return t, nil
}

// toTemplate converts the spec; face point and anchor shape errors are
// reported here, geometric checks in ValidateTemplate.
func (s Spec) toTemplate(specPath string) (*Template, error) {
	name := strings.TrimSuffix(filepath.Base(specPath), ".json")
	if s.Variant != "" && s.Variant != "frontal" {
		return nil, fmt.Errorf("template %s: variant %q: side variants are no longer used (turned heads are drawn by posing the frontal template in 3-D); remove this template", specPath, s.Variant)
	}
	t := &Template{Name: name, Kind: s.Kind, Style: s.Style, Colour: s.Colour, Transform: FitKind(s.Transform), SpecPath: specPath}
	for i, a := range s.Anchors {
		label := a.Name
		if label == "" {
			label = fmt.Sprintf("#%d", i)
		}
		if a.Template == nil {
			return nil, fmt.Errorf("template %s: anchor %s: missing \"template\" pixel", specPath, label)
		}
		if a.Face == "" {
			return nil, fmt.Errorf("template %s: anchor %s: missing \"face\" point", specPath, label)
		}
		fp, err := ParseFacePoint(a.Face)
		if err != nil {
			return nil, fmt.Errorf("template %s: anchor %s: %w", specPath, label, err)
		}
		t.Anchors = append(t.Anchors, Anchor{Name: a.Name, At: Point{X: a.Template[0], Y: a.Template[1]}, Face: fp, Side: a.Side})
	}
	return t, nil
}

// readRGBA decodes an 8-bit RGBA PNG. Other colour types are refused rather
// than converted: an RGB or grey PNG has no alpha, so it would paint a
// rectangle over the face.
func readRGBA(path string) (*image.NRGBA, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("image %s: not a readable PNG: %w", path, err)
	}
	if cfg.ColorModel != color.NRGBAModel {
		return nil, fmt.Errorf("image %s: not RGBA (want an 8-bit PNG with an alpha channel)", path)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	if n, ok := img.(*image.NRGBA); ok {
		return n, nil
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
	return n, nil
}
