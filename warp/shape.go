package warp

import "github.com/occfer/occfer/landmarks"

// Point and Shape are the shared landmark types; the aliases keep this
// package's code short while its exported signatures stay landmarks.Shape.
type (
	Point = landmarks.Point
	Shape = landmarks.Shape
)
