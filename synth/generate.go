package synth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/landmarks/face68"
)

// Options configure Generate. Workers does not change the output, only the speed.
type Options struct {
	Train   int    // training images (stems train_00001...), classes balanced
	Test    int    // test images (stems test_0001...), classes balanced
	Seed    uint64 // all randomness derives from Seed and each file's relative path
	Size    int    // square image side in pixels; 0 means 100, RAF-DB's aligned crop size
	Workers int    // parallel drawers; 0 means GOMAXPROCS
}

// Summary reports what Generate did.
type Summary struct {
	Train, Test [7]int // images per class in each split
	Written     int    // images drawn and written by this call
	Reused      int    // images kept from an interrupted earlier run with the same options
}

// marker is MarkerFile's content. Workers is left out on purpose: it does not change bytes.
type marker struct {
	Generator string `json:"generator"`
	Version   int    `json:"version"`
	Train     int    `json:"train"`
	Test      int    `json:"test"`
	Seed      uint64 `json:"seed"`
	Size      int    `json:"size"`
}

// formatVersion changes whenever the drawing changes, so a rerun never mixes two drawings.
const formatVersion = 1

// Generate writes a RAF-DB "basic" tree into out: EmoLabel/list_patition_label.txt,
// Image/aligned/<stem>_aligned.jpg (JPEG quality 95) and landmarks68.jsonl, plus MarkerFile
// recording the options. out must be missing, empty, or an earlier Generate output with the
// same Train, Test, Seed and Size, in which case missing images are drawn and existing ones
// kept (a finished output makes this a no-op that rewrites nothing).
// Images and the two text files are written atomically (dataset.WriteFileAtomic).
func Generate(out string, opts Options) (Summary, error) {
	var sum Summary
	if opts.Size == 0 {
		opts.Size = 100
	}
	if opts.Size < MinSize || opts.Size > MaxSize {
		return sum, fmt.Errorf("synth: size %d out of range %d..%d", opts.Size, MinSize, MaxSize)
	}
	if opts.Train+opts.Test == 0 {
		return sum, errors.New("synth: nothing to generate (train and test counts are both 0)")
	}
	items, err := plan(opts)
	if err != nil {
		return sum, err
	}
	mk := marker{"occfer-synth", formatVersion, opts.Train, opts.Test, opts.Seed, opts.Size}
	if err := claim(out, mk); err != nil {
		return sum, err
	}
	shapes := make([]face68.Shape, len(items))
	written, err := drawAll(out, items, shapes, opts)
	if err != nil {
		return sum, err
	}
	for _, f := range []struct {
		rel  string
		data []byte
	}{{LabelFile, labelFile(items)}, {LandmarksFile, landmarksFile(items, shapes)}} {
		if err := writeIfChanged(filepath.Join(out, filepath.FromSlash(f.rel)), f.data); err != nil {
			return sum, fmt.Errorf("synth: %w", err)
		}
	}
	for _, it := range items {
		if it.split == "train" {
			sum.Train[it.class]++
		} else {
			sum.Test[it.class]++
		}
	}
	sum.Written, sum.Reused = written, len(items)-written
	return sum, nil
}

// claim makes sure out is ours to write: missing, empty, or marked with the same options.
// The marker is written before any image, so an interrupted run can be recognised.
func claim(out string, mk marker) error {
	want, err := json.MarshalIndent(mk, "", "  ")
	if err != nil {
		return fmt.Errorf("synth: encode %s: %w", MarkerFile, err)
	}
	want = append(want, '\n')
	entries, err := os.ReadDir(out)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("synth: output %s: %w", out, err)
	}
	if len(entries) > 0 {
		have, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(MarkerFile)))
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("synth: output %s is not empty and holds no %s; refusing to write into it", out, MarkerFile)
		}
		if err != nil {
			return fmt.Errorf("synth: output %s: %w", out, err)
		}
		if !bytes.Equal(have, want) {
			return fmt.Errorf("synth: output %s was generated with other options (%s); want %s; use an empty folder",
				out, strings.Join(strings.Fields(string(have)), " "), strings.Join(strings.Fields(string(want)), " "))
		}
		if _, err := dataset.RemoveTemps(out); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		return nil
	}
	if err := dataset.WriteFileAtomic(filepath.Join(out, filepath.FromSlash(MarkerFile)), want); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// drawAll draws the missing images with opts.Workers goroutines and fills shapes for every
// item. Each image depends only on its own RNG, so scheduling cannot change any byte. On
// failure it returns the error of the lowest-numbered failing item, again independent of
// scheduling.
func drawAll(out string, items []item, shapes []face68.Shape, opts Options) (int, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(items))
	var next, written atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(workers, len(items)) {
		wg.Go(func() {
			var buf bytes.Buffer
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(items) {
					return
				}
				drew, err := drawOne(out, items[i], &shapes[i], opts, &buf)
				if err != nil {
					errs[i] = err
					failed.Store(true)
					return
				}
				if drew {
					written.Add(1)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return int(written.Load()), err
		}
	}
	return int(written.Load()), nil
}

// drawOne writes one image unless a complete one is already there (atomic writes mean an
// existing file is complete), and records its landmarks either way.
func drawOne(out string, it item, shape *face68.Shape, opts Options, buf *bytes.Buffer) (bool, error) {
	path := filepath.Join(out, filepath.FromSlash(it.rel))
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		*shape = Landmarks(opts.Seed, it.rel, it.class, opts.Size)
		return false, nil
	}
	img, lm, err := Face(opts.Seed, it.rel, it.class, opts.Size)
	if err != nil {
		return false, err
	}
	buf.Reset()
	if err := jpeg.Encode(buf, img, &jpeg.Options{Quality: 95}); err != nil {
		return false, fmt.Errorf("synth: encode %s: %w", it.rel, err)
	}
	if err := dataset.WriteFileAtomic(path, buf.Bytes()); err != nil {
		return false, fmt.Errorf("synth: %w", err)
	}
	*shape = lm
	return true, nil
}

// writeIfChanged skips identical content so a rerun over a finished output touches nothing.
func writeIfChanged(path string, data []byte) error {
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, data) {
		return nil
	}
	return dataset.WriteFileAtomic(path, data)
}
