package synth

import "github.com/occfer/occfer/dataset"

// ClassNames are the seven RAF-DB basic classes in label order (label value = index+1).
var ClassNames = dataset.ClassNames

// MouthOnlyPairs lists class pairs whose drawings differ only below the nose: identical brow
// and eye parameters, different mouths. Hiding the mouth makes each pair indistinguishable.
var MouthOnlyPairs = [][2]int{{0, 1}, {2, 5}}

// upperFace holds the brow and eye movement of an expression, in canonical pixels (face drawn
// at scale 1 in a 100-pixel crop).
type upperFace struct {
	browRaise float64 // whole brow moves up
	innerUp   float64 // inner brow end moves up (negative: down)
	knit      float64 // inner brow end moves toward the nose
	eyeOpen   float64 // eye opening, 1 = neutral
}

// mouthShape holds the mouth of an expression. Widths and heights are relative to the
// identity's neutral mouth so that thick- and thin-lipped faces keep their look.
type mouthShape struct {
	width    float64 // half-width factor
	corner   float64 // corner offset in pixels, negative = up (smile), positive = down
	open     float64 // gap between the lips at the centre, pixels
	round    float64 // gap profile exponent: 0.5 round (O), small = flat (stretched)
	upper    float64 // upper lip thickness factor
	lower    float64 // lower lip thickness factor
	sneer    float64 // one-sided raise of the upper lip, pixels (disgust)
	teeth    float64 // visible upper-teeth height, pixels
	stretchY float64 // mouth centre moves down (stretched mouths pull the lower lip)
}

type expression struct {
	up    upperFace
	mouth mouthShape
}

var neutralMouth = mouthShape{width: 1, round: 0.5, upper: 1, lower: 1}

// expressions is indexed by class. Pairs in MouthOnlyPairs must keep equal upperFace values;
// a test checks it.
var expressions = [7]expression{
	// Surprise: O mouth, raised brows, wide eyes.
	{upperFace{6, 0, 0, 1.45}, mouthShape{width: 0.72, open: 13, round: 0.5, upper: 0.9, lower: 0.9, teeth: 1.5, stretchY: 1.5}},
	// Fear: stretched open mouth showing teeth; brows/eyes as Surprise.
	{upperFace{6, 0, 0, 1.45}, mouthShape{width: 1.3, corner: 1.5, open: 5, round: 0.2, upper: 0.7, lower: 0.75, teeth: 1.5, stretchY: 1}},
	// Disgust: upper lip raised on the image-right side; brows/eyes as Anger.
	{upperFace{-2.5, -2.5, 2.5, 0.62}, mouthShape{width: 1.0, corner: 1, open: 2.5, round: 0.5, upper: 1.1, lower: 1.3, sneer: 8, teeth: 4}},
	// Happiness: upturned smile with teeth, relaxed brows, slightly narrowed eyes.
	{upperFace{0.5, 0, 0, 0.78}, mouthShape{width: 1.22, corner: -6, open: 3.5, round: 0.6, upper: 0.8, lower: 1.0, teeth: 3}},
	// Sadness: downturned closed mouth, inner brow ends up.
	{upperFace{0, 4.5, 1, 0.95}, mouthShape{width: 0.95, corner: 4, round: 0.5, upper: 1, lower: 1.1}},
	// Anger: pressed thin lips, lowered knitted brows, narrowed eyes.
	{upperFace{-2.5, -2.5, 2.5, 0.62}, mouthShape{width: 0.85, corner: 0.5, round: 0.5, upper: 0.3, lower: 0.35}},
	// Neutral.
	{upperFace{0, 0, 0, 1}, neutralMouth},
}

// scaled returns e moved from neutral by factor k, so expression intensity varies per image.
func (e expression) scaled(k float64) expression {
	n := expressions[6]
	mix := func(a, b float64) float64 { return a + k*(b-a) }
	u := e.up
	m := e.mouth
	return expression{
		up: upperFace{
			browRaise: mix(n.up.browRaise, u.browRaise),
			innerUp:   mix(n.up.innerUp, u.innerUp),
			knit:      mix(n.up.knit, u.knit),
			eyeOpen:   mix(n.up.eyeOpen, u.eyeOpen),
		},
		mouth: mouthShape{
			width:    mix(n.mouth.width, m.width),
			corner:   mix(n.mouth.corner, m.corner),
			open:     mix(n.mouth.open, m.open),
			round:    m.round,
			upper:    mix(n.mouth.upper, m.upper),
			lower:    mix(n.mouth.lower, m.lower),
			sneer:    mix(n.mouth.sneer, m.sneer),
			teeth:    m.teeth,
			stretchY: mix(n.mouth.stretchY, m.stretchY),
		},
	}
}
