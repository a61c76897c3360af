package imagefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return img
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, gradient(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, gradient(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// insertPNGChunk puts a chunk right after IHDR (signature 8 bytes + IHDR 25 bytes).
func insertPNGChunk(d []byte, typ string, body []byte) []byte {
	var c []byte
	c = binary.BigEndian.AppendUint32(c, uint32(len(body)))
	c = append(c, typ...)
	c = append(c, body...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	out := append([]byte{}, d[:33]...)
	out = append(out, c...)
	return append(out, d[33:]...)
}

func TestInspectRejects(t *testing.T) {
	j := jpegBytes(t, 64, 48)
	p := pngBytes(t, 64, 48)
	badCRC := append([]byte{}, p...)
	badCRC[40] ^= 0x55 // inside IDAT or its CRC: the chunk no longer checks
	sof := bytes.Index(j, []byte{0xFF, 0xC0})
	arith := append([]byte{}, j...)
	arith[sof+1] = 0xC9 // SOF9: arithmetic coding, which image/jpeg does not decode
	deep := append([]byte{}, j...)
	deep[sof+4] = 12 // 12-bit precision
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"arithmetic-coded jpeg", arith, "unsupported JPEG: frame type SOF9"},
		{"12-bit jpeg", deep, "unsupported JPEG: 12-bit"},
		{"not an image", []byte("hello, this is text"), "not an image"},
		{"jpeg cut to half", j[:len(j)/2], "truncated JPEG"},
		{"jpeg without EOI", j[:len(j)-2], "truncated JPEG"},
		{"jpeg header only", j[:300], "truncated JPEG"},
		{"png cut to half", p[:len(p)/2], "PNG"},
		{"png without IEND", p[:len(p)-12], "truncated PNG"},
		{"png bad crc", badCRC, "PNG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Inspect(c.data)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q: want ErrUnreadable and %q", err, c.want)
			}
		})
	}
}

func TestInspectAccepts(t *testing.T) {
	j := jpegBytes(t, 64, 48)
	trailer := append(append([]byte{}, j...), "camera trailer after EOI"...)
	cases := []struct {
		name   string
		data   []byte
		format string
	}{
		{"jpeg", j, "jpeg"},
		{"jpeg with bytes after EOI", trailer, "jpeg"},
		{"png", pngBytes(t, 64, 48), "png"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, err := Inspect(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != c.format || info.Width != 64 || info.Height != 48 || info.Orientation != 1 {
				t.Errorf("info %+v, want %s 64x48 orientation 1", info, c.format)
			}
		})
	}
}

func TestOrientationTag(t *testing.T) {
	j := jpegBytes(t, 32, 16)
	for o := Orientation(1); o <= 8; o++ {
		t.Run(string(rune('0'+o)), func(t *testing.T) {
			d, err := WithJPEGOrientation(j, o)
			if err != nil {
				t.Fatal(err)
			}
			info, err := Inspect(d)
			if err != nil {
				t.Fatal(err)
			}
			if info.Orientation != o {
				t.Errorf("jpeg orientation %d, want %d", info.Orientation, o)
			}
			// the same TIFF block in a PNG eXIf chunk, big-endian
			be := []byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00")
			be = append(be, byte(o), 0, 0, 0, 0, 0, 0)
			info, err = Inspect(insertPNGChunk(pngBytes(t, 8, 8), "eXIf", be))
			if err != nil {
				t.Fatal(err)
			}
			if info.Orientation != o {
				t.Errorf("png orientation %d, want %d", info.Orientation, o)
			}
		})
	}
	// out-of-range or wrongly typed values are ignored
	bad, _ := WithJPEGOrientation(j, 9)
	if info, err := Inspect(bad); err != nil || info.Orientation != 1 {
		t.Errorf("orientation 9: %+v, %v; want 1", info, err)
	}
}

// TestOrient: each orientation on a 3x2 grid of numbered pixels against the picture EXIF
// 2.32 (4.6.4, tag 0x0112) describes for it.
func TestOrient(t *testing.T) {
	// stored:  0 1 2
	//          3 4 5
	pix := []byte{0, 1, 2, 3, 4, 5}
	want := map[Orientation][]byte{
		1: {0, 1, 2, 3, 4, 5},
		2: {2, 1, 0, 5, 4, 3},
		3: {5, 4, 3, 2, 1, 0},
		4: {3, 4, 5, 0, 1, 2},
		5: {0, 3, 1, 4, 2, 5},
		6: {3, 0, 4, 1, 5, 2}, // turned clockwise: the stored left column becomes the top row
		7: {5, 2, 4, 1, 3, 0},
		8: {2, 5, 1, 4, 0, 3},
	}
	for o := Orientation(1); o <= 8; o++ {
		t.Run(string(rune('0'+o)), func(t *testing.T) {
			out, w, h := Orient(pix, 3, 2, 1, o)
			ww, wh := 3, 2
			if o.Swaps() {
				ww, wh = 2, 3
			}
			if w != ww || h != wh || !bytes.Equal(out, want[o]) {
				t.Errorf("got %v %dx%d, want %v %dx%d", out, w, h, want[o], ww, wh)
			}
		})
	}
	// multi-byte pixels move whole
	out, _, _ := Orient([]byte{1, 2, 3, 4}, 2, 1, 2, 2)
	if !bytes.Equal(out, []byte{3, 4, 1, 2}) {
		t.Errorf("2-byte pixels mirrored: %v", out)
	}
}
