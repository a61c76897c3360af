package warp

import "math"

// Face regions as landmark polygons, shared by Coverage and by the
// brightness/sharpness statistics of Apply.

// FacePolygon is the jaw (0-16) closed over the brows (26 back to 17).
func FacePolygon(s *Shape) []Point {
	p := make([]Point, 0, 27)
	for i := 0; i <= 16; i++ {
		p = append(p, s[i])
	}
	for i := 26; i >= 17; i-- {
		p = append(p, s[i])
	}
	return p
}

// eyeDilation scales each eye polygon about its centroid. The 6-point eye
// outline hugs the lid margin; an occluder that leaves the lashes and the lid
// crease visible has not hidden the eye, so the region is taken a bit larger.
const eyeDilation = 1.5

// EyePolygons are the two eye outlines (36-41, 42-47), dilated by eyeDilation.
func EyePolygons(s *Shape) [2][]Point {
	return [2][]Point{dilate(s[36:42], eyeDilation), dilate(s[42:48], eyeDilation)}
}

// MouthPolygon is the outer lip contour (48-59).
func MouthPolygon(s *Shape) []Point {
	p := make([]Point, 12)
	copy(p, s[48:60])
	return p
}

func dilate(pts []Point, k float64) []Point {
	var cx, cy float64
	for _, p := range pts {
		cx += p.X
		cy += p.Y
	}
	cx /= float64(len(pts))
	cy /= float64(len(pts))
	out := make([]Point, len(pts))
	for i, p := range pts {
		out[i] = Point{X: cx + k*(p.X-cx), Y: cy + k*(p.Y-cy)}
	}
	return out
}

// scanPolygon calls span(y, x0, x1) for each run of pixels [x0, x1) of row y
// whose centre lies inside the polygon (even-odd rule), clipped to w×h.
// Pixel (x, y) has its centre at (x, y), matching OpenCV's convention.
func scanPolygon(poly []Point, w, h int, span func(y, x0, x1 int)) {
	if len(poly) < 3 {
		return
	}
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, p := range poly {
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	y0 := max(0, int(math.Ceil(minY)))
	y1 := min(h-1, int(math.Floor(maxY)))
	var xs [64]float64
	for y := y0; y <= y1; y++ {
		fy := float64(y)
		n := 0
		xsl := xs[:0]
		for i := range poly {
			a, b := poly[i], poly[(i+1)%len(poly)]
			if (a.Y <= fy) == (b.Y <= fy) {
				continue
			}
			xsl = append(xsl, a.X+(fy-a.Y)*(b.X-a.X)/(b.Y-a.Y))
			n++
		}
		// insertion sort: a face polygon crosses a row a handful of times
		for i := 1; i < n; i++ {
			for j := i; j > 0 && xsl[j] < xsl[j-1]; j-- {
				xsl[j], xsl[j-1] = xsl[j-1], xsl[j]
			}
		}
		for i := 0; i+1 < n; i += 2 {
			x0 := max(0, int(math.Ceil(xsl[i])))
			x1 := min(w, int(math.Floor(xsl[i+1]))+1)
			if x1 > x0 {
				span(y, x0, x1)
			}
		}
	}
}

func centroid(pts []Point) Point {
	var c Point
	for _, p := range pts {
		c.X += p.X
		c.Y += p.Y
	}
	c.X /= float64(len(pts))
	c.Y /= float64(len(pts))
	return c
}
