package synth

import (
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// Faces are laid out in canonical coordinates with face68.Point and posed into image pixels;
// the 68 landmarks are a face68.Shape (iBUG-300W order).

// curve is a function of u in [-1, 1] (or [0, 1]) giving a canonical point.
type curve func(u float64) face68.Point

// sample evaluates c at n+1 evenly spaced parameters from a to b.
func sample(c curve, a, b float64, n int) []face68.Point {
	pts := make([]face68.Point, 0, n+1)
	for i := 0; i <= n; i++ {
		pts = append(pts, c(a+(b-a)*float64(i)/float64(n)))
	}
	return pts
}

// face is one drawn face in canonical coordinates: landmarks and the outlines that are
// filled. Both come from the same curve functions, which is what keeps them consistent.
type face struct {
	id   identity
	expr expression
	lm   face68.Shape

	jaw, skull    curve // jaw from image-left ear (u=0) to image-right ear (u=1); skull over the top
	eyeUp, eyeLo  [2]curve
	eyeC          [2]face68.Point
	brow          [2]curve // u=0 outer end, u=1 inner end
	mUpOut, mUpIn curve    // mouth curves over u in [-1, 1]
	mLoIn, mLoOut curve
	mouthInner    float64 // |u| of the inner lip corners
	jawTop        float64
}

// buildFace lays out a face for an identity and an expression.
func buildFace(id identity, e expression) *face {
	f := &face{id: id, expr: e, mouthInner: 0.86}
	f.jawTop = 2
	// Jaw: half an ellipse bent by jawPow so lower values give a squarer jaw.
	f.jaw = func(u float64) face68.Point {
		t := u * math.Pi
		s := math.Pow(math.Sin(t), id.jawPow)
		return face68.Point{X: -id.faceW * math.Cos(t), Y: f.jawTop + (id.chinY-f.jawTop)*s}
	}
	// Skull: upper half ellipse from the image-right jaw start over the top to the left.
	f.skull = func(u float64) face68.Point {
		t := u * math.Pi
		return face68.Point{X: id.faceW * math.Cos(t), Y: f.jawTop - id.foreheadH*math.Sin(t)}
	}
	f.buildEyes()
	f.buildBrows()
	f.buildMouth()
	f.placeLandmarks()
	return f
}

func (f *face) buildEyes() {
	id, open := f.id, f.expr.up.eyeOpen
	up := id.eyeW * 0.5 * open
	lo := id.eyeW * 0.3 * math.Pow(open, 0.6)
	for i, side := range []float64{-1, 1} {
		cx := side * id.eyeHalf
		f.eyeC[i] = face68.Point{X: cx, Y: 0}
		// u runs from the image-left corner (-1) to the image-right corner (+1) for both eyes.
		f.eyeUp[i] = func(u float64) face68.Point {
			return face68.Point{X: cx + u*id.eyeW, Y: -up * math.Pow(math.Max(0, 1-u*u), 0.8)}
		}
		f.eyeLo[i] = func(u float64) face68.Point {
			return face68.Point{X: cx + u*id.eyeW, Y: lo * math.Pow(math.Max(0, 1-u*u), 0.9)}
		}
	}
}

func (f *face) buildBrows() {
	id, x := f.id, f.expr.up
	for i, side := range []float64{-1, 1} {
		outer := side * (id.eyeHalf + id.eyeW*1.35)
		inner := side * (id.eyeHalf - id.eyeW*0.95)
		arch := 2.2 + 0.3*x.browRaise
		f.brow[i] = func(u float64) face68.Point {
			px := outer + (inner-outer)*u - side*x.knit*u*u
			py := id.browY - x.browRaise - arch*4*u*(1-u)*0.8 - x.innerUp*u*u
			return face68.Point{X: px, Y: py}
		}
	}
}

func (f *face) buildMouth() {
	id, m := f.id, f.expr.mouth
	w := id.mouthW * m.width
	cy := id.mouthY + m.stretchY
	ui := f.mouthInner
	centre := func(u float64) float64 { return cy + m.corner*u*u }
	gap := func(u float64) float64 { // half gap between the inner lips
		if m.open <= 0 || math.Abs(u) >= ui {
			return 0
		}
		return m.open / 2 * math.Pow(1-(u/ui)*(u/ui), m.round)
	}
	sneer := func(u float64) float64 { // one side of the upper lip lifted
		if m.sneer <= 0 || math.Abs(u) >= ui {
			return 0
		}
		s := math.Max(0, (u+0.15)/1.15) // always the image-right side: one look per class
		return m.sneer * s * math.Sqrt(1-(u/ui)*(u/ui))
	}
	thick := func(u float64) float64 { return 0.3 + 0.7*math.Sqrt(math.Max(0, 1-u*u)) }
	bow := func(u float64) float64 { a := (math.Abs(u) - 0.28) / 0.15; return 0.5 * math.Exp(-a*a) }
	f.mUpIn = func(u float64) face68.Point { return face68.Point{X: u * w, Y: centre(u) - gap(u) - sneer(u)} }
	f.mLoIn = func(u float64) face68.Point { return face68.Point{X: u * w, Y: centre(u) + gap(u)} }
	f.mUpOut = func(u float64) face68.Point {
		return face68.Point{X: u * w, Y: centre(u) - gap(u) - sneer(u)*0.8 - id.upperLip*m.upper*thick(u) - bow(u)*m.upper}
	}
	f.mLoOut = func(u float64) face68.Point {
		return face68.Point{X: u * w, Y: centre(u) + gap(u) + id.lowerLip*m.lower*thick(u)}
	}
}

// placeLandmarks puts the 68 points on the same curves that are drawn.
func (f *face) placeLandmarks() {
	lm := &f.lm
	for i := 0; i <= 16; i++ {
		lm[i] = f.jaw(float64(i) / 16)
	}
	for i := 0; i < 5; i++ {
		u := float64(i) / 4
		lm[17+i] = f.brow[0](u) // outer to inner, image left
		lm[26-i] = f.brow[1](u) // 22 inner ... 26 outer, image right
	}
	n := f.id.noseLen
	for i := 0; i < 4; i++ {
		lm[27+i] = face68.Point{X: 0, Y: 3 + (n-3)*float64(i)/3}
	}
	nw := f.id.noseW
	lm[31] = face68.Point{X: -nw, Y: n + 1}
	lm[32] = face68.Point{X: -nw / 2, Y: n + 2.5}
	lm[33] = face68.Point{X: 0, Y: n + 3}
	lm[34] = face68.Point{X: nw / 2, Y: n + 2.5}
	lm[35] = face68.Point{X: nw, Y: n + 1}
	for e, base := range []int{36, 42} {
		up, lo := f.eyeUp[e], f.eyeLo[e]
		lm[base] = up(-1)
		lm[base+1] = up(-1.0 / 3)
		lm[base+2] = up(1.0 / 3)
		lm[base+3] = up(1)
		lm[base+4] = lo(1.0 / 3)
		lm[base+5] = lo(-1.0 / 3)
	}
	outerUp := []float64{-1, -0.62, -0.28, 0, 0.28, 0.62, 1}
	for i, u := range outerUp {
		lm[48+i] = f.mUpOut(u)
	}
	lm[48] = f.mUpIn(-1) // corners sit on the lip line, where upper and lower lips meet
	lm[54] = f.mUpIn(1)
	for i, u := range []float64{0.62, 0.28, 0, -0.28, -0.62} {
		lm[55+i] = f.mLoOut(u)
	}
	ui := f.mouthInner
	for i, u := range []float64{-ui, -0.4, 0, 0.4, ui} {
		lm[60+i] = f.mUpIn(u)
	}
	for i, u := range []float64{0.4, 0, -0.4} {
		lm[65+i] = f.mLoIn(u)
	}
}
