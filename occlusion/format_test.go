package occlusion

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/imageio/imagefile"
	"github.com/occfer/occfer/train/loader"
)

// readUnchanged decodes a file as stored (channels, depth, alpha kept).
func readUnchanged(t *testing.T, p string) gocv.Mat {
	t.Helper()
	m := gocv.IMRead(p, gocv.IMReadUnchanged)
	if m.Empty() {
		t.Fatalf("cannot read %s", p)
	}
	return m
}

// changed counts the pixels where a and b (same size and type) differ in any byte, and those
// among them that the occlusion mask marks.
func changed(t *testing.T, a, b, mask gocv.Mat) (n, inMask int) {
	t.Helper()
	pa, _ := a.DataPtrUint8()
	pb, _ := b.DataPtrUint8()
	pm, _ := mask.DataPtrUint8()
	if len(pa) != len(pb) || a.Type() != b.Type() {
		t.Fatalf("types %v/%v, %d/%d bytes", a.Type(), b.Type(), len(pa), len(pb))
	}
	bpp := int(a.ElemSize())
	for px := 0; px < len(pa)/bpp; px++ {
		if string(pa[px*bpp:(px+1)*bpp]) != string(pb[px*bpp:(px+1)*bpp]) {
			n++
			if pm[px] != 0 {
				inMask++
			}
		}
	}
	return n, inMask
}

// TestFormatsKept: a grayscale, a gray-content colour, a 16-bit and a transparent input come
// back in their own format, changed only where the overlay went (and its anti-aliased rim),
// with the manifest saying what they were.
func TestFormatsKept(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	defer src.Close()
	face := faceCrop(src, 2.0, 0, 0, 200, false)
	defer face.Close()

	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(face, &gray, gocv.ColorBGRToGray)
	writeImage(t, filepath.Join(in, "gray.png"), gray)
	gray3 := gocv.NewMat()
	defer gray3.Close()
	gocv.CvtColor(gray, &gray3, gocv.ColorGrayToBGR)
	writeImage(t, filepath.Join(in, "gray3.png"), gray3)
	deep := gocv.NewMat()
	defer deep.Close()
	face.ConvertToWithParams(&deep, gocv.MatTypeCV16UC3, 256, 37) // low bytes that 8 bits cannot hold
	writeImage(t, filepath.Join(in, "deep16.png"), deep)
	rgba := gocv.NewMat()
	defer rgba.Close()
	gocv.CvtColor(face, &rgba, gocv.ColorBGRToBGRA)
	for y := 0; y < rgba.Rows(); y++ {
		for x := 0; x < rgba.Cols(); x++ {
			v := rgba.GetVecbAt(y, x)
			rgba.SetUCharAt(y, 4*x+3, uint8((x+y)*255/398)) // alpha ramp, 0 in the top-left corner
			_ = v
		}
	}
	writeImage(t, filepath.Join(in, "rgba.png"), rgba)

	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindMask)
	c.WriteMasks = true
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	recs := map[string]Record{}
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		recs[r.In] = r
	}
	cases := []struct {
		rel     string
		typ     gocv.MatType
		format  InputFormat
		inImage gocv.Mat
	}{
		{"gray.png", gocv.MatTypeCV8UC1, InputFormat{Type: "png", Channels: 1, Depth: 8, Gray: true}, gray},
		{"gray3.png", gocv.MatTypeCV8UC3, InputFormat{Type: "png", Channels: 3, Depth: 8, Gray: true}, gray3},
		{"deep16.png", gocv.MatTypeCV16UC3, InputFormat{Type: "png", Channels: 3, Depth: 16}, deep},
		{"rgba.png", gocv.MatTypeCV8UC4, InputFormat{Type: "png", Channels: 4, Depth: 8, Alpha: true}, rgba},
	}
	outs := map[string]gocv.Mat{}
	for _, c := range cases {
		t.Run(c.rel, func(t *testing.T) {
			r := recs[c.rel]
			if r.Status != StatusDetected || r.Format == nil || *r.Format != c.format {
				t.Fatalf("record status %s format %+v, want detected %+v (%s)", r.Status, r.Format, c.format, r.Error)
			}
			got := readUnchanged(t, filepath.Join(out, c.rel))
			outs[c.rel] = got
			if got.Type() != c.typ {
				t.Fatalf("output type %v, want %v", got.Type(), c.typ)
			}
			mask := gocv.IMRead(filepath.Join(out, r.Mask), gocv.IMReadGrayScale)
			defer mask.Close()
			n, inMask := changed(t, c.inImage, got, mask)
			area := gocv.CountNonZero(mask)
			// The overlay changes its area; beyond it only the anti-aliased rim (a few pixels
			// wide around a ~100-px mask) may differ.
			if inMask < area*9/10 || n-inMask > area/4 {
				t.Errorf("%d pixels changed, %d of them in the %d-pixel mask", n, inMask, area)
			}
		})
	}
	// Gray content in three channels gives the one-channel output in every channel. The same
	// relative path is needed for the same random choices: a second run, on a folder where
	// gray.png is the three-channel copy.
	in3, out3 := t.TempDir(), filepath.Join(t.TempDir(), "out")
	writeImage(t, filepath.Join(in3, "gray.png"), gray3)
	c.In, c.Out = in3, out3
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	g3 := readUnchanged(t, filepath.Join(out3, "gray.png"))
	defer g3.Close()
	if g1 := outs["gray.png"]; g3.Type() == gocv.MatTypeCV8UC3 && g1.Cols() > 0 {
		p3, _ := g3.DataPtrUint8()
		p1, _ := g1.DataPtrUint8()
		for i, v := range p1 {
			if p3[3*i] != v || p3[3*i+1] != v || p3[3*i+2] != v {
				t.Fatalf("3-channel gray pixel %d = %v, want 3 x %d (the 1-channel output)", i, p3[3*i:3*i+3], v)
			}
		}
	} else {
		t.Errorf("3-channel gray output type %v", g3.Type())
	}
	// alpha kept byte for byte
	if got := outs["rgba.png"]; got.Cols() > 0 {
		pg, _ := got.DataPtrUint8()
		pi, _ := rgba.DataPtrUint8()
		for i := 3; i < len(pi); i += 4 {
			if pg[i] != pi[i] {
				t.Fatalf("alpha of pixel %d: %d, want %d", i/4, pg[i], pi[i])
			}
		}
	}
	for _, m := range outs {
		m.Close()
	}
	// The random occluders and aligned crops keep the format too.
	for _, kind := range []Kind{KindRandom, KindAlign} {
		t.Run(string(kind), func(t *testing.T) {
			c := baseConfig(in, filepath.Join(t.TempDir(), "out"), kind)
			if kind == KindAlign {
				c.AlignSize = DefaultAlignSize
			}
			if _, err := Run(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			st := map[string]string{}
			for _, r := range readManifest(t, filepath.Join(c.Out, ManifestFile)) {
				st[r.In] = r.Status
			}
			for rel, typ := range map[string]gocv.MatType{"gray.png": gocv.MatTypeCV8UC1, "deep16.png": gocv.MatTypeCV16UC3, "rgba.png": gocv.MatTypeCV8UC4} {
				if st[rel] != StatusDetected {
					t.Errorf("%s: status %q, want detected (drawn, not copied)", rel, st[rel])
				}
				got := readUnchanged(t, filepath.Join(c.Out, rel))
				if got.Type() != typ {
					t.Errorf("%s: output type %v, want %v", rel, got.Type(), typ)
				}
				got.Close()
			}
		})
	}
}

// TestReadingContract: occlude and ffra's loader read a phone-style JPEG (EXIF orientation 6)
// the same way up, with the same pixels up to the two JPEG decoders' rounding, and both call a
// JPEG cut to half its bytes unreadable, naming the file and the reason; occlude does not
// occlude it.
func TestReadingContract(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	defer src.Close()
	face := faceCrop(src, 2.0, 0, 0, 200, false)
	defer face.Close()
	// stored turned 90 degrees counter-clockwise, as a phone held upright stores it
	stored := gocv.NewMat()
	defer stored.Close()
	gocv.Rotate(face, &stored, gocv.Rotate90CounterClockwise)
	narrow := stored.Region(image.Rect(0, 0, 200, 150)) // not square: a wrong turn shows in the size
	plain, err := imageio.Encode("x.jpg", narrow.Clone())
	narrow.Close()
	if err != nil {
		t.Fatal(err)
	}
	phone, err := imagefile.WithJPEGOrientation(plain, 6)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "phone.jpg"), phone)
	full, err := imageio.Encode("x.jpg", face)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "cut.jpg"), full[:len(full)/2])

	t.Run("orientation", func(t *testing.T) {
		cv, err := imageio.DecodeBytes("phone.jpg", phone)
		if err != nil {
			t.Fatal(err)
		}
		defer cv.Close()
		gm, err := loader.DecodeFile(filepath.Join(in, "phone.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		if cv.Cols() != 150 || cv.Rows() != 200 || gm.W != 150 || gm.H != 200 {
			t.Fatalf("occlude reads %dx%d, ffra %dx%d; want 150x200 (upright)", cv.Cols(), cv.Rows(), gm.W, gm.H)
		}
		pix, _ := cv.DataPtrUint8()
		var sum, worst int
		for i := 0; i < len(pix); i += 3 {
			for c := 0; c < 3; c++ { // BGR vs RGB
				d := int(pix[i+c]) - int(gm.Pix[i+2-c])
				d = max(d, -d)
				sum += d
				worst = max(worst, d)
			}
		}
		// libjpeg and Go upsample chroma differently: a few levels at colour edges.
		if mean := float64(sum) / float64(len(pix)); mean > 1.5 || worst > 24 {
			t.Errorf("occlude and ffra pixels differ: mean %.2f, max %d levels", mean, worst)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		p := filepath.Join(in, "cut.jpg")
		_, err := loader.DecodeFile(p)
		if err == nil || !errors.Is(err, imagefile.ErrUnreadable) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated JPEG") {
			t.Errorf("ffra: %v; want unreadable naming %s and the truncation", err, p)
		}
	})
	out := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), baseConfig(in, out, KindMask)); err != nil {
		t.Fatal(err)
	}
	recs := map[string]Record{}
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		recs[r.In] = r
	}
	if r := recs["phone.jpg"]; r.Status != StatusDetected || r.Width != 150 || r.Height != 200 || r.Format == nil || r.Format.Orientation != 6 {
		t.Errorf("phone.jpg: %s %dx%d format %+v (%s); want detected 150x200 orientation 6", r.Status, r.Width, r.Height, r.Format, r.Error)
	}
	r := recs["cut.jpg"]
	p := filepath.Join(in, "cut.jpg")
	if r.Status != StatusUnreadable || !strings.Contains(r.Error, p) || !strings.Contains(r.Error, "truncated JPEG") {
		t.Errorf("cut.jpg: %s %q; want unreadable naming %s and the truncation", r.Status, r.Error, p)
	}
	if _, err := os.Stat(filepath.Join(out, "cut.jpg")); !os.IsNotExist(err) {
		t.Error("cut.jpg was written to the output")
	}
}
