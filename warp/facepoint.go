package warp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/occfer/occfer/landmarks/face68"
)

// FacePoint is a point built from the 68 landmarks as a weighted sum of
// landmark indices (weights sum to 1). It is parsed from the anchor JSON:
//
//	"30"               landmark 30
//	"mid(3,31)"        midpoint of 3 and 31
//	"mean(36,...,41)"  centroid of the listed landmarks
//	"lerp(2,30,0.25)"  2 + 0.25·(30 − 2)
//	"w(3:0.25,31:0.75)" explicit weights (must sum to 1)
type FacePoint struct {
	Expr    string
	Index   []int
	Weights []float64
}

// At evaluates the face point on a shape.
func (f FacePoint) At(s *face68.Shape) face68.Point {
	var p face68.Point
	for i, idx := range f.Index {
		p.X += f.Weights[i] * s[idx].X
		p.Y += f.Weights[i] * s[idx].Y
	}
	return p
}

// ParseFacePoint parses the expression forms documented on FacePoint.
func ParseFacePoint(expr string) (FacePoint, error) {
	e := strings.ReplaceAll(strings.TrimSpace(expr), " ", "")
	fp := FacePoint{Expr: expr}
	if e == "" {
		return fp, fmt.Errorf("empty face point")
	}
	if n, err := strconv.Atoi(e); err == nil {
		if err := checkIndex(n); err != nil {
			return fp, err
		}
		fp.Index, fp.Weights = []int{n}, []float64{1}
		return fp, nil
	}
	open := strings.IndexByte(e, '(')
	if open < 0 || !strings.HasSuffix(e, ")") {
		return fp, fmt.Errorf("unknown face point %q (want N, mid(a,b), mean(a,...), lerp(a,b,t) or w(a:wa,...))", expr)
	}
	fn, args := e[:open], strings.Split(e[open+1:len(e)-1], ",")
	switch fn {
	case "mid", "mean":
		if fn == "mid" && len(args) != 2 {
			return fp, fmt.Errorf("face point %q: mid takes 2 landmark indices", expr)
		}
		for _, a := range args {
			n, err := parseIndex(a)
			if err != nil {
				return fp, fmt.Errorf("face point %q: %w", expr, err)
			}
			fp.Index = append(fp.Index, n)
		}
		for range fp.Index {
			fp.Weights = append(fp.Weights, 1/float64(len(fp.Index)))
		}
	case "lerp":
		if len(args) != 3 {
			return fp, fmt.Errorf("face point %q: lerp takes (a,b,t)", expr)
		}
		a, err1 := parseIndex(args[0])
		b, err2 := parseIndex(args[1])
		t, err3 := strconv.ParseFloat(args[2], 64)
		if err := firstErr(err1, err2, err3); err != nil {
			return fp, fmt.Errorf("face point %q: %w", expr, err)
		}
		fp.Index, fp.Weights = []int{a, b}, []float64{1 - t, t}
	case "w":
		sum := 0.0
		for _, a := range args {
			k, v, ok := strings.Cut(a, ":")
			if !ok {
				return fp, fmt.Errorf("face point %q: weight term %q is not index:weight", expr, a)
			}
			n, err := parseIndex(k)
			if err != nil {
				return fp, fmt.Errorf("face point %q: %w", expr, err)
			}
			w, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fp, fmt.Errorf("face point %q: weight %q: %w", expr, v, err)
			}
			fp.Index, fp.Weights = append(fp.Index, n), append(fp.Weights, w)
			sum += w
		}
		if sum < 0.999 || sum > 1.001 {
			return fp, fmt.Errorf("face point %q: weights sum to %g, want 1", expr, sum)
		}
	default:
		return fp, fmt.Errorf("unknown face point function %q in %q", fn, expr)
	}
	if len(fp.Index) == 0 {
		return fp, fmt.Errorf("face point %q names no landmark", expr)
	}
	return fp, nil
}

func parseIndex(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("landmark index %q is not an integer", s)
	}
	return n, checkIndex(n)
}

func checkIndex(n int) error {
	if n < 0 || n > 67 {
		return fmt.Errorf("unknown face point: landmark index %d outside 0..67", n)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
