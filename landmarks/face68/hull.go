package face68

// ConvexHull returns the convex hull of pts by Andrew's monotone chain: counter-clockwise in
// image coordinates (y down), that is with positive signed shoelace area, without repeating
// its first point; collinear points are dropped. Fewer than three points come back sorted
// by X, then Y (no hull to trace). pts is not modified. synth draws the posed
// face's outline with it and warp cuts keep-out regions from overlays with it.
func ConvexHull(pts []Point) []Point {
	p := append([]Point(nil), pts...)
	for i := 1; i < len(p); i++ { // insertion sort: a few dozen points
		for j := i; j > 0 && (p[j].X < p[j-1].X || p[j].X == p[j-1].X && p[j].Y < p[j-1].Y); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
	if len(p) < 3 {
		return p
	}
	turn := func(o, a, b Point) float64 { return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X) }
	var h []Point
	for pass := 0; pass < 2; pass++ {
		start := len(h)
		for _, q := range p {
			for len(h) >= start+2 && turn(h[len(h)-2], h[len(h)-1], q) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, q)
		}
		h = h[:len(h)-1]
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	return h
}
