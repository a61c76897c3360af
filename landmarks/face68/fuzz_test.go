package face68

import (
	"math"
	"strings"
	"testing"
)

// Fuzz targets of the landmark readers (make fuzz): whatever the bytes, no panic, an error of
// one short line, and accepted files hold finite points under clean relative paths.

func checkLandmarksResult(t *testing.T, out map[string]Shape, err error) {
	t.Helper()
	if err != nil {
		if strings.Contains(err.Error(), "\n") || len(err.Error()) > 1024 {
			t.Fatalf("error of %d bytes: %.300q", len(err.Error()), err)
		}
		return
	}
	for rel, s := range out {
		if c, err := cleanRel(rel); err != nil || c != rel {
			t.Fatalf("accepted path %q", rel)
		}
		for _, p := range s {
			if math.IsNaN(p.X) || math.IsInf(p.X, 0) || math.IsNaN(p.Y) || math.IsInf(p.Y, 0) {
				t.Fatalf("%s: non-finite point %v", rel, p)
			}
		}
	}
}

func FuzzLandmarksJSONL(f *testing.F) {
	f.Add(AppendJSONL(nil, "train/a.jpg", testShape(1), 3))
	f.Add(AppendJSONLBy(nil, "train/b.jpg", testShape(1), -1, "facemesh"))
	f.Add([]byte(`{"path":"../x.jpg","landmarks":[[1,2]]}` + "\n" + `{"path":"a.jpg","landmarks":[[1e999,2]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		by := map[string]string{}
		out, err := parseJSONL(data, by)
		checkLandmarksResult(t, out, err)
		for rel, name := range by {
			if _, ok := out[rel]; !ok || !validLandmarker(name) {
				t.Fatalf("landmarker %q for %q: not a valid name of a path read", name, rel)
			}
		}
	})
}

func FuzzLandmarksCSV(f *testing.F) {
	f.Add([]byte(csvLine("train/a.jpg", testShape(2))))
	f.Add([]byte("path,x0,y0\n\"unterminated,1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := parseCSV(data)
		checkLandmarksResult(t, out, err)
	})
}

func FuzzRAFAnnotation(f *testing.F) {
	f.Add([]byte("1.5\t2\n3\t4\n5\t6\n7\t8\n9\t10\n0\n1\n2\n"))
	f.Add([]byte("1 2\nnan 3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, want := range []int{RAFManualPoints, RAFAutoPoints} {
			pts, err := parseRAF(data, want)
			if err != nil {
				if strings.Contains(err.Error(), "\n") || len(err.Error()) > 1024 {
					t.Fatalf("error of %d bytes: %.300q", len(err.Error()), err)
				}
				continue
			}
			if len(pts) != want {
				t.Fatalf("%d points, want %d", len(pts), want)
			}
		}
	})
}
