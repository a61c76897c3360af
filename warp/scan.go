package warp

import (
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// scanPolygon calls span(y, x0, x1) for each run of pixels [x0, x1) of row y
// whose centre lies inside the polygon (even-odd rule), clipped to w×h.
// Pixel (x, y) has its centre at (x, y), matching OpenCV's convention.
func scanPolygon(poly []face68.Point, w, h int, span func(y, x0, x1 int)) {
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
