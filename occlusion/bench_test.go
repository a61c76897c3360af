package occlusion

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
)

// benchItems is the dataset size of one benchmark iteration: large enough that the per-run
// costs (model load, calibration, manifest) are a small share of the time.
const benchItems = 400

// makeBenchRAF writes n aligned 100x100 crops (from a handful of distinct crops; names differ,
// so every item still gets its own RNG stream). blurred crops defeat the HOG detector, so
// every item takes the aligned-fallback path.
func makeBenchRAF(b testing.TB, root string, n int, blurred bool) {
	b.Helper()
	src := loadAstronaut(b)
	defer src.Close()
	var variants [][]byte
	for i := 0; i < 8; i++ {
		crop := faceCrop(src, 1.25+0.05*float64(i%3), i%5-2, 8+i%3, 100, i%2 == 1)
		if blurred {
			gocv.GaussianBlur(crop, &crop, image.Point{}, 4, 4, gocv.BorderReplicate)
		}
		data, err := imageio.Encode("x.jpg", crop)
		if err != nil {
			b.Fatal(err)
		}
		variants = append(variants, data)
		crop.Close()
	}
	var labels strings.Builder
	for i := 0; i < n; i++ {
		stem := fmt.Sprintf("train_%05d", i+1)
		writeFile(b, filepath.Join(root, "Image/aligned", stem+"_aligned.jpg"), variants[i%len(variants)])
		fmt.Fprintf(&labels, "%s.jpg %d\n", stem, 1+i%7)
	}
	writeFile(b, filepath.Join(root, "EmoLabel/list_patition_label.txt"), []byte(labels.String()))
}

func benchMask(b *testing.B, blurred bool, wantStatus string) {
	in := b.TempDir()
	makeBenchRAF(b, in, benchItems, blurred)
	prev := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(prev)
	outs := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	var busy time.Duration
	for i := 0; i < b.N; i++ {
		c := baseConfig(in, filepath.Join(outs, strconv.Itoa(i)), KindMask)
		c.Workers = 2
		sum, err := Run(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		if sum.ByStatus[wantStatus] != benchItems {
			b.Fatalf("statuses %v, want all %s", sum.ByStatus, wantStatus)
		}
		busy += sum.Elapsed
	}
	b.ReportMetric(float64(benchItems*b.N)/busy.Seconds(), "images/s")
}

// BenchmarkMaskAlignedFallback: 100x100 aligned crops on which the detector finds nothing,
// so each image costs a failed detection plus the predictor on the calibrated box.
// Target: >= 1000 images/s with 2 workers.
func BenchmarkMaskAlignedFallback(b *testing.B) { benchMask(b, true, StatusAlignedFB) }

// BenchmarkMaskDetected: every 100x100 crop runs (successful) HOG detection.
// Target: >= 300 images/s with 2 workers.
func BenchmarkMaskDetected(b *testing.B) { benchMask(b, false, StatusDetected) }

// peakRSS samples the process's resident set size while f runs.
func peakRSS(f func()) int64 {
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var p int64
		for {
			if v := rssBytes(); v > p {
				p = v
			}
			select {
			case <-done:
				peak <- p
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	return <-peak
}

func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkMemoryFlat reports the peak RSS of runs over 100 and 800 items: with images
// streamed through a bounded channel the two differ by the manifest records only.
func BenchmarkMemoryFlat(b *testing.B) {
	for _, n := range []int{100, 800} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			in := b.TempDir()
			makeBenchRAF(b, in, n, false)
			var peak int64
			for i := 0; i < b.N; i++ {
				out := filepath.Join(b.TempDir(), "out")
				peak = max(peak, peakRSS(func() {
					if _, err := Run(context.Background(), baseConfig(in, out, KindMask)); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		})
	}
}
