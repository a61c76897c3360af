package warp

import (
	"image"
	"sort"
	"sync"

	"github.com/occfer/occfer/landmarks/face68"
)

// Kinds of overlay.
const (
	KindMask       = "mask"
	KindSunglasses = "sunglasses"
)

// Variants of a template: drawn for a frontal face or for a head turned so
// that the nose points toward image left / image right (see face68.Shape.YawRatio).
const (
	VariantFrontal = "frontal"
	VariantLeft    = "left"
	VariantRight   = "right"
)

// Anchor ties a template pixel to a face point.
type Anchor struct {
	Name string
	At   face68.Point // in template pixels (pixel centres at integer coordinates)
	Face FacePoint    // where At must land on the face
	// Side is used by piecewise fits: "left" and "right" anchors drive one
	// half each, the two "both" anchors lie on the seam and drive both.
	Side string
}

// Template is an RGBA overlay with the anchors that place it on a face.
type Template struct {
	Name      string // spec file name without ".json"
	Kind      string // KindMask or KindSunglasses
	Style     string // e.g. "surgical", "n95", "aviator"
	Colour    string
	Variant   string // VariantFrontal, VariantLeft or VariantRight
	Group     string // templates of one group differ only by Variant
	Transform FitKind
	Anchors   []Anchor
	Image     *image.NRGBA // straight (non-premultiplied) alpha
	SpecPath  string       // for error messages; empty for in-memory templates
	ImagePath string
	// SpecSHA256 and ImageSHA256 are the hex sha256 of the spec and image files as loaded
	// (empty for in-memory templates): they identify a template's content wherever it was
	// loaded from (a folder or the built-in set), for the settings record of a run.
	SpecSHA256, ImageSHA256 string

	// variants holds the group siblings by variant (including this one); it
	// is filled by LinkVariants and read by yaw-aware Apply.
	variants map[string]*Template

	cacheMu sync.Mutex
	levels  map[int]*level // pre-scaled premultiplied BGRA copies, see levels.go
}

// Variants returns the loaded variants of t's group, t itself included, in
// frontal, left, right order.
func (t *Template) Variants() []*Template {
	var out []*Template
	for _, v := range []string{VariantFrontal, VariantLeft, VariantRight} {
		if s, ok := t.variants[v]; ok {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = append(out, t)
	}
	return out
}

// LinkVariants groups templates by Group so that yaw-aware placement can swap
// a frontal template for its left / right sibling. LoadTemplates calls it.
func LinkVariants(ts []*Template) {
	groups := map[string]map[string]*Template{}
	for _, t := range ts {
		g := groups[t.Group]
		if g == nil {
			g = map[string]*Template{}
			groups[t.Group] = g
		}
		g[t.Variant] = t
	}
	for _, t := range ts {
		t.variants = groups[t.Group]
	}
}

// anchorPoints returns the template and face points of the anchors that pass
// keep (all when keep is nil).
func (t *Template) anchorPoints(face *face68.Shape, keep func(Anchor) bool) (src, dst []face68.Point) {
	for _, a := range t.Anchors {
		if keep != nil && !keep(a) {
			continue
		}
		src = append(src, a.At)
		dst = append(dst, a.Face.At(face))
	}
	return src, dst
}

func sortTemplates(ts []*Template) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
}
