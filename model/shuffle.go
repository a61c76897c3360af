package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"
)

// shuffleAttention is SA-Net's sa_layer (spec 4.1): per group, half the
// channels get channel attention, half spatial attention via GroupNorm, then a
// channel shuffle mixes the groups.
type shuffleAttention struct {
	name                           string
	groups, ch                     int64
	cweight, cbias, sweight, sbias *ts.Tensor
	gnW, gnB                       *ts.Tensor
	half                           int64 // C/(2G) channels per branch
}

func newShuffleAttention(b *builder, name string, ch, groups int64) (*shuffleAttention, error) {
	half := ch / (2 * groups)
	dims := []int64{1, half, 1, 1}
	sa := &shuffleAttention{name: name, groups: groups, ch: ch, half: half}
	var err error
	init := []struct {
		dst *(*ts.Tensor)
		n   string
		v   float32
	}{{&sa.cweight, "cweight", 0}, {&sa.cbias, "cbias", 1}, {&sa.sweight, "sweight", 0}, {&sa.sbias, "sbias", 1}}
	for _, p := range init {
		if *p.dst, err = b.add(name, p.n, dims, b.filled(half, p.v), true); err != nil {
			return nil, err
		}
	}
	if sa.gnW, err = b.add(name+".gn", "weight", []int64{half}, b.filled(half, 1), true); err != nil {
		return nil, err
	}
	if sa.gnB, err = b.add(name+".gn", "bias", []int64{half}, b.filled(half, 0), true); err != nil {
		return nil, err
	}
	return sa, nil
}

// forward does not consume x.
func (sa *shuffleAttention) forward(x *ts.Tensor) (*ts.Tensor, error) {
	shape, err := x.Size()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sa.name, err)
	}
	bsz, h, w := shape[0], shape[2], shape[3]
	out, err := sa.attend(x, bsz, h, w)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sa.name, err)
	}
	return out, nil
}

func (sa *shuffleAttention) attend(x *ts.Tensor, bsz, h, w int64) (*ts.Tensor, error) {
	g, err := x.Reshape([]int64{bsz * sa.groups, sa.ch / sa.groups, h, w}, false)
	if err != nil {
		return nil, err
	}
	x0, err := g.Narrow(1, 0, sa.half, false)
	if err != nil {
		drop(g)
		return nil, err
	}
	x1, err := g.Narrow(1, sa.half, sa.half, true)
	if err != nil {
		drop(x0)
		return nil, err
	}
	xn, err := sa.channel(x0)
	drop(x0)
	if err != nil {
		drop(x1)
		return nil, err
	}
	xs, err := sa.spatial(x1)
	drop(x1)
	if err != nil {
		drop(xn)
		return nil, err
	}
	cat, err := ts.Cat([]*ts.Tensor{xn, xs}, 1)
	drop(xn, xs)
	if err != nil {
		return nil, err
	}
	// channel_shuffle(out, 2): [b, 2, C/2, h, w] -> swap dims 1,2 -> [b, C, h, w]
	r, err := cat.Reshape([]int64{bsz, 2, sa.ch / 2, h, w}, true)
	if err != nil {
		return nil, err
	}
	pm, err := r.Permute([]int64{0, 2, 1, 3, 4}, true)
	if err != nil {
		return nil, err
	}
	return pm.Reshape([]int64{bsz, sa.ch, h, w}, true)
}

// channel: x0 * sigmoid(cweight * mean_hw(x0) + cbias).
func (sa *shuffleAttention) channel(x0 *ts.Tensor) (*ts.Tensor, error) {
	s, err := x0.AdaptiveAvgPool2d([]int64{1, 1}, false)
	if err != nil {
		return nil, err
	}
	return gate(x0, s, sa.cweight, sa.cbias)
}

// spatial: x1 * sigmoid(sweight * GN(x1) + sbias).
func (sa *shuffleAttention) spatial(x1 *ts.Tensor) (*ts.Tensor, error) {
	t, err := ts.GroupNorm(x1, sa.half, sa.gnW, sa.gnB, 1e-5, true)
	if err != nil {
		return nil, err
	}
	return gate(x1, t, sa.sweight, sa.sbias)
}

// gate returns x * sigmoid(w*s + b) and consumes s.
func gate(x, s, w, b *ts.Tensor) (*ts.Tensor, error) {
	a, err := s.Mul(w, true)
	if err != nil {
		return nil, err
	}
	if a, err = a.Add(b, true); err != nil {
		return nil, err
	}
	if a, err = a.Sigmoid(true); err != nil {
		return nil, err
	}
	return a.Mul(x, true) // drops the gate, keeps x
}
