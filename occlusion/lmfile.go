package occlusion

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/landmarks"
)

// loadLandmarksFile reads a generic 68-point landmarks file (docs/design.md): JSON lines
// {"path": rel, "landmarks": [[x, y] x 68]} or CSV "path,x0,y0,...,x67,y67" with an optional
// header. Errors name the file and line. It returns the shapes by cleaned rel path and a digest
// of the file.
func loadLandmarksFile(p string) (map[string]landmarks.Shape, string, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, "", fmt.Errorf("landmarks file: %w", err)
	}
	out := map[string]landmarks.Shape{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rel, s, err := parseLandmarkLine(line, n)
		if err != nil {
			return nil, "", fmt.Errorf("landmarks file %s:%d: %w", p, n, err)
		}
		if rel == "" {
			continue // CSV header
		}
		if _, dup := out[rel]; dup {
			return nil, "", fmt.Errorf("landmarks file %s:%d: %s is listed twice", p, n, rel)
		}
		out[rel] = s
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("landmarks file %s: %w", p, err)
	}
	return out, sha256Hex(data)[:16], nil
}

func parseLandmarkLine(line string, n int) (string, landmarks.Shape, error) {
	var s landmarks.Shape
	var rel string
	var vals []float64
	if strings.HasPrefix(line, "{") {
		var rec struct {
			Path      string       `json:"path"`
			Landmarks [][2]float64 `json:"landmarks"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return "", s, fmt.Errorf("bad JSON: %v", err)
		}
		if len(rec.Landmarks) != 68 {
			return "", s, fmt.Errorf("%d landmarks, want 68", len(rec.Landmarks))
		}
		rel = rec.Path
		for _, p := range rec.Landmarks {
			vals = append(vals, p[0], p[1])
		}
	} else {
		f := strings.Split(line, ",")
		if len(f) != 1+136 {
			return "", s, fmt.Errorf("%d CSV fields, want path plus 136 coordinates", len(f))
		}
		rel = strings.TrimSpace(f[0])
		for i, v := range f[1:] {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				if n == 1 && i == 0 {
					return "", s, nil // header
				}
				return "", s, fmt.Errorf("field %d: %q is not a number", i+2, v)
			}
			vals = append(vals, x)
		}
	}
	clean, err := dataset.CleanRel(rel)
	if err != nil {
		return "", s, fmt.Errorf("path rejected: %v", err)
	}
	for i := range s {
		x, y := vals[2*i], vals[2*i+1]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			return "", s, fmt.Errorf("landmark %d of %s is not finite", i, clean)
		}
		s[i] = landmarks.Point{X: x, Y: y}
	}
	return clean, s, nil
}
