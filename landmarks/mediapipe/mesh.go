package mediapipe

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

const (
	meshSize = 192 // FaceMesh input side in pixels
	// MeshPasses is how many times FaceMesh runs per face: once on the face box, then on a
	// crop re-derived from its own previous mesh, as MediaPipe's tracking does from frame to
	// frame. On the AFLW2000-3D set, 3 passes placed masks on 94/86% of the faces at
	// 30-45/45-60 deg of yaw where one pass placed 86/80% (docs/occlude.md).
	MeshPasses = 3
	// roiScale is the crop side over the face's size: over the box's longer side for the
	// first pass, over the mesh's extent (in the eye-levelled frame) after. MediaPipe uses 1.5.
	roiScale = 1.5
)

// Mesh is FaceMesh's result for one face. Points are the 68 iBUG-300W landmarks taken from
// the mesh (ibug68), in image pixels with pixel centres at integers; Vertices are all 468
// mesh points (x, y in image pixels; z in pixels of the same scale, negative towards the
// camera); Flag is FaceMesh's face-presence probability in [0, 1] from the last pass.
type Mesh struct {
	Points   face68.Shape
	Vertices [468][3]float64
	Flag     float64
}

// roi is a square crop: centre (continuous image coordinates, pixel i covering [i, i+1)),
// side in image pixels, and the angle of its x axis in the image (radians).
type roi struct{ cx, cy, side, angle float64 }

// Landmarks runs FaceMesh MeshPasses times on the face in box (image pixels) of img (8-bit
// BGR) and returns its landmarks. The box may reach outside the image; pixels outside are
// the border's, repeated.
func (l *Landmarker) Landmarks(img gocv.Mat, box image.Rectangle) (Mesh, error) {
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return Mesh{}, fmt.Errorf("mediapipe landmarks: need an 8-bit BGR image, got type %v", img.Type())
	}
	if box.Empty() {
		return Mesh{}, fmt.Errorf("mediapipe landmarks: empty face box %v", box)
	}
	r := roi{
		cx: float64(box.Min.X+box.Max.X) / 2, cy: float64(box.Min.Y+box.Max.Y) / 2,
		side: roiScale * float64(max(box.Dx(), box.Dy())),
	}
	var m Mesh
	for pass := 0; pass < MeshPasses; pass++ {
		if pass > 0 {
			r = roiFromMesh(&m.Vertices)
		}
		var err error
		if m, err = l.meshIn(img, r); err != nil {
			return Mesh{}, err
		}
	}
	for i, v := range ibug68 {
		m.Points[i] = face68.Point{X: m.Vertices[v][0], Y: m.Vertices[v][1]}
	}
	return m, nil
}

// meshIn runs FaceMesh once on the crop r of img.
func (l *Landmarker) meshIn(img gocv.Mat, r roi) (Mesh, error) {
	blob := meshBlob(img, r)
	defer blob.Close()
	c, s, k := math.Cos(r.angle), math.Sin(r.angle), r.side/meshSize
	out, err := l.mesh.run(blob)
	if err != nil {
		return Mesh{}, fmt.Errorf("mediapipe landmarks: %w", err)
	}
	var pts, flag []float32
	for _, o := range out {
		switch len(o) {
		case 468 * 3:
			pts = o
		case 1:
			flag = o
		}
	}
	if pts == nil || flag == nil {
		return Mesh{}, fmt.Errorf("mediapipe landmarks: model gave no mesh and face flag")
	}
	var res Mesh
	res.Flag = float64(flag[0])
	for i := range res.Vertices {
		x, y := (float64(pts[3*i])-meshSize/2)*k, (float64(pts[3*i+1])-meshSize/2)*k
		res.Vertices[i] = [3]float64{r.cx + c*x - s*y - 0.5, r.cy + s*x + c*y - 0.5, float64(pts[3*i+2]) * k}
	}
	return res, nil
}

// meshBlob is FaceMesh's input for the crop r of img: 192x192, RGB in [0, 1], NCHW, sampled
// bilinearly with the image's border repeated.
func meshBlob(img gocv.Mat, r roi) gocv.Mat {
	c, s, k := math.Cos(r.angle), math.Sin(r.angle), r.side/meshSize
	// Inverse map: crop pixel (u, v) centre -> image pixel index (centres at integers).
	h := 0.5 - meshSize/2.0
	m := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer m.Close()
	for i, v := range []float64{c * k, -s * k, r.cx - 0.5 + c*k*h - s*k*h, s * k, c * k, r.cy - 0.5 + s*k*h + c*k*h} {
		m.SetDoubleAt(i/3, i%3, v)
	}
	crop := gocv.NewMat()
	defer crop.Close()
	gocv.WarpAffineWithParams(img, &crop, m, image.Pt(meshSize, meshSize),
		gocv.InterpolationLinear|gocv.WarpInverseMap, gocv.BorderReplicate, color.RGBA{})
	return gocv.BlobFromImage(crop, 1/255.0, image.Pt(meshSize, meshSize), gocv.NewScalar(0, 0, 0, 0), true, false)
}

// roiFromMesh is the crop for the next pass: levelled on the outer eye corners, centred on
// the mesh's extent in that frame, roiScale times its longer side.
func roiFromMesh(v *[468][3]float64) roi {
	a := math.Atan2(v[meshLeftEyeOuter][1]-v[meshRightEyeOuter][1], v[meshLeftEyeOuter][0]-v[meshRightEyeOuter][0])
	c, s := math.Cos(a), math.Sin(a)
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range v {
		x, y := p[0]+0.5, p[1]+0.5 // continuous coordinates
		u, w := c*x+s*y, -s*x+c*y
		minX, maxX = math.Min(minX, u), math.Max(maxX, u)
		minY, maxY = math.Min(minY, w), math.Max(maxY, w)
	}
	u, w := (minX+maxX)/2, (minY+maxY)/2
	return roi{cx: c*u - s*w, cy: s*u + c*w, side: roiScale * math.Max(maxX-minX, maxY-minY), angle: a}
}
