package face68

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"reflect"
	"strconv"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/textfile"
)

// LoadFile reads a generic 68-point landmarks file (docs/design.md): JSON
// lines {"path":"<rel>","landmarks":[[x,y],...68]} or CSV
// path,x0,y0,...,x67,y67 with an optional header line. Files ending in .csv
// are CSV, others are JSON lines. Keys are the cleaned slash paths relative
// to the dataset root. Any bad line fails the whole file with an error naming
// the file, the line and the reason, since a half-read landmarks file would
// silently send images down the detection path.
func LoadFile(file string) (map[string]Shape, error) {
	out, _, err := LoadFileLandmarkers(file)
	return out, err
}

// LoadFileLandmarkers is LoadFile that also returns, per path, the optional "landmarker" of
// a JSON line (the model that made those landmarks, e.g. "facemesh" in the landmarks68.jsonl
// of occlude align; lowercase letters, digits, '-' and '_', at most 32). Paths without one,
// and every path of a CSV file, are absent from the second map.
func LoadFileLandmarkers(file string) (map[string]Shape, map[string]string, error) {
	data, err := limits.ReadFile(file, limits.LandmarksFile, "landmarks file")
	if err != nil {
		return nil, nil, fmt.Errorf("landmarks: %w", err)
	}
	var out map[string]Shape
	by := map[string]string{}
	if strings.EqualFold(path.Ext(file), ".csv") {
		out, err = parseCSV(data)
	} else {
		out, err = parseJSONL(data, by)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("landmarks: %s: %w", file, err)
	}
	return out, by, nil
}

// cleanRel validates a dataset-relative path: slash-separated, not absolute,
// not escaping the root.
func cleanRel(rel string) (string, error) {
	if rel == "" {
		return "", errors.New("empty path")
	}
	if strings.ContainsRune(rel, '\\') || strings.ContainsRune(rel, 0) {
		return "", fmt.Errorf("unsafe path %s: backslash or NUL", limits.Excerpt(rel))
	}
	if strings.HasPrefix(rel, "/") {
		return "", fmt.Errorf("unsafe path %s: absolute", limits.Excerpt(rel))
	}
	c := path.Clean(rel)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("unsafe path %s: leaves the dataset root", limits.Excerpt(rel))
	}
	return c, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// addShape stores s under rel, refusing duplicates, which would otherwise
// make the result depend on line order.
func addShape(out map[string]Shape, first map[string]int, rel string, s Shape, line int) error {
	c, err := cleanRel(rel)
	if err != nil {
		return fmt.Errorf("line %d: %w", line, err)
	}
	if prev, ok := first[c]; ok {
		return fmt.Errorf("line %d: duplicate path %s (first on line %d)", line, limits.Excerpt(c), prev)
	}
	first[c] = line
	out[c] = s
	return nil
}

type jsonLine struct {
	Path       *string      `json:"path"`
	Landmarks  [][]*float64 `json:"landmarks"`
	Landmarker *string      `json:"landmarker"`
}

// parseJSONL reads JSON lines; each line's landmarker, when it has one, goes into by.
func parseJSONL(data []byte, by map[string]string) (map[string]Shape, error) {
	out := map[string]Shape{}
	first := map[string]int{}
	for line, s := range textfile.Lines(data) {
		text := []byte(strings.TrimSpace(s))
		if len(text) == 0 {
			continue
		}
		var jl jsonLine
		if err := json.Unmarshal(text, &jl); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) { // say what the field wants, not the Go type's name
				return nil, fmt.Errorf("line %d: %q holds a JSON %s, want %s", line, te.Field, te.Value, jsonWant(te.Type.Kind()))
			}
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if jl.Path == nil {
			return nil, fmt.Errorf("line %d: missing \"path\"", line)
		}
		if len(jl.Landmarks) != len(Shape{}) {
			return nil, fmt.Errorf("line %d: %d landmarks, want 68", line, len(jl.Landmarks))
		}
		var s Shape
		for i, xy := range jl.Landmarks {
			if len(xy) != 2 || xy[0] == nil || xy[1] == nil {
				return nil, fmt.Errorf("line %d: landmark %d is not an [x, y] pair of numbers", line, i)
			}
			if !finite(*xy[0]) || !finite(*xy[1]) {
				return nil, fmt.Errorf("line %d: landmark %d is not finite", line, i)
			}
			s[i] = Point{*xy[0], *xy[1]}
		}
		if err := addShape(out, first, *jl.Path, s, line); err != nil {
			return nil, err
		}
		if jl.Landmarker != nil {
			if !validLandmarker(*jl.Landmarker) {
				return nil, fmt.Errorf("line %d: landmarker %s: want a name of lowercase letters, digits, '-' or '_' (at most 32)", line, limits.Excerpt(*jl.Landmarker))
			}
			c, _ := cleanRel(*jl.Path) // addShape checked it
			by[c] = *jl.Landmarker
		}
	}
	return out, nil
}

// jsonWant names what a JSON line's field of Go kind k holds, for errors.
func jsonWant(k reflect.Kind) string {
	switch k {
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	}
	return "another type"
}

// validLandmarker reports whether name is a landmarker name a landmarks file may give.
func validLandmarker(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func parseCSV(data []byte) (map[string]Shape, error) {
	out := map[string]Shape{}
	first := map[string]int{}
	r := csv.NewReader(bytes.NewReader(textfile.StripBOM(data)))
	r.FieldsPerRecord = -1 // counted here, for an error that names the line
	r.ReuseRecord = true
	const want = 1 + 2*len(Shape{})
	for rec := 0; ; rec++ {
		fields, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err // csv.ParseError already names the line
		}
		line, _ := r.FieldPos(0)
		if len(fields) != want {
			return nil, fmt.Errorf("line %d: %d fields, want %d (path and 68 x,y pairs)", line, len(fields), want)
		}
		if rec == 0 && isHeader(fields) {
			continue
		}
		var s Shape
		for i := range s {
			for k, dst := range []*float64{&s[i].X, &s[i].Y} {
				f := strings.TrimSpace(fields[1+2*i+k])
				v, err := strconv.ParseFloat(f, 64)
				if err != nil || !finite(v) {
					return nil, fmt.Errorf("line %d: landmark %d: bad number %s", line, i, limits.Excerpt(f))
				}
				*dst = v
			}
		}
		if err := addShape(out, first, strings.TrimSpace(fields[0]), s, line); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// isHeader treats a first record as a header when its first coordinate
// column is not a number (e.g. "path,x0,y0,...").
func isHeader(fields []string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(fields[1]), 64)
	return err != nil
}

// AppendJSONL appends one line of the generic JSON-lines format for rel and s to dst, so
// writers (synth, occlude) produce files LoadFile reads back. Coordinates are written with
// prec decimals, or, for prec < 0, in the shortest form that reads back to the same float64.
func AppendJSONL(dst []byte, rel string, s Shape, prec int) []byte {
	return AppendJSONLBy(dst, rel, s, prec, "")
}

// AppendJSONLBy is AppendJSONL with the line's "landmarker" (after the landmarks) when
// landmarker is not "": the model that made s, read back by LoadFileLandmarkers.
func AppendJSONLBy(dst []byte, rel string, s Shape, prec int, landmarker string) []byte {
	dst = append(dst, `{"path":`...)
	q, _ := json.Marshal(rel) // a string always marshals
	dst = append(dst, q...)
	dst = append(dst, `,"landmarks":[`...)
	format := byte('f')
	if prec < 0 {
		format = 'g'
	}
	for i, p := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		dst = strconv.AppendFloat(dst, p.X, format, prec, 64)
		dst = append(dst, ',')
		dst = strconv.AppendFloat(dst, p.Y, format, prec, 64)
		dst = append(dst, ']')
	}
	dst = append(dst, ']')
	if landmarker != "" {
		dst = append(dst, `,"landmarker":`...)
		q, _ = json.Marshal(landmarker)
		dst = append(dst, q...)
	}
	return append(dst, "}\n"...)
}
