package assetgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/warp"
)

// anchorDef is an anchor of the frontal drawing.
type anchorDef struct {
	name string
	x, y float64
	face string
	side string
}

// job is one template to render.
type job struct {
	dir, name string
	w, h      int
	spec      warp.Spec
	anchors   []anchorDef
	scene     func(x, y, cosView float64) rgba
}

// jobs lists every template: one frontal drawing per design. Turned heads need no variants:
// warp poses the frontal drawing in 3-D.
func jobs() []job {
	var js []job
	for _, ms := range maskStyles() {
		js = append(js, job{
			dir: "masks", name: fmt.Sprintf("mask_%s_%s", ms.style, ms.colour), w: maskW, h: maskH, anchors: maskAnchors,
			scene: maskScene(ms),
			spec:  warp.Spec{Kind: warp.KindMask, Style: ms.style, Colour: ms.colour, Transform: string(warp.FitPiecewise)},
		})
	}
	for _, gs := range glassStyles() {
		js = append(js, job{
			dir: "sunglasses", name: fmt.Sprintf("sunglasses_%s_%s", gs.style, gs.colour), w: glassW, h: glassH, anchors: glassAnchors,
			scene: glassScene(gs),
			spec:  warp.Spec{Kind: warp.KindSunglasses, Style: gs.style, Colour: gs.colour, Transform: string(warp.FitSimilarity)},
		})
	}
	return js
}

// Generate renders every template into outDir/masks and outDir/sunglasses
// (PNG + JSON each), validates each result, and returns the written paths
// in a fixed order. Output bytes depend only on this code.
func Generate(outDir string) ([]string, error) {
	js := jobs()
	type out struct {
		paths []string
		err   error
	}
	results := make([]out, len(js))
	// Rendering is independent per template; two workers match the target
	// machine. Results are collected by index, so order stays fixed.
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p, err := js[i].write(outDir)
				results[i] = out{p, err}
			}
		}()
	}
	for i := range js {
		next <- i
	}
	close(next)
	wg.Wait()
	var paths []string
	for i, r := range results {
		if r.err != nil {
			return nil, fmt.Errorf("generate template %s: %w", js[i].name, r.err)
		}
		paths = append(paths, r.paths...)
	}
	return paths, nil
}

func (j job) write(outDir string) ([]string, error) {
	img := render(j.w, j.h, frontShading(j.w, j.scene))
	spec := j.spec
	spec.Image = j.name + ".png"
	for _, a := range j.anchors {
		at := [2]float64{round2(a.x), round2(a.y)}
		spec.Anchors = append(spec.Anchors, warp.SpecAnchor{Name: a.name, Template: &at, Face: a.face, Side: a.side})
	}
	if err := validate(j.name, spec, img); err != nil {
		return nil, err
	}
	var pngBuf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&pngBuf, img); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	js, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	dir := filepath.Join(outDir, j.dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	pp, jp := filepath.Join(dir, spec.Image), filepath.Join(dir, j.name+".json")
	if err := dataset.WriteFileAtomic(pp, pngBuf.Bytes()); err != nil {
		return nil, err
	}
	if err := dataset.WriteFileAtomic(jp, append(js, '\n')); err != nil {
		return nil, err
	}
	return []string{jp, pp}, nil
}

// validate runs the same checks LoadTemplates will, before anything is
// written, so a generator change that breaks a template fails here.
func validate(name string, spec warp.Spec, img *image.NRGBA) error {
	t := &warp.Template{Name: name, Kind: spec.Kind, Style: spec.Style, Colour: spec.Colour,
		Transform: warp.FitKind(spec.Transform), Image: img}
	for _, a := range spec.Anchors {
		fp, err := warp.ParseFacePoint(a.Face)
		if err != nil {
			return fmt.Errorf("anchor %s: %w", a.Name, err)
		}
		t.Anchors = append(t.Anchors, warp.Anchor{Name: a.Name, At: face68.Point{X: a.Template[0], Y: a.Template[1]}, Face: fp, Side: a.Side})
	}
	return warp.ValidateTemplate(t)
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
