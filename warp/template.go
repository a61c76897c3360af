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
	Transform FitKind // how the anchors fit the frontal reference face (see mesh.go)
	Anchors   []Anchor
	Image     *image.NRGBA // straight (non-premultiplied) alpha
	SpecPath  string       // for error messages; empty for in-memory templates
	ImagePath string
	// SpecSHA256 and ImageSHA256 are the hex sha256 of the spec and image files as loaded
	// (empty for in-memory templates): they identify a template's content wherever it was
	// loaded from (a folder or the built-in set), for the settings record of a run.
	SpecSHA256, ImageSHA256 string

	cacheMu sync.Mutex
	levels  map[int]*level // pre-scaled premultiplied BGRA copies, see levels.go

	// meshV: the template draped over its 3-D surface (mesh.go), at each grid detail
	// (meshDetail), each built once on first use.
	meshOnce [3]sync.Once
	meshV    [3]*overlayMesh
	meshErr  [3]error
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
