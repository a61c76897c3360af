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
	Abs   string // the image file, or for in-memory images where they come from (for messages)
	Label int    // class index into the set's class list
	// Target is a soft label (a distribution over the classes) for the FERPlus probability
	// and crossentropy modes; nil for a hard label.
	Target []float32
	// Pixels holds an in-memory image (fer2013.csv); nil: decode Abs.
	Pixels *dataset.Gray
}

// decode returns the pixels of a sample: its in-memory image as RGB, or its file decoded.
func (s Sample) decode() (*RGB, error) {
	if s.Pixels != nil {
		return GrayRGB(s.Pixels), nil
	}
	return DecodeFile(s.Abs)
}

// GrayRGB converts an in-memory gray image to RGB (each channel the gray value), as decoding
// the same pixels from a grayscale PNG does.
func GrayRGB(g *dataset.Gray) *RGB {
	out := &RGB{W: g.W, H: g.H, Pix: make([]uint8, 3*len(g.Pix))}
	for i, v := range g.Pix {
		out.Pix[3*i], out.Pix[3*i+1], out.Pix[3*i+2] = v, v, v
	}
	return out
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
				m, err := samples[i].decode()
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
			s.Skipped = append(s.Skipped, dataset.Problem{Path: smp.Abs, Code: dataset.CodeUnreadable, Item: smp.Rel,
				Reason: fmt.Sprintf("skipped: %v", unwrapDecode(errs[i]))})
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
	return s.Samples[i].decode()
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
