package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/occfer/occfer/landmarks"
)

// fixtureRun is a mask run of five 130x130 images with boxShape faces:
//
//	a.png  occluded, a passing mask (mouth and nose covered, no eye, no spill); yaw 10 (pose file)
//	b.png  occluded, the same mask plus 520 px above the face (spill 520/2200); yaw -35 (pose file)
//	c.png  status error; yaw 50 (pose file)
//	d.png  no-face (missed); no pose entry: yaw estimated from the landmarks (-1.01 deg)
//	e.png  occluded, not in the landmarks file
func fixtureRun(t *testing.T) (out, lmFile, poseFile string) {
	s := boxShape()
	o := newOutTree(t, "mask")
	good := NewMask(130, 130)
	fillRect(good, 40, 55, 82, 95) // mouth and every nose point, below the eyes (rows 39..42)
	o.add("a.png", "from-file", 130, 130, &s, good)
	spill := NewMask(130, 130)
	fillRect(spill, 40, 55, 82, 95)
	fillRect(spill, 0, 0, 130, 4) // 520 px above the face region
	o.add("b.png", "from-file", 130, 130, &s, spill)
	o.add("c.png", "error", 130, 130, nil, nil)
	o.add("d.png", "no-face", 130, 130, nil, nil)
	o.add("e.png", "from-file", 130, 130, &s, good)
	out = o.write()
	dir := t.TempDir()
	lmFile = landmarksJSONL(t, dir, map[string]landmarks.Shape{"a.png": s, "b.png": s, "c.png": s, "d.png": s})
	poseFile = filepath.Join(dir, "pose.jsonl")
	writeFile(t, poseFile, []byte(`{"path":"a.png","yaw":10}`+"\n"+`{"path":"b.png","yaw":-35}`+"\n"+`{"path":"c.png","yaw":50}`+"\n"))
	return out, lmFile, poseFile
}

func TestRunAgainstLandmarksFile(t *testing.T) {
	out, lm, pose := fixtureRun(t)
	rep, err := Run(context.Background(), Options{Out: out, Landmarks: lm, Pose: pose, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != "mask" || rep.Images != 5 || rep.NoTruth != 1 {
		t.Errorf("kind %q images %d no-truth %d; want mask 5 1", rep.Kind, rep.Images, rep.NoTruth)
	}
	spill := 520.0 / (42*40 + 520)
	type face struct {
		band, yawSrc string
		found, pass  bool
		failed       []string
		m            Metrics
	}
	want := map[string]face{
		"a.png": {"0-15", YawFromPoseFile, true, true, nil, Metrics{Mouth: 1, Nose: 1}},
		"b.png": {"30-45", YawFromPoseFile, true, false, []string{"spill <= 20%"}, Metrics{Mouth: 1, Nose: 1, Spill: round4(Metrics{Spill: spill}).Spill}},
		"c.png": {"45-60", YawFromPoseFile, false, false, []string{"status error"}, Metrics{}},
		"d.png": {"0-15", YawEstimated, false, false, []string{"no-face"}, Metrics{}},
	}
	for _, r := range rep.Results {
		w, ok := want[r.In]
		if !ok {
			if len(r.Faces) != 0 {
				t.Errorf("%s: scored %d faces without ground truth", r.In, len(r.Faces))
			}
			continue
		}
		if len(r.Faces) != 1 {
			t.Fatalf("%s: %d faces, want 1", r.In, len(r.Faces))
		}
		f := r.Faces[0]
		if f.Band != w.band || f.YawSource != w.yawSrc || f.Found != w.found || f.Pass == nil || *f.Pass != w.pass ||
			!slices.Equal(f.Failed, w.failed) || f.Metrics != w.m {
			t.Errorf("%s: band %s (%s) found %v pass %v failed %q metrics %+v;\nwant %+v", r.In, f.Band, f.YawSource, f.Found, *f.Pass, f.Failed, f.Metrics, w)
		}
	}
	if y := rep.Results[3].Faces[0].Yaw; y == nil || *y != -1.01 {
		t.Errorf("d.png: estimated yaw %v, want -1.01 (atan(-0.5*1.7/48))", y)
	}
	type band struct{ faces, found, passed int }
	wantBands := map[string]band{"0-15": {2, 1, 1}, "15-30": {}, "30-45": {1, 1, 0}, "45-60": {1, 0, 0}, "60-90": {}, "all": {4, 2, 1}}
	var names []string
	for _, b := range rep.Bands {
		names = append(names, b.Band)
		if got := (band{b.Faces, b.Found, b.Passed}); got != wantBands[b.Band] {
			t.Errorf("band %s: %+v, want %+v", b.Band, got, wantBands[b.Band])
		}
	}
	if !slices.Equal(names, []string{"0-15", "15-30", "30-45", "45-60", "60-90", "all"}) {
		t.Errorf("bands %q", names)
	}
	all := rep.Bands[len(rep.Bands)-1]
	if all.PassRate != 0.25 || all.Median.Mouth != 1 || all.Median.Spill != round4(Metrics{Spill: spill}).Spill/2 {
		t.Errorf("all: pass rate %v, median %+v", all.PassRate, all.Median)
	}
	var worst []string
	for _, c := range rep.Worst(10) {
		worst = append(worst, c.Image.In)
	}
	if !slices.Equal(worst, []string{"c.png", "d.png", "b.png", "a.png"}) {
		t.Errorf("Worst = %q, want c, d (failed, by path), then b, then a (passed)", worst)
	}

	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"pass: mouth >= 80%, nose >= 80%, eyes <= 5%, spill <= 20%", "1 images not scored"} {
		if !strings.Contains(table.String(), line) {
			t.Errorf("table lacks %q:\n%s", line, table.String())
		}
	}
	if !strings.Contains(table.String(), "all      4      2       1      25.0%") {
		t.Errorf("table's all row:\n%s", table.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != 5 || back.Results[1].Faces[0].Spill != round4(Metrics{Spill: spill}).Spill || back.Bands[5].Passed != 1 {
		t.Errorf("JSON round trip: %s", js.String())
	}
}

// TestRunManifestLandmarks: without a landmarks file the manifest's faces are scored; a
// failed image becomes one failed face of unknown yaw; a no-face image is not scored; a
// manifest pose wins over the estimate.
func TestRunManifestLandmarks(t *testing.T) {
	out, _, _ := fixtureRun(t)
	// give e.png's face a pose in the manifest
	mp := filepath.Join(out, "manifest.jsonl")
	data, _ := os.ReadFile(mp)
	data = bytes.Replace(data, []byte(`"source":"from-file"}],"height":130,"in":"e.png"`), []byte(`"source":"from-file","pose":{"yaw":33}}],"height":130,"in":"e.png"`), 1)
	if !bytes.Contains(data, []byte(`"pose":{"yaw":33}`)) {
		t.Fatalf("fixture manifest changed shape:\n%s", data)
	}
	writeFile(t, mp, data)
	rep, err := Run(context.Background(), Options{Out: out})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		for _, f := range r.Faces {
			got[r.In] = f.Band + " " + f.YawSource + " " + strings.Join(f.Failed, ",")
		}
	}
	want := map[string]string{
		"a.png": "0-15 estimated ",
		"b.png": "0-15 estimated spill <= 20%",
		"c.png": "unknown  status error",
		"e.png": "30-45 manifest ",
	}
	if len(got) != len(want) {
		t.Errorf("scored %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if rep.NoTruth != 1 || rep.Bands[len(rep.Bands)-2].Band != BandUnknown {
		t.Errorf("no-truth %d, bands %+v", rep.NoTruth, rep.Bands)
	}
}

func TestRunErrors(t *testing.T) {
	out, lm, _ := fixtureRun(t)
	os.Remove(filepath.Join(out, "occlusion_masks", "b.png.png"))
	noSettings := t.TempDir()
	writeFile(t, filepath.Join(noSettings, "manifest.jsonl"), []byte(`{"in":"a.png","status":"no-face"}`+"\n"))
	noMasks := t.TempDir()
	writeFile(t, filepath.Join(noMasks, "manifest.jsonl"), []byte(`{"in":"a.png","status":"detected","faces":[]}`+"\n"))
	badManifest := t.TempDir()
	writeFile(t, filepath.Join(badManifest, "manifest.jsonl"), []byte(`{"in":"a.png","status":"no-face"}`+"\n{oops\n"))
	for _, c := range []struct {
		name string
		opts Options
		want string
	}{
		{"missing mask", Options{Out: out, Landmarks: lm}, "b.png.png"},
		{"no manifest", Options{Out: t.TempDir(), Kind: "mask"}, "no manifest"},
		{"no kind", Options{Out: noSettings}, "no run settings"},
		{"no masks", Options{Out: noMasks, Kind: "mask"}, "rerun occlude with --write-masks"},
		{"bad manifest line", Options{Out: badManifest, Kind: "mask"}, "manifest.jsonl:2: not a manifest record"},
		{"bad landmarks file", Options{Out: noSettings, Kind: "mask", Landmarks: filepath.Join(noSettings, "manifest.jsonl")}, "landmarks"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Run(context.Background(), c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestSheet(t *testing.T) {
	out, lm, pose := fixtureRun(t)
	rep, err := Run(context.Background(), Options{Out: out, Landmarks: lm, Pose: pose})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "sheet.png")
	if err := rep.WriteSheet(p, rep.Worst(3), out); err != nil { // the outputs stand in for the inputs
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 2 columns of tiles of 3 panels, 2 rows.
	tileW := 3*sheetCell + 2*sheetGap
	wantW, wantH := sheetGap+2*(tileW+2*sheetGap), sheetGap+2*(sheetCell+sheetLines*sheetLine+2*sheetGap)
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Fatalf("sheet %v, want %dx%d", b, wantW, wantH)
	}
	// b.png (third case: row 2, column 1) has a mask: its outline is drawn in the third panel.
	count := func(x0, y0 int, c [3]uint32) int {
		n := 0
		for y := y0; y < y0+sheetCell; y++ {
			for x := x0; x < x0+sheetCell; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				if [3]uint32{r >> 8, g >> 8, b >> 8} == c {
					n++
				}
			}
		}
		return n
	}
	x3 := sheetGap + 2*(sheetCell+sheetGap)
	y2 := sheetGap + sheetCell + sheetLines*sheetLine + 2*sheetGap
	if n := count(x3, y2, [3]uint32{255, 40, 40}); n < 50 {
		t.Errorf("b.png: %d mask-outline pixels in the third panel, want the outline", n)
	}
	if n := count(x3, y2, [3]uint32{40, 255, 80}); n < 68 {
		t.Errorf("b.png: %d landmark pixels, want >= 68", n)
	}
	if n := count(x3, sheetGap, [3]uint32{255, 40, 40}); n != 0 {
		t.Errorf("c.png (no mask): %d mask-outline pixels", n)
	}
}
