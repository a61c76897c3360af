// Package facebox holds what the real-data measurement commands under scripts/realdata share
// about an annotated face's box (scripts/realdata/README.md).
package facebox

import (
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// Inner is the bounding box of points 17-67 (brows, nose, eyes, mouth), the points that the
// hidden- and visible-contour conventions agree on: its centre (cx, cy) and side (the larger
// of width and height), in the shape's pixel coordinates.
func Inner(s face68.Shape) (cx, cy, side float64) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range s[17:] {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	return (minX + maxX) / 2, (minY + maxY) / 2, math.Max(maxX-minX, maxY-minY)
}
