package audit

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/occfer/occfer/internal/safepath"
	"github.com/occfer/occfer/landmarks/face68"
)

// Options say what to audit.
type Options struct {
	Out       string // occlude output folder (manifest.jsonl, occlusion_masks/)
	Landmarks string // ground-truth 68-point landmarks file (JSONL or CSV, face68.LoadFile); "" = the manifest's landmarks
	Pose      string // pose file (LoadPoseFile); "" = the manifest's pose, else EstimateYaw
	Kind      string // mask, sunglasses or random; "" = the run's kind from OUT/.occfer/occlude.json
	Workers   int    // parallel mask readers; 0 = GOMAXPROCS
}

// Yaw sources of FaceResult.YawSource.
const (
	YawFromPoseFile = "pose-file" // Options.Pose
	YawFromManifest = "manifest"  // the manifest's faces[].pose
	YawEstimated    = "estimated" // EstimateYaw of the scored landmarks
)

// FaceResult is the audit of one face.
type FaceResult struct {
	Yaw       *float64 `json:"yaw"` // degrees, sign as Pose.Yaw; null when unknown
	YawSource string   `json:"yaw_source,omitempty"`
	Band      string   `json:"band"`
	// Found: the image was occluded and, against a landmarks file, one of the manifest's
	// faces is this face (their landmark boxes overlap with IoU >= 0.3). A missed face, a
	// failed image or a mask drawn only on something else is not found.
	Found bool `json:"found"`
	Metrics
	// Pass is whether every rule of the kind holds; absent for kinds without rules.
	Pass   *bool    `json:"pass,omitempty"`
	Failed []string `json:"failed,omitempty"` // the rules that fail, or the status that failed the image

	excess float64      // summed excess over the failed rules, for ranking
	shape  face68.Shape // the landmarks scored against
	scored bool         // the face has landmarks (false: an image that failed before any were known)
}

// ImageResult is the audit of one manifest record.
type ImageResult struct {
	In     string       `json:"in"`
	Status string       `json:"status"`
	Error  string       `json:"error,omitempty"`
	Faces  []FaceResult `json:"faces,omitempty"`

	out, mask string // output paths relative to Out ("" when none)
}

// BandStats aggregates the faces of one yaw band.
type BandStats struct {
	Band     string  `json:"band"`
	Faces    int     `json:"faces"`
	Found    int     `json:"found"`
	Passed   int     `json:"passed"`
	PassRate float64 `json:"pass_rate"` // Passed / Faces (0 without faces or rules)
	// Median is the per-metric median over the found faces (occluded where the face is):
	// how the placement does, apart from detection misses, which the pass rate counts.
	Median Metrics `json:"median"`
}

// Report is an audit's result.
type Report struct {
	Out     string   `json:"out"`
	Kind    string   `json:"kind"`
	Truth   string   `json:"ground_truth"` // the landmarks file, or "manifest"
	Poses   string   `json:"poses"`        // the pose file, or "manifest, else estimated"
	Rules   []string `json:"rules"`
	Images  int      `json:"images"`   // manifest records
	NoTruth int      `json:"no_truth"` // records without ground truth (not in the landmarks file; manifest mode: no face and no error)
	// Bands holds Bands in order, BandUnknown when any face is in it, and "all" last.
	Bands   []BandStats   `json:"bands"`
	Results []ImageResult `json:"results"`
}

// Run audits the occlusion masks of the occlude output folder opts.Out. It needs masks
// (occlude --write-masks). Records with status error or unreadable count as failed faces, as
// do faces of the landmarks file that were not occluded (no-face). It stops only on a
// problem with the whole folder or the input files (no manifest, a bad landmarks or pose
// file, a missing mask); ctx cancels it.
func Run(ctx context.Context, opts Options) (*Report, error) {
	recs, err := readManifest(opts.Out)
	if err != nil {
		return nil, err
	}
	kind := opts.Kind
	if kind == "" {
		if kind, err = runKind(opts.Out); err != nil {
			return nil, err
		}
		if kind == "" {
			return nil, fmt.Errorf("%s: no run settings (.occfer/occlude.json) to take the occlusion kind from; pass it (mask, sunglasses or random)", opts.Out)
		}
	}
	rep := &Report{Out: opts.Out, Kind: kind, Truth: "manifest", Poses: "manifest, else estimated", Images: len(recs)}
	rules := RulesFor(kind)
	for _, r := range rules {
		rep.Rules = append(rep.Rules, r.String())
	}
	var truth map[string]face68.Shape
	if opts.Landmarks != "" {
		if truth, err = face68.LoadFile(opts.Landmarks); err != nil {
			return nil, err
		}
		rep.Truth = opts.Landmarks
	}
	var poses map[string]Pose
	if opts.Pose != "" {
		if poses, err = LoadPoseFile(opts.Pose); err != nil {
			return nil, err
		}
		rep.Poses = opts.Pose
	}
	for i := range recs {
		if recs[i].occluded() && recs[i].Mask == "" {
			return nil, fmt.Errorf("%s: %s has no occlusion mask: audit needs the masks, rerun occlude with --write-masks", opts.Out, recs[i].In)
		}
	}
	rep.Results = make([]ImageResult, len(recs))
	errs := make([]error, len(recs))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(workers, max(1, len(recs))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rep.Results[i], errs[i] = auditRecord(opts.Out, &recs[i], truth, poses, rules)
			}
		}()
	}
feed:
	for i := range recs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range rep.Results {
		if len(rep.Results[i].Faces) == 0 {
			rep.NoTruth++
		}
	}
	rep.Bands = aggregate(rep.Results, rules != nil)
	return rep, nil
}

// auditRecord scores one record. Its error is fatal for the audit (a mask the manifest
// names is missing or unreadable): the audited folder is broken, not one image.
func auditRecord(out string, r *record, truth map[string]face68.Shape, poses map[string]Pose, rules []Rule) (ImageResult, error) {
	res := ImageResult{In: r.In, Status: r.Status, Error: r.Error, out: r.Out, mask: r.Mask}
	var faces []face68.Shape
	var manifestFaces []*faceRecord
	if truth != nil {
		s, ok := truth[r.In]
		if !ok {
			return res, nil // no ground truth: not scored
		}
		faces = []face68.Shape{s}
		var best *faceRecord
		bestIoU := 0.3
		for k := range r.Faces {
			sh := r.Faces[k].shape()
			if v := iou(s.Box(), sh.Box()); v >= bestIoU {
				best, bestIoU = &r.Faces[k], v
			}
		}
		manifestFaces = []*faceRecord{best}
	} else {
		for k := range r.Faces {
			faces = append(faces, r.Faces[k].shape())
			manifestFaces = append(manifestFaces, &r.Faces[k])
		}
	}
	failedStatus := r.Status == statusError || r.Status == statusUnreadable
	if len(faces) == 0 {
		if failedStatus { // a failed image without ground truth: one failed face of unknown pose
			res.Faces = []FaceResult{{Band: BandUnknown, Pass: boolPtr(false, rules), Failed: []string{"status " + r.Status}, excess: math.Inf(1)}}
		}
		return res, nil
	}
	m := NewMask(max(r.Width, 1), max(r.Height, 1))
	if r.occluded() {
		var err error
		mp, err := safepath.Within(out, r.Mask) // only a mask inside OUT is read
		if err != nil {
			return res, fmt.Errorf("occlusion mask: %w", err)
		}
		if m, err = LoadMask(mp); err != nil {
			return res, err
		}
		if r.Width > 0 && (m.W != r.Width || m.H != r.Height) {
			return res, fmt.Errorf("occlusion mask %s is %dx%d, the image %s is %dx%d", r.Mask, m.W, m.H, r.In, r.Width, r.Height)
		}
	}
	metrics := Measure(m, faces)
	for k := range faces {
		f := FaceResult{Metrics: round4(metrics[k]), shape: faces[k], scored: true}
		f.Found = r.occluded() && manifestFaces[k] != nil
		yaw, src := math.NaN(), ""
		if p, ok := poses[r.In]; ok && k == 0 {
			yaw, src = p.Yaw, YawFromPoseFile
		} else if mf := manifestFaces[k]; mf != nil && mf.Pose != nil {
			yaw, src = mf.Pose.Yaw, YawFromManifest
		} else if v := EstimateYaw(&faces[k]); !math.IsNaN(v) {
			yaw, src = v, YawEstimated
		}
		if !math.IsNaN(yaw) {
			y := math.Round(yaw*100) / 100
			f.Yaw, f.YawSource = &y, src
		}
		f.Band = BandOf(yaw)
		switch {
		case failedStatus:
			f.Failed, f.excess = []string{"status " + r.Status}, math.Inf(1)
		case r.Status == statusNoFace:
			f.Failed, f.excess = []string{"no-face"}, math.Inf(1)
		default:
			f.Failed, f.excess = Judge(f.Metrics, rules)
		}
		f.Pass = boolPtr(len(f.Failed) == 0, rules)
		res.Faces = append(res.Faces, f)
	}
	return res, nil
}

// boolPtr is &v, or nil when there are no rules to pass.
func boolPtr(v bool, rules []Rule) *bool {
	if rules == nil {
		return nil
	}
	return &v
}

func round4(m Metrics) Metrics {
	r := func(v float64) float64 { return math.Round(v*1e4) / 1e4 }
	return Metrics{Mouth: r(m.Mouth), Nose: r(m.Nose), Eyes: r(m.Eyes), Spill: r(m.Spill)}
}

func iou(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	ia := float64(in.Dx() * in.Dy())
	u := float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - ia
	if u <= 0 {
		return 0
	}
	return ia / u
}

// aggregate sums the faces per band, in Bands order, then BandUnknown (when used), then all.
func aggregate(results []ImageResult, judged bool) []BandStats {
	by := map[string][]*FaceResult{}
	var all []*FaceResult
	for i := range results {
		for k := range results[i].Faces {
			f := &results[i].Faces[k]
			by[f.Band] = append(by[f.Band], f)
			all = append(all, f)
		}
	}
	names := append(append([]string(nil), Bands...), BandUnknown)
	var out []BandStats
	for _, b := range names {
		if b == BandUnknown && len(by[b]) == 0 {
			continue
		}
		out = append(out, bandStats(b, by[b], judged))
	}
	return append(out, bandStats("all", all, judged))
}

func bandStats(name string, faces []*FaceResult, judged bool) BandStats {
	s := BandStats{Band: name, Faces: len(faces)}
	var cols [4][]float64
	for _, f := range faces {
		if f.Pass != nil && *f.Pass {
			s.Passed++
		}
		if !f.Found {
			continue
		}
		s.Found++
		for i, v := range [4]float64{f.Mouth, f.Nose, f.Eyes, f.Spill} {
			cols[i] = append(cols[i], v)
		}
	}
	if judged && s.Faces > 0 {
		s.PassRate = float64(s.Passed) / float64(s.Faces)
	}
	s.Median = Metrics{Mouth: median(cols[0]), Nose: median(cols[1]), Eyes: median(cols[2]), Spill: median(cols[3])}
	return s
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
