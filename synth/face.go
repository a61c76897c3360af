package synth

import (
	"fmt"
	"image"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/landmarks/face68"
)

// MinSize and MaxSize bound Options.Size: below 32 pixels the eyes are a few pixels wide and
// the classes blur together; above 1024 a "small test dataset" is no longer small.
const (
	MinSize = 32
	MaxSize = 1024
)

// Face draws the face that Generate writes at rel (a relative path such as
// "Image/aligned/train_00001_aligned.jpg") for this seed and class, before JPEG encoding, and
// its 68 landmarks in pixel-centre coordinates of the size x size image.
func Face(seed uint64, rel string, class, size int) (*image.RGBA, face68.Shape, error) {
	if class < 0 || class >= len(ClassNames) {
		return nil, face68.Shape{}, fmt.Errorf("synth: class %d out of range 0..%d", class, len(ClassNames)-1)
	}
	if size < MinSize || size > MaxSize {
		return nil, face68.Shape{}, fmt.Errorf("synth: size %d out of range %d..%d", size, MinSize, MaxSize)
	}
	f := newFace(seed, rel, class)
	img, lm := f.draw(size, dataset.ItemRNG(seed, rel, "synth/noise"))
	return img, lm, nil
}

// newFace samples the identity and expression intensity of one image. Landmarks need only
// this, not the pixels, which lets a resumed run rebuild the landmarks file cheaply.
func newFace(seed uint64, rel string, class int) *face {
	id := sampleIdentity(dataset.ItemRNG(seed, rel, "synth/face"))
	return buildFace(id, expressions[class].scaled(id.intensity))
}

// Landmarks returns the landmarks of Face(seed, rel, class, size) without drawing it.
func Landmarks(seed uint64, rel string, class, size int) face68.Shape {
	f := newFace(seed, rel, class)
	pose := poseFunc(f.id, size)
	var lm face68.Shape
	for i, p := range f.lm {
		q := pose(p)
		lm[i] = face68.Point{X: q.X - 0.5, Y: q.Y - 0.5}
	}
	return lm
}
