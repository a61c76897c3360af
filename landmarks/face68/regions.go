package face68

// Face regions as landmark polygons: warp measures how much of each an occluder covers
// (Coverage) and takes the face's brightness and sharpness inside FaceRegion.

// FaceRegion is the face outline: the jaw (0-16, image left to right) closed over the brows
// (26 back to 17). It ends at the brows, so the forehead is not included.
func (s Shape) FaceRegion() []Point {
	p := make([]Point, 0, 27)
	p = append(p, s[JawFirst:JawLast+1]...)
	for i := LeftBrowLast; i >= RightBrowFirst; i-- {
		p = append(p, s[i])
	}
	return p
}

// eyeDilation scales each eye polygon about its centroid. The 6-point eye
// outline hugs the lid margin; an occluder that leaves the lashes and the lid
// crease visible has not hidden the eye, so the region is taken a bit larger.
const eyeDilation = 1.5

// EyeRegions are the two eye outlines, right (36-41, image left) then left (42-47), each
// scaled by 1.5 about its centroid.
func (s Shape) EyeRegions() [2][]Point {
	return [2][]Point{
		dilate(s[RightEyeFirst:RightEyeLast+1], eyeDilation),
		dilate(s[LeftEyeFirst:LeftEyeLast+1], eyeDilation),
	}
}

// MouthRegion is the outer lip contour (48-59).
func (s Shape) MouthRegion() []Point {
	return append([]Point(nil), s[OuterLipFirst:OuterLipLast+1]...)
}

// dilate scales pts by k about their centroid.
func dilate(pts []Point, k float64) []Point {
	c := Centroid(pts)
	out := make([]Point, len(pts))
	for i, p := range pts {
		out[i] = Point{X: c.X + k*(p.X-c.X), Y: c.Y + k*(p.Y-c.Y)}
	}
	return out
}
