package face3d

// mmPerUnit is the adult inter-ocular distance (the head unit) in millimetres: the mean adult
// interpupillary distance, 63 mm (Dodgson 2004, see docs/face3d.md). Depths below are
// published in millimetres and converted with it.
const mmPerUnit = 63.0

// refPoint is one reference landmark: x, y in head units (the frontal mean shape of package
// landmarks), z in millimetres in front of (+) or behind (−) the eyes.
type refPoint struct{ x, y, zmm float64 }

// referenceTable is the 3-D reference face. x and y are package landmarks' referenceShape
// (dlib's 68 points on testdata/astronaut.png averaged with their mirror image, eye centres at
// (∓0.5, 0); TestReferenceMatchesLandmarks checks the copy). Depths (docs/face3d.md):
//
//   - jaw 0-16: the frontal silhouette of the head at each point's height, from the bizygomatic
//     region (about 72 mm behind the eyes, under the tragion–nasion depth) to the chin (menton,
//     2 mm in front);
//   - brows 17-26: on the head surface (Head.Body) over the supraorbital ridge;
//   - nose 27-35: sellion 10 mm in front of the eyes, pronasale 29 mm, subnasale 15 mm (nasal
//     tip protrusion sn–prn about 19 mm along the nasal axis), alae 5 mm;
//   - eyes 36-47: lid margins about 3-5 mm behind the corneal apex, the inner canthi 7 mm, the
//     outer canthi 13 mm (the lateral orbital rim lies about 16 mm behind the cornea, Hertel);
//   - lips 48-67: labrale superius 12 mm, inferius 10 mm, the corners (cheilion) 6 mm behind
//     the eyes, following the dental arch.
var referenceTable = [68]refPoint{
	{-1.0687, 0.08, -72}, {-1.0463, 0.3523, -70}, {-1.0057, 0.6153, -65}, {-0.9551, 0.8806, -58},
	{-0.8625, 1.1378, -48}, {-0.7063, 1.3603, -36}, {-0.4938, 1.5394, -22}, {-0.2606, 1.6848, -8},
	{0, 1.7309, 2},
	{0.2606, 1.6848, -8}, {0.4938, 1.5394, -22}, {0.7063, 1.3603, -36}, {0.8625, 1.1378, -48},
	{0.9551, 0.8806, -58}, {1.0057, 0.6153, -65}, {1.0463, 0.3523, -70}, {1.0687, 0.08, -72},
	// brows: depth filled from the head surface (brows lie on it)
	{-0.9058, -0.1555, bodyDepth}, {-0.7792, -0.2893, bodyDepth}, {-0.5955, -0.3213, bodyDepth},
	{-0.4099, -0.2979, bodyDepth}, {-0.2332, -0.2298, bodyDepth},
	{0.2332, -0.2298, bodyDepth}, {0.4099, -0.2979, bodyDepth}, {0.5955, -0.3213, bodyDepth},
	{0.7792, -0.2893, bodyDepth}, {0.9058, -0.1555, bodyDepth},
	// nose bridge 27-30, nostrils 31-35
	{0, -0.0025, 10}, {0, 0.1867, 16}, {0, 0.3663, 22}, {0, 0.5548, 29},
	{-0.2322, 0.6533, 5}, {-0.119, 0.6838, 11}, {0, 0.7204, 15}, {0.1191, 0.6838, 11}, {0.2322, 0.6533, 5},
	// eyes: image-left 36-41, image-right 42-47
	{-0.6951, -0.0001, -13}, {-0.5715, -0.0818, -4}, {-0.4236, -0.0741, -3}, {-0.2927, 0.0426, -7},
	{-0.4347, 0.059, -4}, {-0.5824, 0.0544, -5},
	{0.2927, 0.0426, -7}, {0.4236, -0.0741, -3}, {0.5715, -0.0818, -4}, {0.6951, -0.0001, -13},
	{0.5824, 0.0544, -5}, {0.4347, 0.059, -4},
	// outer lips 48-59
	{-0.5112, 0.8599, -6}, {-0.3203, 0.845, 5}, {-0.1325, 0.8422, 10}, {0, 0.8673, 12},
	{0.1325, 0.8422, 10}, {0.3203, 0.845, 5}, {0.5112, 0.8599, -6},
	{0.3365, 1.0936, 3}, {0.1467, 1.1978, 8}, {0, 1.2174, 10}, {-0.1467, 1.1978, 8}, {-0.3365, 1.0936, 3},
	// inner lips 60-67
	{-0.4465, 0.8856, -3}, {-0.1341, 0.9288, 7}, {0, 0.9476, 9}, {0.1341, 0.9288, 7},
	{0.4465, 0.8856, -3}, {0.1398, 1.0752, 6}, {0, 1.0932, 8}, {-0.1397, 1.0752, 6},
}

// bodyDepth marks a reference point whose depth is that of the head surface (Head.Body).
const bodyDepth = -1e9

// Reference is the 3-D reference face in head units, iBUG-300W order.
var Reference = func() [68]Vec3 {
	var r [68]Vec3
	for i, p := range referenceTable {
		z := p.zmm / mmPerUnit
		if p.zmm == bodyDepth {
			z, _ = ReferenceHead.Body(p.x, p.y)
		}
		r[i] = Vec3{p.x, p.y, z}
	}
	return r
}()

// Weights of the landmark groups in FitPose: the eyes and the nose are rigid; brows and lips
// move with expression (an open mouth moves the lower lip by a third of the inter-ocular
// distance), so they count less. The jaw (0-16) is not used: its convention varies.
var fitWeight = func() [68]float64 {
	var w [68]float64
	for i := 17; i <= 26; i++ {
		w[i] = 0.5 // brows
	}
	for i := 27; i <= 47; i++ {
		w[i] = 1 // nose, eyes
	}
	for i := 48; i <= 59; i++ {
		w[i] = 0.5 // outer lips
	}
	for i := 60; i <= 67; i++ {
		w[i] = 0.25 // inner lips
	}
	return w
}()
