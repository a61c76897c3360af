// Command posebias measures, per yaw band, how far the head pose fitted to a landmarks file
// (face3d.FitPose, points 17-67) falls short of the annotated pose, and the landmarks' error on
// points 17-67 against the annotation: the figures behind landmarks.RestartYaw
// (docs/occlude.md, "Turned faces").
//
//	go run ./scripts/realdata/posebias -landmarks FILE -truth .realdata/sets/aflw/truth.jsonl -pose .realdata/sets/aflw/pose.jsonl
//
// FILE is an occlude manifest (its faces[0].landmarks) or a landmarks file (JSONL with "path"
// and "landmarks", face68.LoadFile's format). Per band of the annotated |yaw| (0-15, 15-30,
// 30-45, 45-60, 60-90 deg) it prints the faces, the mean of |fitted yaw| − |annotated yaw|
// (negative: the landmarks look less turned than the face is), the same for the annotation's
// own landmarks (the fit's bias on perfect landmarks), and the median and 90th percentile of
// the mean point error over 17-67, in units of the square root of the annotation's box area.
// A face whose landmarks' centre lies more than a third of that size from the annotation's is
// another face or a failed prediction, not a turned one: it is left out and counted. Every
// record needs 68 points (and a pose record a yaw); a bad line is an error naming file and line.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks/face68"
)

func main() {
	lmPath := flag.String("landmarks", "", "manifest.jsonl of an occlude run, or a landmarks JSONL file")
	truthPath := flag.String("truth", "", "annotated landmarks (JSONL: path, landmarks)")
	posePath := flag.String("pose", "", "annotated poses (JSONL: path, yaw in degrees)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "posebias: unexpected arguments %q (flags only)\n", flag.Args())
		os.Exit(2)
	}
	if err := run(*lmPath, *truthPath, *posePath); err != nil {
		fmt.Fprintln(os.Stderr, "posebias:", err)
		os.Exit(1)
	}
}

// record is one line of either input format.
type record struct {
	In        string       `json:"in"`
	Path      string       `json:"path"`
	Landmarks [][2]float64 `json:"landmarks"`
	Yaw       *float64     `json:"yaw"`
	Faces     []struct {
		Landmarks [][2]float64 `json:"landmarks"`
	} `json:"faces"`
	line int
}

func (r record) name() string {
	if r.Path != "" {
		return r.Path
	}
	return r.In
}

// shape is the record's landmarks (its first face's for a manifest line); ok false for a
// manifest line without faces (no face found), an error for any other count than 68.
func (r record) shape(path string) (s face68.Shape, ok bool, err error) {
	pts := r.Landmarks
	if len(r.Faces) > 0 {
		pts = r.Faces[0].Landmarks
	} else if r.In != "" && r.Path == "" {
		return s, false, nil
	}
	if len(pts) != 68 {
		return s, false, fmt.Errorf("%s:%d: %d landmarks, want 68", path, r.line, len(pts))
	}
	for i, p := range pts {
		s[i] = face68.Point{X: p[0], Y: p[1]}
	}
	return s, true, nil
}

// readJSONL reads one record per non-blank line; each needs a name (in or path).
func readJSONL(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		r := record{line: line}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if r.name() == "" {
			return nil, fmt.Errorf("%s:%d: no \"path\" or \"in\"", path, line)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no records", path)
	}
	return out, nil
}

var bands = []string{"0-15", "15-30", "30-45", "45-60", "60-90"}

func band(yaw float64) int { return min(int(math.Abs(yaw)/15), 4) }

type row struct{ bias, truthBias, err float64 }

func run(lmPath, truthPath, posePath string) error {
	if lmPath == "" || truthPath == "" || posePath == "" {
		return fmt.Errorf("-landmarks, -truth and -pose are required")
	}
	lms, err := readJSONL(lmPath)
	if err != nil {
		return err
	}
	truths, err := readJSONL(truthPath)
	if err != nil {
		return err
	}
	poses, err := readJSONL(posePath)
	if err != nil {
		return err
	}
	truth := map[string]face68.Shape{}
	for _, r := range truths {
		s, ok, err := r.shape(truthPath)
		if err != nil {
			return err
		}
		if ok {
			truth[r.name()] = s
		}
	}
	yaw := map[string]float64{}
	for _, r := range poses {
		if r.Yaw == nil {
			return fmt.Errorf("%s:%d: no \"yaw\"", posePath, r.line)
		}
		yaw[r.name()] = *r.Yaw
	}
	rows := make([][]row, len(bands))
	var noFace, unmatched, other, unfit int
	for _, r := range lms {
		s, ok, err := r.shape(lmPath)
		if err != nil {
			return err
		}
		if !ok {
			noFace++
			continue
		}
		t, okT := truth[r.name()]
		y, okY := yaw[r.name()]
		if !okT || !okY {
			unmatched++
			continue
		}
		b := t.Box()
		norm := math.Sqrt(float64(b.Dx() * b.Dy()))
		if face68.Distance(face68.Centroid(s[:]), face68.Centroid(t[:])) > norm/3 {
			other++
			continue
		}
		fit, err := face3d.FitPose(&s)
		if err != nil {
			unfit++
			continue
		}
		tfit, err := face3d.FitPose(&t)
		if err != nil {
			unfit++
			continue
		}
		var e float64
		for i := 17; i < 68; i++ {
			e += face68.Distance(s[i], t[i])
		}
		k := band(y)
		rows[k] = append(rows[k], row{math.Abs(fit.Pose.Yaw) - math.Abs(y), math.Abs(tfit.Pose.Yaw) - math.Abs(y), e / 51 / norm})
	}
	scored := 0
	for _, rs := range rows {
		scored += len(rs)
	}
	fmt.Fprintf(os.Stderr, "posebias: %d faces scored; left out: %d without a face, %d without annotation or pose, %d not the annotated face, %d without a pose fit\n", scored, noFace, unmatched, other, unfit)
	if scored == 0 {
		return fmt.Errorf("no face of %s matches %s and %s", lmPath, truthPath, posePath)
	}
	fmt.Println("| yaw band | faces | fitted − annotated yaw | same, annotation's landmarks | error 17-67, median | 90th pct |")
	fmt.Println("|---|---|---|---|---|---|")
	for k, rs := range rows {
		if len(rs) == 0 {
			continue
		}
		var bias, tb float64
		errs := make([]float64, len(rs))
		for i, r := range rs {
			bias += r.bias
			tb += r.truthBias
			errs[i] = r.err
		}
		sort.Float64s(errs)
		n := float64(len(rs))
		fmt.Printf("| %s | %d | %+.1f | %+.1f | %.3f | %.3f |\n", bands[k], len(rs), bias/n, tb/n, errs[len(errs)/2], errs[len(errs)*9/10])
	}
	return nil
}
