package loader

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/occfer/occfer/dataset"
)

// Sample is one labelled image of a Set.
type Sample struct {
	Rel   string // dataset-relative slash path; seeds the per-item augmentation RNG
	Abs   string
	Label int // class index 0..6
}

// DefaultCacheBytes is the default cap on decoded pixels kept in memory (--cache-mb 4096).
// RAF-DB basic (15,339 aligned 100x100 images) decodes to 460 MB, so it always fits; larger
// trees keep the first images that fit and decode the rest per batch.
const DefaultCacheBytes = 4 << 30

// Set is a labelled image set ready for batching: every image has been decoded once to check
// it (corrupt ones are dropped and recorded in Skipped), and decoded pixels are kept in memory
// up to the cache cap; the rest are decoded again when their batch is built.
type Set struct {
	Name    string
	Samples []Sample
	Skipped []dataset.Problem // images that could not be decoded, in Rel order
	Cached  int               // number of samples whose pixels are held in memory
	Bytes   int64             // memory held by the cache

	imgs []*RGB // nil: decode on demand
}

// LoadOptions controls Load.
type LoadOptions struct {
	Workers    int   // decoding goroutines (<=0: 1)
	CacheBytes int64 // cap on decoded pixels kept in memory (0: cache nothing)
}

// Load decodes samples in parallel. Corrupt or unreadable images are reported in Skipped and
// left out, so the set keeps its deterministic order minus those items. It fails only when
// nothing usable remains or ctx is cancelled.
func Load(ctx context.Context, name string, samples []Sample, opt LoadOptions) (*Set, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("set %s: no labelled images", name)
	}
	workers := max(opt.Workers, 1)
	imgs := make([]*RGB, len(samples))
	errs := make([]error, len(samples))
	var budget atomic.Int64
	budget.Store(opt.CacheBytes)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(samples) || ctx.Err() != nil {
					return
				}
				m, err := DecodeFile(samples[i].Abs)
				if err != nil {
					errs[i] = err
					continue
				}
				// Which images end up cached can vary with scheduling; it never changes the
				// pixels a batch sees, only whether they are decoded again.
				if budget.Add(-m.Bytes()) >= 0 {
					imgs[i] = m
				} else {
					budget.Add(m.Bytes())
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Set{Name: name}
	for i, smp := range samples {
		if errs[i] != nil {
			s.Skipped = append(s.Skipped, dataset.Problem{Path: smp.Abs, Reason: fmt.Sprintf("skipped: %v", unwrapDecode(errs[i]))})
			continue
		}
		s.Samples = append(s.Samples, smp)
		s.imgs = append(s.imgs, imgs[i])
		if imgs[i] != nil {
			s.Cached++
			s.Bytes += imgs[i].Bytes()
		}
	}
	if len(s.Samples) == 0 {
		return nil, fmt.Errorf("set %s: none of its %d images could be decoded (first: %s)", name, len(samples), s.Skipped[0])
	}
	return s, nil
}

// unwrapDecode strips the "decode image <path>:" prefix, since Problem already names the path.
func unwrapDecode(err error) error {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && u.Unwrap() != nil {
		return u.Unwrap()
	}
	return err
}

// Image returns the pixels of sample i, from the cache or decoded now.
func (s *Set) Image(i int) (*RGB, error) {
	if m := s.imgs[i]; m != nil {
		return m, nil
	}
	return DecodeFile(s.Samples[i].Abs)
}

// Len is the number of usable samples.
func (s *Set) Len() int { return len(s.Samples) }

// ClassCounts returns how many samples each of n classes has.
func (s *Set) ClassCounts(n int) []int {
	c := make([]int, n)
	for _, smp := range s.Samples {
		if smp.Label >= 0 && smp.Label < n {
			c[smp.Label]++
		}
	}
	return c
}
