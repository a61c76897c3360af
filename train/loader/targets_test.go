package loader

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// TestDrawLabel: drawn labels follow the distribution, depend only on (seed, rel, epoch),
// change between epochs, and never pick a class with probability 0.
func TestDrawLabel(t *testing.T) {
	target := []float32{0.6, 0, 0.3, 0.1}
	counts := make([]int, 4)
	const n = 20000
	for i := range n {
		c := DrawLabel(1, "img"+strconv.Itoa(i)+".png", 0, target)
		counts[c]++
	}
	for c, p := range target {
		got := float64(counts[c]) / n
		// Binomial standard deviation at n=20000 is at most 0.0035; 5 sigma.
		if math.Abs(got-float64(p)) > 0.018 {
			t.Errorf("class %d drawn %.4f of the time, want %.2f", c, got, p)
		}
	}
	if counts[1] != 0 {
		t.Errorf("class with probability 0 drawn %d times", counts[1])
	}
	if DrawLabel(3, "x.png", 5, target) != DrawLabel(3, "x.png", 5, target) {
		t.Error("same item and epoch drew different labels")
	}
	changed := 0
	for e := range 50 {
		if DrawLabel(3, "x.png", e, target) != DrawLabel(3, "x.png", e+1, target) {
			changed++
		}
	}
	if changed == 0 {
		t.Error("the drawn label never changed over 50 epochs")
	}
	if got := DrawLabel(1, "x", 0, []float32{0, 0, 1}); got != 2 {
		t.Errorf("one-hot target drew %d", got)
	}
}

// TestBatchTargets: soft targets land in T row by row (a one-hot for samples without one),
// drawn labels in Y, and in-memory gray pixels batch exactly like the same PNG file.
func TestBatchTargets(t *testing.T) {
	g := &dataset.Gray{W: 4, H: 4, Pix: []uint8{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150}}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := png.Encode(&buf, &image.Gray{Pix: g.Pix, Stride: 4, Rect: image.Rect(0, 0, 4, 4)}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "a.png")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	samples := []Sample{
		{Rel: "a.png", Abs: "fer2013.csv:2", Label: 1, Target: []float32{0.25, 0.75, 0}, Pixels: g},
		{Rel: "b.png", Abs: file, Label: 2},
	}
	set, err := Load(context.Background(), "t", samples, LoadOptions{Workers: 2, CacheBytes: DefaultCacheBytes})
	if err != nil {
		t.Fatal(err)
	}
	cfg := BatchConfig{Size: 8, BatchSize: 2, Workers: 1, Seed: 4, Targets: TargetsSoft, Classes: 3}
	var b *Batch
	for x := range set.Batches(context.Background(), 0, cfg) {
		if x.Err != nil {
			t.Fatal(x.Err)
		}
		b = x
	}
	if !slices.Equal(b.T, []float32{0.25, 0.75, 0, 0, 0, 1}) || !slices.Equal(b.Y, []int64{1, 2}) {
		t.Errorf("soft batch T %v Y %v", b.T, b.Y)
	}
	per := 3 * 8 * 8
	if !slices.Equal(b.X[:per], b.X[per:]) {
		t.Error("in-memory pixels and the same PNG file gave different inputs")
	}
	cfg.Targets = TargetsDraw
	for e := range 3 {
		for x := range set.Batches(context.Background(), e, cfg) {
			want := int64(DrawLabel(4, "a.png", e, samples[0].Target))
			if x.T != nil || x.Y[0] != want || x.Y[1] != 2 {
				t.Errorf("epoch %d: drawn batch Y %v T %v, want [%d 2]", e, x.Y, x.T, want)
			}
		}
	}
}

// TestSamplesProblems: items the dataset already reported are not reported again, and a
// dataset without labelled test images names its problems with file and line.
func TestSamplesProblems(t *testing.T) {
	d := &dataset.Dataset{Root: "/r", Classes: []string{"a", "b"}, Items: []dataset.Item{
		{Rel: "test/a/x.png", Abs: "/r/test/a/x.png", Label: -1, Split: "test"},
		{Rel: "test/b/y.png", Abs: "/r/test/b/y.png", Label: 5, Split: "test"}, // out of range
	}, Problems: []dataset.Problem{{Path: "/r/labels.txt", Line: 3, Code: dataset.CodeNoMajority, Item: "test/a/x.png", Reason: "no majority"}}}
	s, p := SplitSamples(d, "test")
	if len(s) != 0 || len(p) != 1 || p[0].Item != "test/b/y.png" {
		t.Errorf("samples %v problems %v", s, p)
	}
	_, _, _, err := TestSamples(d)
	if err == nil || !strings.Contains(err.Error(), "/r/labels.txt:3: no majority") || !strings.Contains(err.Error(), "1 no-majority") {
		t.Errorf("error %v", err)
	}
}
