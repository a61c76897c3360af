package landmarks

// similarity is the map x' = a*x - b*y + tx, y' = b*x + a*y + ty (rotation,
// uniform scale, translation).
type similarity struct{ a, b, tx, ty float64 }

func (t similarity) apply(p Point) Point {
	return Point{t.a*p.X - t.b*p.Y + t.tx, t.b*p.X + t.a*p.Y + t.ty}
}

func (t similarity) shape(s Shape) Shape {
	var o Shape
	for i, p := range s {
		o[i] = t.apply(p)
	}
	return o
}

// fitSimilarity is the least-squares similarity taking src onto dst (closed
// form of Umeyama's method without reflection). len(src) == len(dst) >= 2.
func fitSimilarity(src, dst []Point) similarity {
	cs, cd := mean(src), mean(dst)
	var num1, num2, den float64
	for i := range src {
		px, py := src[i].X-cs.X, src[i].Y-cs.Y
		qx, qy := dst[i].X-cd.X, dst[i].Y-cd.Y
		num1 += px*qx + py*qy
		num2 += px*qy - py*qx
		den += px*px + py*py
	}
	if den == 0 {
		return similarity{a: 1, tx: cd.X - cs.X, ty: cd.Y - cs.Y}
	}
	t := similarity{a: num1 / den, b: num2 / den}
	t.tx = cd.X - (t.a*cs.X - t.b*cs.Y)
	t.ty = cd.Y - (t.b*cs.X + t.a*cs.Y)
	return t
}

// Five returns the 5 RAF-DB-style points of a 68-point shape, in
// LoadRAFAnnotation's order: image-left eye centre, image-right eye centre,
// nose tip, image-left mouth corner, image-right mouth corner.
func (s Shape) Five() [5]Point {
	return [5]Point{s.RightEye(), s.LeftEye(), s[NoseTip], s[MouthRightCorner], s[MouthLeftCorner]}
}

// FitFrom5 turns 5 points (order as in Five and LoadRAFAnnotation's manual
// files) into a full 68-point shape: the reference shape is mapped onto them
// by the least-squares similarity. Expression and pose beyond roll and scale
// are not recovered, so jaw and lip points are approximate (a few percent of
// the inter-ocular distance on a frontal face), good enough to place
// occluders. Use Source SourceFromAnnotation for such faces.
func FitFrom5(pts [5]Point) Shape {
	ref := referenceShape.Five()
	return fitSimilarity(ref[:], pts[:]).shape(referenceShape)
}

// FitSimilarity is the least-squares similarity (rotation, uniform scale and translation, no
// reflection: Umeyama's closed form) taking the points src onto dst, as a 3x3 row-major
// matrix acting on (x, y, 1) column vectors. It needs len(src) == len(dst) >= 2; with exactly
// two points the fit is exact.
func FitSimilarity(src, dst []Point) [3][3]float64 {
	t := fitSimilarity(src, dst)
	return [3][3]float64{{t.a, -t.b, t.tx}, {t.b, t.a, t.ty}, {0, 0, 1}}
}
