package imageio

import (
	"bytes"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio/imagefile"
)

// TestOrientationMatchesOpenCV: for every EXIF orientation, DecodeNative (imagefile.Orient, the
// turn ffra's loader uses too) gives the pixels OpenCV's own EXIF handling gives.
func TestOrientationMatchesOpenCV(t *testing.T) {
	src := gocv.NewMatWithSize(24, 40, gocv.MatTypeCV8UC3)
	defer src.Close()
	for y := 0; y < 24; y++ {
		for x := 0; x < 40; x++ {
			src.SetUCharAt(y, 3*x, uint8(6*x))
			src.SetUCharAt(y, 3*x+1, uint8(10*y))
			src.SetUCharAt(y, 3*x+2, uint8(x*y))
		}
	}
	plain, err := Encode("x.jpg", src)
	if err != nil {
		t.Fatal(err)
	}
	for o := imagefile.Orientation(1); o <= 8; o++ {
		t.Run(string(rune('0'+o)), func(t *testing.T) {
			data, err := imagefile.WithJPEGOrientation(plain, o)
			if err != nil {
				t.Fatal(err)
			}
			img, err := DecodeNative("x.jpg", data)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Mat.Close()
			want, err := gocv.IMDecode(data, gocv.IMReadColor) // applies EXIF orientation itself
			if err != nil {
				t.Fatal(err)
			}
			defer want.Close()
			a, _ := img.Mat.DataPtrUint8()
			b, _ := want.DataPtrUint8()
			if img.Mat.Cols() != want.Cols() || img.Mat.Rows() != want.Rows() || !bytes.Equal(a, b) || img.Format.Orientation != int(o) {
				t.Errorf("orientation %d: %dx%d (recorded %d), OpenCV %dx%d; equal pixels %v",
					o, img.Mat.Cols(), img.Mat.Rows(), img.Format.Orientation, want.Cols(), want.Rows(), bytes.Equal(a, b))
			}
		})
	}
}

// TestMergeInto: drawing on the working copy reaches the native image in its own format: in
// luminance on gray (BT.601 of the drawn colour), scaled by 257 at 16 bits with the low bits of
// untouched pixels kept, and never in the alpha channel.
func TestMergeInto(t *testing.T) {
	drawn := [3]uint8{200, 40, 10} // BGR: a blue patch; luminance 0.114*200+0.587*40+0.299*10 = 49.27
	cases := []struct {
		name string
		typ  gocv.MatType
		fill float64 // native value everywhere (per channel; alpha 77 where present)
		gray bool    // treat as gray content (a uniform fill always is)
		want []float64
	}{
		{"gray8", gocv.MatTypeCV8UC1, 100, true, []float64{49}},
		{"gray16", gocv.MatTypeCV16UC1, 100*257 + 55, true, []float64{49.27*257 + 55}},
		{"gray-content bgr8", gocv.MatTypeCV8UC3, 100, true, []float64{49, 49, 49}},
		{"bgr16", gocv.MatTypeCV16UC3, 100*257 + 55, false, []float64{200*257 + 55, 40*257 + 55, 10*257 + 55}},
		{"bgra8", gocv.MatTypeCV8UC4, 100, false, []float64{200, 40, 10, 77}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := gocv.NewScalar(c.fill, c.fill, c.fill, 77)
			m := gocv.NewMatWithSizeFromScalar(sc, 4, 4, c.typ)
			img := Image{Mat: m, Format: Format{Channels: m.Channels()}}
			defer m.Close()
			work, shared, err := img.Working()
			if err != nil {
				t.Fatal(err)
			}
			if shared {
				work = work.Clone() // as occlude does for gray content: draw on a copy
			}
			defer work.Close()
			if !img.Format.Gray || !img.NeedsMerge() {
				t.Fatalf("uniform %s: gray %v, needs merge %v", c.name, img.Format.Gray, img.NeedsMerge())
			}
			img.Format.Gray = c.gray
			base := work.Clone()
			defer base.Close()
			work.SetUCharAt(1, 3, drawn[0]) // pixel (1, 1)
			work.SetUCharAt(1, 4, drawn[1])
			work.SetUCharAt(1, 5, drawn[2])
			if err := img.MergeInto(base, work); err != nil {
				t.Fatal(err)
			}
			ch := m.Channels()
			for px := 0; px < 16; px++ {
				for k := 0; k < ch; k++ {
					var got float64
					if c.typ&7 == gocv.MatTypeCV16U {
						got = float64(m.GetShortAt(px/4, (px%4)*ch+k)) // bits as stored
						got = float64(uint16(got))
					} else {
						got = float64(m.GetUCharAt(px/4, (px%4)*ch+k))
					}
					want := c.fill
					if k == 3 {
						want = 77
					}
					if px == 5 {
						want = c.want[k]
					}
					if d := got - want; d > 1 || d < -1 {
						t.Errorf("pixel %d channel %d: %v, want %v", px, k, got, want)
					}
				}
			}
		})
	}
}
