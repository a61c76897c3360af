package loader

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writePNG writes a w x h image whose pixel (x,y) is f(x,y) and returns its path.
func writePNG(t *testing.T, dir, name string, w, h int, f func(x, y int) color.NRGBA) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, f(x, y))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResizeIdentityAndConstant(t *testing.T) {
	src := &RGB{W: 4, H: 4, Pix: make([]uint8, 48)}
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 5)
	}
	dst := make([]float32, 3*16)
	ResizeCHW(src, Box{0, 0, 4, 4}, 4, false, dst, nil)
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			for c := 0; c < 3; c++ {
				want := float32(src.Pix[(y*4+x)*3+c]) / 255
				if got := dst[c*16+y*4+x]; math.Abs(float64(got-want)) > 1e-6 {
					t.Fatalf("same-size resize changed pixel (%d,%d,%d): %v want %v", x, y, c, got, want)
				}
			}
		}
	}
	// A constant image stays constant at any scale, up or down (weights are normalised).
	con := &RGB{W: 10, H: 7, Pix: bytes.Repeat([]uint8{200, 100, 50}, 70)}
	for _, size := range []int{3, 7, 23} {
		d := make([]float32, 3*size*size)
		ResizeCHW(con, Box{1.5, 0.5, 8, 6}, size, true, d, nil)
		for i, v := range d {
			want := []float32{200, 100, 50}[i/(size*size)] / 255
			if math.Abs(float64(v-want)) > 1e-5 {
				t.Fatalf("size %d: constant image gave %v at %d, want %v", size, v, i, want)
			}
		}
	}
}

func TestResizeBilinearUpscaleAndFlip(t *testing.T) {
	// 2x1 image 0 | 255, upscaled to 4 wide: half-pixel centres give 0, 1/4, 3/4, 1
	// (edge pixels clamp), i.e. PyTorch bilinear with align_corners=False.
	src := &RGB{W: 2, H: 1, Pix: []uint8{0, 0, 0, 255, 255, 255}}
	d := make([]float32, 3*16)
	ResizeCHW(src, Box{0, 0, 2, 1}, 4, false, d, nil)
	want := []float32{0, 0.25, 0.75, 1}
	for x := 0; x < 4; x++ {
		if math.Abs(float64(d[x]-want[x])) > 1e-6 {
			t.Fatalf("row 0 = %v, want %v", d[:4], want)
		}
	}
	ResizeCHW(src, Box{0, 0, 2, 1}, 4, true, d, nil)
	for x := 0; x < 4; x++ {
		if math.Abs(float64(d[x]-want[3-x])) > 1e-6 {
			t.Fatalf("flipped row 0 = %v, want reversed %v", d[:4], want)
		}
	}
}

func TestNormalizeImageNet(t *testing.T) {
	d := []float32{1, 0, 0.5}
	Normalize(d, 1)
	for c, v := range []float32{1, 0, 0.5} {
		want := (v - Mean[c]) / Std[c]
		if math.Abs(float64(d[c]-want)) > 1e-6 {
			t.Fatalf("channel %d: %v want %v", c, d[c], want)
		}
	}
}

func TestTransformSeededAndErasing(t *testing.T) {
	src := &RGB{W: 40, H: 30, Pix: make([]uint8, 40*30*3)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range src.Pix {
		src.Pix[i] = uint8(r.IntN(256))
	}
	aug := DefaultAug()
	aug.Brightness, aug.Contrast, aug.Saturation = 0.4, 0.4, 0.4
	aug.EraseP = 1
	run := func(seed uint64) []float32 {
		d := make([]float32, 3*32*32)
		Transform(src, 32, &aug, rand.New(rand.NewPCG(seed, 9)), d, &Scratch{})
		return d
	}
	a, b, c := run(5), run(5), run(6)
	if !slices.Equal(a, b) {
		t.Fatal("same RNG seed gave different augmentations")
	}
	if slices.Equal(a, c) {
		t.Fatal("different RNG seeds gave identical augmentations")
	}
	// Erasing with p=1 zeroes a box of at least 2% of the area in all three channels.
	zeros := 0
	for i := 0; i < 32*32; i++ {
		if a[i] == 0 && a[1024+i] == 0 && a[2048+i] == 0 {
			zeros++
		}
	}
	if zeros < 18 || zeros > 300 {
		t.Fatalf("erased %d pixels, want 2%%..25%% of 1024", zeros)
	}
	// Evaluation transform: no randomness, whole image.
	e1, e2 := make([]float32, 3*32*32), make([]float32, 3*32*32)
	Transform(src, 32, nil, nil, e1, &Scratch{})
	Transform(src, 32, nil, nil, e2, &Scratch{})
	if !slices.Equal(e1, e2) {
		t.Fatal("evaluation transform is not deterministic")
	}
}

func TestAugValidate(t *testing.T) {
	a := DefaultAug()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	a.ScaleMin = 0
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "crop scale") {
		t.Fatalf("scale 0 accepted: %v", err)
	}
	a = DefaultAug()
	a.EraseP = 1.5
	if err := a.Validate(); err == nil {
		t.Fatal("erase p 1.5 accepted")
	}
}

// makeSet writes n small images (class i%7, pixel values depending on i) plus one corrupt
// file, and returns the samples.
func makeSamples(t *testing.T, n int) ([]Sample, string) {
	dir := t.TempDir()
	var s []Sample
	for i := 0; i < n; i++ {
		name := "img" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".png"
		p := writePNG(t, dir, name, 20+i%5, 18, func(x, y int) color.NRGBA {
			return color.NRGBA{uint8(x * 10), uint8(y * 12), uint8(i * 9), 255}
		})
		s = append(s, Sample{Rel: name, Abs: p, Label: i % 7})
	}
	bad := filepath.Join(dir, "corrupt.jpg")
	if err := os.WriteFile(bad, []byte("\xff\xd8\xff\xe0 this is not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	s = append(s, Sample{Rel: "corrupt.jpg", Abs: bad, Label: 3})
	return s, bad
}

func TestLoadSkipsCorruptAndCaps(t *testing.T) {
	samples, bad := makeSamples(t, 30)
	set, err := Load(context.Background(), "t", samples, LoadOptions{Workers: 3, CacheBytes: DefaultCacheBytes})
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 30 || len(set.Skipped) != 1 {
		t.Fatalf("len %d skipped %d, want 30 and 1", set.Len(), len(set.Skipped))
	}
	if set.Skipped[0].Path != bad || !strings.Contains(set.Skipped[0].Reason, "skipped") {
		t.Fatalf("problem %+v does not name %s", set.Skipped[0], bad)
	}
	if set.Cached != 30 {
		t.Fatalf("cached %d of 30 with a 4 GiB cap", set.Cached)
	}
	// A cap of 10 of the largest images keeps 10..13 in memory; the rest decode per batch.
	capped, err := Load(context.Background(), "t", samples, LoadOptions{Workers: 2, CacheBytes: 10 * 24 * 18 * 3})
	if err != nil {
		t.Fatal(err)
	}
	if capped.Cached >= 30 || capped.Cached < 10 || capped.Bytes > 10*24*18*3 {
		t.Fatalf("cached %d images (%d bytes) under a 10-image cap", capped.Cached, capped.Bytes)
	}
	cfg := BatchConfig{Size: 16, BatchSize: 8, Workers: 2, Seed: 7, Shuffle: true, Aug: ptr(DefaultAug())}
	x1 := collect(t, set, 3, cfg)
	x2 := collect(t, capped, 3, cfg)
	if !slices.Equal(x1, x2) {
		t.Fatal("cached and uncached sets gave different batches")
	}
}

func TestLoadAllCorrupt(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.png")
	os.WriteFile(p, nil, 0o644)
	_, err := Load(context.Background(), "val", []Sample{{Rel: "x.png", Abs: p}}, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "empty file") {
		t.Fatalf("want error naming %s and 'empty file', got %v", p, err)
	}
}

func ptr[T any](v T) *T { return &v }

func collect(t *testing.T, s *Set, epoch int, cfg BatchConfig) []float32 {
	t.Helper()
	var all []float32
	var labels []int64
	for b := range s.Batches(context.Background(), epoch, cfg) {
		if b.Err != nil {
			t.Fatal(b.Err)
		}
		all = append(all, b.X...)
		labels = append(labels, b.Y...)
		b.Release()
	}
	if len(labels) != s.Len() {
		t.Fatalf("epoch gave %d samples, want %d", len(labels), s.Len())
	}
	return all
}

func TestBatchesIndependentOfWorkers(t *testing.T) {
	samples, _ := makeSamples(t, 40)
	set, err := Load(context.Background(), "t", samples, LoadOptions{Workers: 2, CacheBytes: DefaultCacheBytes})
	if err != nil {
		t.Fatal(err)
	}
	aug := DefaultAug()
	aug.EraseP, aug.Brightness = 0.5, 0.3
	base := BatchConfig{Size: 24, BatchSize: 7, Seed: 11, Shuffle: true, Aug: &aug}
	var ref []float32
	for _, w := range []int{1, 2, 5} {
		c := base
		c.Workers, c.Prefetch = w, w
		got := collect(t, set, 2, c)
		if ref == nil {
			ref = got
		} else if !slices.Equal(ref, got) {
			t.Fatalf("%d workers gave different batch contents than 1 worker", w)
		}
	}
	if slices.Equal(ref, collect(t, set, 3, base)) {
		t.Fatal("epoch 3 repeated epoch 2's augmentation and order")
	}
	// Order: a permutation, the same for the same (seed, epoch), different across epochs.
	o1, o2, o3 := Order(40, 11, 2, true), Order(40, 11, 2, true), Order(40, 11, 3, true)
	seen := map[int]bool{}
	for i := range o1 {
		seen[o1[i]] = true
		if o1[i] != o2[i] {
			t.Fatal("order not reproducible")
		}
	}
	if len(seen) != 40 || equalInts(o1, o3) {
		t.Fatalf("order is not a fresh permutation per epoch: %v / %v", o1, o3)
	}
}

func equalInts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBatchesCancel(t *testing.T) {
	samples, _ := makeSamples(t, 40)
	set, _ := Load(context.Background(), "t", samples, LoadOptions{Workers: 2, CacheBytes: DefaultCacheBytes})
	ctx, cancel := context.WithCancel(context.Background())
	ch := set.Batches(ctx, 0, BatchConfig{Size: 16, BatchSize: 2, Workers: 2, Prefetch: 1})
	<-ch
	cancel()
	n := 0
	for range ch { // must terminate
		n++
	}
	if n > 20 {
		t.Fatalf("got %d more batches after cancel", n)
	}
}
