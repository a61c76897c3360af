package face68

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// astronautRefPath holds dlib's 68 landmarks of testdata/astronaut.png (written by package
// landmarks' TestReference -update), so these tests need no dlib.
const astronautRefPath = "../../testdata/landmarks/astronaut.json"

func loadAstronautRef(t *testing.T) Shape {
	t.Helper()
	data, err := os.ReadFile(astronautRefPath)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Landmarks [][2]float64 `json:"landmarks"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", astronautRefPath, err)
	}
	if len(r.Landmarks) != 68 {
		t.Fatalf("%s: %d landmarks", astronautRefPath, len(r.Landmarks))
	}
	var s Shape
	for i, p := range r.Landmarks {
		s[i] = Point{p[0], p[1]}
	}
	return s
}

// meanError is the mean point distance divided by the inter-ocular distance of want.
func meanError(got, want Shape) float64 {
	var sum float64
	for i := range got {
		sum += Distance(got[i], want[i])
	}
	return sum / float64(len(got)) / want.InterOcular()
}

// rotated turns s by deg degrees about the point c.
func rotated(s Shape, c Point, deg float64) Shape {
	r := deg * math.Pi / 180
	tf := similarity{a: math.Cos(r), b: math.Sin(r)}
	tf.tx = c.X - (tf.a*c.X - tf.b*c.Y)
	tf.ty = c.Y - (tf.b*c.X + tf.a*c.Y)
	return tf.shape(s)
}
