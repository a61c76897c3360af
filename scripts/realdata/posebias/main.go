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
package main

import (
	"bufio"
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
	Yaw       float64      `json:"yaw"`
	Faces     []struct {
		Landmarks [][2]float64 `json:"landmarks"`
	} `json:"faces"`
}

func (r record) name() string {
	if r.Path != "" {
		return r.Path
	}
	return r.In
}

// shape is the record's landmarks (its first face's for a manifest line), ok false when none.
func (r record) shape() (s face68.Shape, ok bool) {
	pts := r.Landmarks
	if len(r.Faces) > 0 {
		pts = r.Faces[0].Landmarks
	}
	if len(pts) != 68 {
		return s, false
	}
	for i, p := range pts {
		s[i] = face68.Point{X: p[0], Y: p[1]}
	}
	return s, true
}

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
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
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
		if s, ok := r.shape(); ok {
			truth[r.name()] = s
		}
	}
	yaw := map[string]float64{}
	for _, r := range poses {
		yaw[r.name()] = r.Yaw
	}
	rows := make([][]row, len(bands))
	for _, r := range lms {
		s, ok := r.shape()
		t, okT := truth[r.name()]
		y, okY := yaw[r.name()]
		if !ok || !okT || !okY {
			continue
		}
		fit, err := face3d.FitPose(&s)
		if err != nil {
			continue
		}
		tfit, err := face3d.FitPose(&t)
		if err != nil {
			continue
		}
		b := t.Box()
		norm := math.Sqrt(float64(b.Dx() * b.Dy()))
		var e float64
		for i := 17; i < 68; i++ {
			e += face68.Distance(s[i], t[i])
		}
		k := band(y)
		rows[k] = append(rows[k], row{math.Abs(fit.Pose.Yaw) - math.Abs(y), math.Abs(tfit.Pose.Yaw) - math.Abs(y), e / 51 / norm})
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
