package face68

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/textfile"
)

// RAF-DB annotation point counts.
const (
	RAFManualPoints = 5  // Annotation/manual/<stem>_manu_attri.txt
	RAFAutoPoints   = 37 // Annotation/auto/<stem>_auto_attri.txt
)

// LoadRAFAnnotation reads a RAF-DB landmark annotation. The kind follows the
// file name: *_manu_attri.txt holds 5 points, *_auto_attri.txt 37. Each point
// is one line "x<TAB>y" in the coordinates of the original image
// (Image/original), not of the aligned crop. The 5 manual points are, in
// file order: the eye on the image left (the subject's right eye), the eye on
// the image right, the nose tip, the mouth corner on the image left, the
// mouth corner on the image right (RAF-DB names them "left/right" as seen in
// the image; real files have x of point 0 < x of point 1). The manual file
// then has gender, race and age lines (one integer each), which are skipped;
// any other trailing line is an error.
func LoadRAFAnnotation(file string) ([]Point, error) {
	var want int
	switch base := filepath.Base(file); {
	case strings.HasSuffix(base, "_manu_attri.txt"):
		want = RAFManualPoints
	case strings.HasSuffix(base, "_auto_attri.txt"):
		want = RAFAutoPoints
	default:
		return nil, fmt.Errorf("landmarks: %s: not a RAF-DB annotation (want a name ending in _manu_attri.txt or _auto_attri.txt)", file)
	}
	data, err := limits.ReadFile(file, limits.AnnotationFile, "annotation")
	if err != nil {
		return nil, fmt.Errorf("landmarks: %w", err)
	}
	pts, err := parseRAF(data, want)
	if err != nil {
		return nil, fmt.Errorf("landmarks: %s: %w", file, err)
	}
	return pts, nil
}

func parseRAF(data []byte, want int) ([]Point, error) {
	pts := make([]Point, 0, want)
	for line, text := range textfile.Lines(data) {
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(pts) == want {
			// Attribute lines: a single integer each.
			if _, err := strconv.Atoi(fields[0]); len(fields) != 1 || err != nil {
				return nil, fmt.Errorf("line %d: %d landmarks already read, want only attribute lines after them, got %s", line, want, limits.Excerpt(text))
			}
			continue
		}
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: landmark %d: want \"x y\", got %s (file has fewer than %d landmarks?)", line, len(pts), limits.Excerpt(text), want)
		}
		var p Point
		for k, dst := range []*float64{&p.X, &p.Y} {
			v, err := strconv.ParseFloat(fields[k], 64)
			if err != nil || !finite(v) {
				return nil, fmt.Errorf("line %d: landmark %d: bad number %s", line, len(pts), limits.Excerpt(fields[k]))
			}
			*dst = v
		}
		pts = append(pts, p)
	}
	if len(pts) != want {
		return nil, fmt.Errorf("%d landmarks, want %d", len(pts), want)
	}
	return pts, nil
}
