package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/safepath"
	"github.com/occfer/occfer/landmarks/face68"
)

// record is the part of a manifest.jsonl line (docs/occlude.md, "Manifest") that the audit
// reads. Decoding only these fields keeps the audit independent of the writer's other fields.
type record struct {
	In     string       `json:"in"`
	Out    string       `json:"out"`
	Status string       `json:"status"`
	Width  int          `json:"width"`
	Height int          `json:"height"`
	Faces  []faceRecord `json:"faces"`
	Mask   string       `json:"mask"`
	Error  string       `json:"error"`
}

type faceRecord struct {
	Source    string         `json:"source"`
	Box       [4]int         `json:"box"`
	Landmarks [68][2]float64 `json:"landmarks"`
	// Pose is the head pose occlude estimated for the face, when the manifest carries one
	// (faces[].pose {"yaw","pitch","roll"} in degrees, sign as Pose.Yaw).
	Pose *Pose `json:"pose"`
}

func (f *faceRecord) shape() face68.Shape {
	var s face68.Shape
	for i, p := range f.Landmarks {
		s[i] = face68.Point{X: p[0], Y: p[1]}
	}
	return s
}

// Status values of the manifest that the audit tells apart.
const (
	statusNoFace     = "no-face"
	statusUnreadable = "unreadable"
	statusError      = "error"
)

// occluded reports whether the record's image was occluded (a landmark source as status).
func (r *record) occluded() bool {
	switch r.Status {
	case statusNoFace, statusUnreadable, statusError:
		return false
	}
	return true
}

// checkPaths validates the record's paths like user input (safepath.Rel): relative, inside
// their trees, so a hand-edited manifest cannot make the audit open a file elsewhere.
func (r *record) checkPaths() error {
	for _, f := range []struct{ name, rel string }{{"in", r.In}, {"out", r.Out}, {"mask", r.Mask}} {
		if f.rel == "" {
			continue
		}
		if _, err := safepath.Rel(f.rel); err != nil {
			return fmt.Errorf("%q: %w", f.name, err)
		}
	}
	return nil
}

// within is root/rel when the file lies inside root (links resolved, safepath.Within), else "".
func within(root, rel string) string {
	p, err := safepath.Within(root, rel)
	if err != nil {
		return ""
	}
	return p
}

// readManifest reads OUT/manifest.jsonl, sorted by input path. Every line must be a record:
// the audit reads finished runs (a torn journal line is a resume matter, not an audit one).
func readManifest(out string) ([]record, error) {
	p := filepath.Join(out, "manifest.jsonl")
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no manifest: not an occlude output folder, or the run is unfinished (resume it, or merge its shards)", p)
		}
		return nil, err
	}
	defer f.Close()
	var recs []record
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: not a manifest record: %w", p, n, err)
		}
		if r.In == "" || r.Status == "" {
			return nil, fmt.Errorf("%s:%d: not a manifest record: no \"in\" or \"status\"", p, n)
		}
		if err := r.checkPaths(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", p, n, err)
		}
		if prev, ok := seen[r.In]; ok {
			return nil, fmt.Errorf("%s:%d: %q again (first on line %d)", p, n, r.In, prev)
		}
		seen[r.In] = n
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].In < recs[j].In })
	return recs, nil
}

// runKind reads the occlusion kind from OUT/.occfer/occlude.json (the run's settings); ""
// when the file is absent.
func runKind(out string) (string, error) {
	p := filepath.Join(out, ".occfer", "occlude.json")
	data, err := limits.ReadFile(p, limits.RunFile, "run settings")
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var s struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return s.Kind, nil
}
