package model

import (
	"fmt"
	"math/rand/v2"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// maskSource draws the dropout masks of one training forward. It is a Go PCG
// seeded with the model's init seed and the forward's number (BN's
// num_batches_tracked, which checkpoints carry), so masks do not depend on
// libtorch's global generator and a resumed run draws the masks the
// uninterrupted one would. Masks are drawn in forward order.
type maskSource struct{ rng *rand.Rand }

func newMaskSource(seed uint64, forward int64) *maskSource {
	return &maskSource{rng: rand.New(rand.NewPCG(seed^0x64726f70, uint64(forward)))}
}

// dropout is torch.nn.Dropout: in a training pass each element is zeroed with
// probability prob and the rest scaled by 1/(1-prob); otherwise the identity.
// It consumes x.
func dropout(p *pass, x *ts.Tensor, prob float64, where string) (*ts.Tensor, error) {
	if !p.train || prob == 0 {
		return x, nil
	}
	if p.masks == nil {
		drop(x)
		return nil, fmt.Errorf("%s dropout: training pass without a mask source", where)
	}
	dims, err := x.Size()
	if err != nil {
		drop(x)
		return nil, fmt.Errorf("%s dropout: %w", where, err)
	}
	keep := float32(1 / (1 - prob))
	vals := make([]float32, numel(dims))
	for i := range vals {
		if p.masks.rng.Float64() >= prob {
			vals[i] = keep
		}
	}
	mask, err := ts.OfSlice(vals)
	if err != nil {
		drop(x)
		return nil, fmt.Errorf("%s dropout mask: %w", where, err)
	}
	dev, err := x.Device()
	if err == nil {
		mask, err = mask.Reshape(dims, true)
	}
	if err == nil && dev != gotch.CPU {
		mask, err = mask.To(dev, true)
	}
	if err != nil {
		drop(x)
		return nil, fmt.Errorf("%s dropout mask: %w", where, err)
	}
	out, err := x.Mul(mask, true)
	drop(mask)
	if err != nil {
		return nil, fmt.Errorf("%s dropout: %w", where, err)
	}
	return out, nil
}
