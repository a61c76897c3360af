package warp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/landmarks/face68"
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

	sum [sha256.Size]byte // of the spec file's bytes, set by readSpec
}

// SpecAnchor is one anchor in a Spec.
type SpecAnchor struct {
	Name     string      `json:"name"`
	Template *[2]float64 `json:"template"` // template pixel (x, y)
	Face     string      `json:"face"`     // face point expression, see FacePoint
	Side     string      `json:"side,omitempty"`
}

// TemplateSource is one set of template files: FS holds the JSON specs (at any depth) and
// their PNGs, each image path relative to its spec. Where names the set in error messages and
// in Template.SpecPath / ImagePath: a folder path for DirSource, "(built-in)" for the set
// embedded in the binary (package assets).
type TemplateSource struct {
	FS    fs.FS
	Where string
}

// DirSource is the template folder dir on disk.
func DirSource(dir string) TemplateSource { return TemplateSource{FS: os.DirFS(dir), Where: dir} }

// display is the path shown for rel, a slash path inside the source.
func (s TemplateSource) display(rel string) string {
	return filepath.Join(s.Where, filepath.FromSlash(rel))
}

// LoadTemplates loads every *.json template spec under dir (recursively) and
// validates each. All problems are reported together, each naming its file.
func LoadTemplates(dir string) ([]*Template, error) { return LoadTemplatesFrom("", DirSource(dir)) }

// LoadTemplatesOfKind is LoadTemplates for the specs whose "kind" is kind
// (all when kind is ""), so that a mask run does not decode the sunglasses'
// images: decoding template PNGs is most of a small run's fixed cost. Specs of
// other kinds are still parsed, so a broken one is still reported.
func LoadTemplatesOfKind(dir, kind string) ([]*Template, error) {
	return LoadTemplatesFrom(kind, DirSource(dir))
}

// specFile is one spec found in a source.
type specFile struct {
	src  TemplateSource
	rel  string // slash path inside src.FS
	name string // file name without ".json": the template's name
	spec Spec
}

// LoadTemplatesFrom loads the templates of kind (all when kind is "") from the sources in
// order. A template is known by its name, the spec's file name without ".json": a name found
// again in a later source replaces the earlier template (its spec and its image both come
// from the later source), which is how a template folder adds to or overrides the built-in
// set. Within one source a name must be unique. Specs of other kinds are still parsed, so a
// broken one is reported; every problem is reported together, each naming its file.
func LoadTemplatesFrom(kind string, srcs ...TemplateSource) ([]*Template, error) {
	var errs []error
	byName := map[string]int{} // name -> index in files of the spec that wins
	var files []specFile
	for _, src := range srcs {
		var rels []string
		err := fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
				rels = append(rels, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load templates from %s: %w", src.Where, err)
		}
		if len(rels) == 0 {
			return nil, fmt.Errorf("load templates from %s: no *.json template specs found", src.Where)
		}
		inSource := map[string]string{}
		for _, rel := range rels {
			name := strings.TrimSuffix(path.Base(rel), ".json")
			if prev, dup := inSource[name]; dup {
				errs = append(errs, fmt.Errorf("template %s: name %q already used by %s", src.display(rel), name, src.display(prev)))
				continue
			}
			inSource[name] = rel
			sp, err := readSpec(src, rel)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			f := specFile{src: src, rel: rel, name: name, spec: sp}
			if i, ok := byName[name]; ok {
				files[i] = f
			} else {
				byName[name] = len(files)
				files = append(files, f)
			}
		}
	}
	var load []specFile
	for _, f := range files {
		switch {
		case f.spec.Kind != KindMask && f.spec.Kind != KindSunglasses:
			// validated in full below when unfiltered; when filtered, still refused
			if kind != "" {
				errs = append(errs, fmt.Errorf("template %s: kind %q, want %q or %q", f.src.display(f.rel), f.spec.Kind, KindMask, KindSunglasses))
				continue
			}
			load = append(load, f)
		case kind == "" || f.spec.Kind == kind:
			load = append(load, f)
		}
	}
	// Decoding the PNGs is most of the fixed cost of a dataset run: spread it over the cores.
	// Results land in per-spec slots, so order and errors do not depend on scheduling.
	loaded := make([]*Template, len(load))
	loadErrs := make([]error, len(load))
	var wg sync.WaitGroup
	n := max(1, min(runtime.GOMAXPROCS(0), len(load)))
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(load); i += n {
				loaded[i], loadErrs[i] = loadFromSpec(load[i].src, load[i].rel, load[i].spec)
			}
		}()
	}
	wg.Wait()
	var ts []*Template
	for i := range load {
		if loadErrs[i] != nil {
			errs = append(errs, loadErrs[i])
			continue
		}
		ts = append(ts, loaded[i])
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

// LoadTemplate reads one spec file and its PNG and validates the result.
func LoadTemplate(specPath string) (*Template, error) {
	src := DirSource(filepath.Dir(specPath))
	rel := filepath.Base(specPath)
	s, err := readSpec(src, rel)
	if err != nil {
		return nil, err
	}
	return loadFromSpec(src, rel, s)
}

// readSpec reads and parses one template spec (unknown fields are errors).
func readSpec(src TemplateSource, rel string) (Spec, error) {
	var s Spec
	raw, err := limits.ReadFileFS(src.FS, rel, limits.ConfigFile, "template spec")
	if err != nil {
		return s, fmt.Errorf("template %s: %w", src.display(rel), err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("template %s: bad JSON: %w", src.display(rel), err)
	}
	s.sum = sha256.Sum256(raw)
	return s, nil
}

// loadFromSpec builds the template of a parsed spec, with its image, and validates it.
func loadFromSpec(src TemplateSource, rel string, s Spec) (*Template, error) {
	specPath := src.display(rel)
	t, err := s.toTemplate(strings.TrimSuffix(path.Base(rel), ".json"), specPath)
	if err != nil {
		return nil, err
	}
	if s.Image == "" {
		return nil, fmt.Errorf("template %s: \"image\" is missing", specPath)
	}
	// The image path is relative to the spec and must stay inside the source: fs.FS paths
	// have no "..", so a spec cannot pull in a file from elsewhere.
	imgRel := path.Join(path.Dir(rel), s.Image)
	if !fs.ValidPath(imgRel) {
		return nil, fmt.Errorf("template %s: image %q leaves the template folder", specPath, s.Image)
	}
	t.ImagePath = src.display(imgRel)
	raw, err := limits.ReadFileFS(src.FS, imgRel, limits.ImageFile, "template image")
	if err != nil {
		return nil, fmt.Errorf("template %s: image: %w", specPath, err)
	}
	t.SpecSHA256, t.ImageSHA256 = hex.EncodeToString(s.sum[:]), sha256Hex(raw)
	t.Image, err = decodeRGBA(t.ImagePath, raw)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", specPath, err)
	}
	if err := ValidateTemplate(t); err != nil {
		return nil, err
	}
	return t, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// toTemplate converts the spec; face point and anchor shape errors are
// reported here, geometric checks in ValidateTemplate.
func (s Spec) toTemplate(name, specPath string) (*Template, error) {
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
		t.Anchors = append(t.Anchors, Anchor{Name: a.Name, At: face68.Point{X: a.Template[0], Y: a.Template[1]}, Face: fp, Side: a.Side})
	}
	return t, nil
}

// decodeRGBA decodes an 8-bit RGBA PNG. Other colour types are refused rather
// than converted: an RGB or grey PNG has no alpha, so it would paint a
// rectangle over the face.
func decodeRGBA(path string, raw []byte) (*image.NRGBA, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("image %s: not a readable PNG: %w", path, err)
	}
	if err := limits.Pixels(path, cfg.Width, cfg.Height); err != nil {
		return nil, err
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
