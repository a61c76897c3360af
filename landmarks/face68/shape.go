package face68

import (
	"image"
	"math"
)

// Point is a landmark position in image pixel coordinates (x right, y down;
// pixel centres at integer values, as in dlib). Predicted points are
// sub-pixel; dlib's own API rounds them to integers.
type Point struct{ X, Y float64 }

// Shape is the 68-point iBUG-300W layout: 0-16 jaw, 17-26 brows, 27-30 nose
// bridge, 31-35 nostrils, 36-41 right eye (image left), 42-47 left eye,
// 48-59 outer lip, 60-67 inner lip.
type Shape [68]Point

// Landmark indices of the iBUG-300W layout.
const (
	JawFirst, JawLast             = 0, 16
	RightBrowFirst, RightBrowLast = 17, 21
	LeftBrowFirst, LeftBrowLast   = 22, 26
	NoseTip                       = 30
	RightEyeFirst, RightEyeLast   = 36, 41
	LeftEyeFirst, LeftEyeLast     = 42, 47
	MouthRightCorner              = 48 // image left
	MouthLeftCorner               = 54 // image right
	OuterLipFirst, OuterLipLast   = 48, 59
)

// Box is the smallest half-open pixel rectangle holding every point.
func (s Shape) Box() image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range s {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	return image.Rect(int(math.Floor(minX)), int(math.Floor(minY)),
		int(math.Floor(maxX))+1, int(math.Floor(maxY))+1)
}

// Centroid is the mean of pts (NaN for none).
func Centroid(pts []Point) Point {
	var c Point
	for _, p := range pts {
		c.X += p.X
		c.Y += p.Y
	}
	n := float64(len(pts))
	return Point{c.X / n, c.Y / n}
}

// Distance is the Euclidean distance between a and b in pixels.
func Distance(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// RightEye is the centre of the subject's right eye (points 36-41, image left).
func (s Shape) RightEye() Point { return Centroid(s[RightEyeFirst : RightEyeLast+1]) }

// LeftEye is the centre of the subject's left eye (points 42-47, image right).
func (s Shape) LeftEye() Point { return Centroid(s[LeftEyeFirst : LeftEyeLast+1]) }

// InterOcular is the distance between the two eye centres, the scale used to
// normalise landmark errors.
func (s Shape) InterOcular() float64 { return Distance(s.RightEye(), s.LeftEye()) }

// Roll is the in-plane rotation of the eye line in degrees. With y pointing
// down, a positive roll means the image-right eye sits lower than the
// image-left eye (the face is rotated clockwise on screen).
func (s Shape) Roll() float64 {
	r, l := s.RightEye(), s.LeftEye()
	return math.Atan2(l.Y-r.Y, l.X-r.X) * 180 / math.Pi
}

// mirrorIndex maps each iBUG index to its left/right counterpart.
var mirrorIndex = func() [68]int {
	var m [68]int
	for i := range m {
		m[i] = i
	}
	pair := func(a, b int) { m[a], m[b] = b, a }
	for i := 0; i <= 7; i++ {
		pair(i, 16-i) // jaw
	}
	for i := 0; i < 5; i++ {
		pair(17+i, 26-i) // brows
	}
	pair(31, 35)
	pair(32, 34)
	pair(36, 45)
	pair(37, 44)
	pair(38, 43)
	pair(39, 42)
	pair(40, 47)
	pair(41, 46)
	pair(48, 54)
	pair(49, 53)
	pair(50, 52)
	pair(55, 59)
	pair(56, 58)
	pair(60, 64)
	pair(61, 63)
	pair(65, 67)
	return m
}()

// Mirror returns the shape of the horizontally flipped image of the given
// width (as gocv.Flip(img, &dst, 1) produces: column x becomes width-1-x),
// with indices swapped so the result is again in iBUG order.
func (s Shape) Mirror(width int) Shape {
	var m Shape
	for i, p := range s {
		m[mirrorIndex[i]] = Point{float64(width-1) - p.X, p.Y}
	}
	return m
}
