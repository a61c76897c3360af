package imageio

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/limits/limitstest"
)

func TestDecode(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, img image.Image) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return p
	}
	gray := image.NewGray(image.Rect(0, 0, 8, 6))
	gray.SetGray(1, 2, color.Gray{Y: 200})
	g16 := image.NewGray16(image.Rect(0, 0, 8, 6))
	g16.SetGray16(1, 2, color.Gray16{Y: 65535})
	rgba := image.NewNRGBA(image.Rect(0, 0, 8, 6))
	rgba.SetNRGBA(1, 2, color.NRGBA{R: 255, G: 10, B: 20, A: 128})
	for name, img := range map[string]image.Image{"gray.png": gray, "g16.png": g16, "rgba.png": rgba} {
		m, err := Decode(write(name, img))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m.Channels() != 3 || m.Type()&7 != 0 || m.Cols() != 8 || m.Rows() != 6 {
			t.Errorf("%s: got %dx%d type %v, want 8x6 8-bit BGR", name, m.Cols(), m.Rows(), m.Type())
		}
		v := m.GetVecbAt(2, 1)
		switch name {
		case "gray.png":
			if v[0] != 200 || v[1] != 200 || v[2] != 200 {
				t.Errorf("gray pixel %v", v)
			}
		case "g16.png":
			if v[0] != 255 {
				t.Errorf("16-bit white became %v", v)
			}
		case "rgba.png":
			if v[2] != 255 || v[1] != 10 || v[0] != 20 {
				t.Errorf("rgba pixel as BGR %v, want [20 10 255]", v)
			}
		}
		m.Close()
	}
	bad := map[string][]byte{"zero.jpg": nil, "corrupt.jpg": []byte("\xff\xd8\xff\xe0 not really a jpeg"), "notes.png": []byte("hello")}
	for name, data := range bad {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		if _, err := Decode(p); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err %v, want an error naming the file", name, err)
		}
	}
	if _, err := Decode(filepath.Join(dir, "missing.jpg")); err == nil {
		t.Error("missing file decoded")
	}
}

func TestEncodeImageRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	p := filepath.Join(dir, "in.png")
	f, _ := os.Create(p)
	png.Encode(f, src)
	f.Close()
	m, err := Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	b, err := Encode("x/out.png", m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeBytes("out.png", b)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			if string(m.GetVecbAt(y, x)) != string(back.GetVecbAt(y, x)) {
				t.Fatalf("PNG round trip changed pixel (%d,%d)", x, y)
			}
		}
	}
	j1, err := Encode("a.jpg", m)
	if err != nil {
		t.Fatal(err)
	}
	j2, _ := Encode("b.JPG", m)
	if string(j1) != string(j2) || len(j1) < 100 || j1[0] != 0xff || j1[1] != 0xd8 {
		t.Error("JPEG encoding not deterministic or not a JPEG")
	}
	if _, err := Encode("a.gif", m); err == nil {
		t.Error("gif accepted")
	}
}

func TestSetOpenCVThreadsRoundTrip(t *testing.T) {
	prev := SetOpenCVThreads(1)
	defer SetOpenCVThreads(prev)
	if got := SetOpenCVThreads(2); got != 1 {
		t.Fatalf("after setting 1, OpenCV reports %d threads", got)
	}
	if got := SetOpenCVThreads(prev); got != 2 {
		t.Fatalf("after setting 2, OpenCV reports %d threads", got)
	}
}

// A 70-byte PNG declaring 20000x20000 pixels is refused from its header, before OpenCV
// allocates a 1.2 GB canvas (its own limit is 2^30 pixels).
func TestDecodeRefusesHugeCanvas(t *testing.T) {
	b := limitstest.PNGDeclaring(t, 20000, 20000)
	m, err := DecodeBytes("big.png", b)
	defer m.Close()
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "image big.png: 20000x20000 is larger than the 67108864-pixel limit") {
		t.Fatalf("err %v", err)
	}
}
