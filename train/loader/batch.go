package loader

import (
	"context"
	"fmt"
	"sync"

	"github.com/occfer/occfer/dataset"
)

// BatchConfig says how an epoch is cut into batches.
type BatchConfig struct {
	Size      int    // network input side (224 or 112)
	BatchSize int    // images per batch; the last batch of an epoch may be smaller
	Workers   int    // augmentation goroutines (<=0: 1)
	Prefetch  int    // batches built ahead of the consumer (<=0: 2)
	Seed      uint64 // run seed
	Shuffle   bool   // training order: a permutation drawn from (Seed, epoch)
	Aug       *Aug   // nil: evaluation transform
	Targets   string // TargetsHard (""), TargetsDraw or TargetsSoft
	Classes   int    // class count K; TargetsSoft fills T with K values per image
}

// Target modes of BatchConfig: how a sample's label becomes the batch's training target.
const (
	// TargetsHard: Y is the sample's label.
	TargetsHard = ""
	// TargetsDraw: Y is a class drawn from the sample's soft target, anew each epoch, from
	// ItemRNG(seed, rel, "label/epoch<N>"): the FERPlus paper's probabilistic label drawing.
	// Samples without a soft target keep their label.
	TargetsDraw = "draw"
	// TargetsSoft: T holds the soft targets [N,K] (a one-hot of the label for samples without
	// one) for a soft-target cross-entropy; Y stays the label, for accuracy.
	TargetsSoft = "soft"
)

// LabelPurpose is the ItemRNG purpose of an item's drawn label in one epoch.
func LabelPurpose(epoch int) string { return fmt.Sprintf("label/epoch%d", epoch) }

// DrawLabel draws a class from a distribution with the item's RNG of one epoch: the first
// class whose cumulative probability exceeds a uniform draw in [0,1). The result depends only
// on (seed, rel, epoch, target), never on worker order.
func DrawLabel(seed uint64, rel string, epoch int, target []float32) int {
	u := dataset.ItemRNG(seed, rel, LabelPurpose(epoch)).Float64()
	var sum float64
	for _, p := range target {
		sum += float64(p)
	}
	last := -1
	acc := 0.0
	for c, p := range target {
		if p <= 0 {
			continue
		}
		last = c
		acc += float64(p) / sum
		if u < acc {
			return c
		}
	}
	return last // rounding left u just above the last cumulative sum
}

// Batch is a block of network inputs. X is [N,3,Size,Size] row-major, Y the class indices,
// T the soft targets [N,K] (TargetsSoft only, else nil).
type Batch struct {
	Index   int // batch number within the epoch
	N       int // images in this batch
	X       []float32
	Y       []int64
	T       []float32
	Samples []int // indices into Set.Samples
	Err     error // set on the last value sent when building failed

	pool chan []float32
}

// Release hands X back for reuse by a later batch; X must not be used afterwards.
func (b *Batch) Release() {
	if b.pool != nil && b.X != nil {
		select {
		case b.pool <- b.X[:cap(b.X)]:
		default:
		}
		b.X = nil
	}
}

// Order returns the sample order of an epoch: identity for evaluation, else a permutation
// drawn only from (seed, epoch), so it does not depend on the worker count and a resumed run
// sees exactly the order an uninterrupted one would.
func Order(n int, seed uint64, epoch int, shuffle bool) []int {
	if !shuffle {
		o := make([]int, n)
		for i := range o {
			o[i] = i
		}
		return o
	}
	return dataset.ItemRNG(seed, "", fmt.Sprintf("shuffle/epoch%d", epoch)).Perm(n)
}

// AugPurpose is the ItemRNG purpose of an item's augmentation in one epoch.
func AugPurpose(epoch int) string { return fmt.Sprintf("augment/epoch%d", epoch) }

// Batches builds the batches of one epoch in order and sends them on the returned channel,
// which holds at most Prefetch finished batches, so augmentation runs ahead of the model but
// memory stays bounded. Samples of a batch are spread over the workers; each sample's random
// choices come from its own RNG (seed, rel, epoch), so batch contents are bit-identical for
// any worker count. Cancel ctx to stop early; the channel is always closed.
func (s *Set) Batches(ctx context.Context, epoch int, cfg BatchConfig) <-chan *Batch {
	// An internal cancel stops the dispatcher as soon as a batch fails.
	ctx, cancel := context.WithCancel(ctx)
	prefetch := cfg.Prefetch
	if prefetch <= 0 {
		prefetch = 2
	}
	workers := max(cfg.Workers, 1)
	out := make(chan *Batch, prefetch)
	order := Order(len(s.Samples), cfg.Seed, epoch, cfg.Shuffle)
	per := 3 * cfg.Size * cfg.Size
	pool := make(chan []float32, prefetch+2)

	type job struct {
		b   *pending
		pos int
	}
	jobs := make(chan job, workers*4)
	pendings := make(chan *pending, prefetch)

	// Workers: transform one sample into its slot of the batch.
	var wwg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			var scr Scratch
			for j := range jobs {
				si := j.b.batch.Samples[j.pos]
				if err := s.fill(si, epoch, cfg, j.b.batch.X[j.pos*per:(j.pos+1)*per], &scr); err != nil {
					j.b.setErr(err)
				}
				j.b.wg.Done()
			}
		}()
	}
	// Dispatcher: cut the order into batches and queue their samples.
	go func() {
		defer close(jobs)
		defer close(pendings)
		for start, bi := 0, 0; start < len(order); start, bi = start+cfg.BatchSize, bi+1 {
			end := min(start+cfg.BatchSize, len(order))
			n := end - start
			var x []float32
			select {
			case x = <-pool:
			default:
			}
			if cap(x) < n*per {
				x = make([]float32, n*per)
			}
			b := &Batch{Index: bi, N: n, X: x[:n*per], Y: make([]int64, n), Samples: order[start:end], pool: pool}
			s.targets(b, epoch, cfg)
			p := &pending{batch: b}
			p.wg.Add(n)
			select {
			case pendings <- p:
			case <-ctx.Done():
				return
			}
			for k := 0; k < n; k++ {
				select {
				case jobs <- job{p, k}:
				case <-ctx.Done():
					for ; k < n; k++ {
						p.wg.Done()
					}
					return
				}
			}
		}
	}()
	// Emitter: hand batches over in order once all their samples are done.
	go func() {
		defer close(out)
		defer wwg.Wait()
		defer cancel()
		for p := range pendings {
			p.wg.Wait()
			b := p.batch
			if p.err != nil {
				b.Err = p.err
			}
			select {
			case out <- b:
			case <-ctx.Done():
				for range pendings { // drain so the dispatcher can exit
				}
				return
			}
			if b.Err != nil {
				// Stop building: the consumer reports the error and drops the epoch.
				for range pendings {
				}
				return
			}
		}
	}()
	return out
}

// targets fills the batch's labels (and soft targets) under cfg.Targets.
func (s *Set) targets(b *Batch, epoch int, cfg BatchConfig) {
	if cfg.Targets == TargetsSoft {
		b.T = make([]float32, b.N*cfg.Classes)
	}
	for k, si := range b.Samples {
		smp := s.Samples[si]
		b.Y[k] = int64(smp.Label)
		switch cfg.Targets {
		case TargetsDraw:
			if smp.Target != nil {
				b.Y[k] = int64(DrawLabel(cfg.Seed, smp.Rel, epoch, smp.Target))
			}
		case TargetsSoft:
			row := b.T[k*cfg.Classes : (k+1)*cfg.Classes]
			if len(smp.Target) == cfg.Classes {
				copy(row, smp.Target)
			} else if smp.Label < cfg.Classes {
				row[smp.Label] = 1
			}
		}
	}
}

type pending struct {
	batch *Batch
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
}

func (p *pending) setErr(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
}

// fill writes the network input of sample si into dst.
func (s *Set) fill(si, epoch int, cfg BatchConfig, dst []float32, scr *Scratch) error {
	img, err := s.Image(si)
	if err != nil {
		return fmt.Errorf("set %s: %w", s.Name, err)
	}
	if cfg.Aug == nil {
		Transform(img, cfg.Size, nil, nil, dst, scr)
		return nil
	}
	rng := dataset.ItemRNG(cfg.Seed, s.Samples[si].Rel, AugPurpose(epoch))
	Transform(img, cfg.Size, cfg.Aug, rng, dst, scr)
	return nil
}
