package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// builder creates the variables of a model in a VarStore. Initial values are
// drawn from a Go PCG seeded by the caller, so a seed gives the same weights on
// every machine and device (libtorch's own RNG is not reachable from gotch).
//
// A dry builder (newDryBuilder) allocates nothing and draws nothing: it only
// records names and shapes, so an architecture's state_dict layout is known
// without building it (Spec).
type builder struct {
	vs    *nn.VarStore // nil when dry
	dev   gotch.Device
	rng   *rand.Rand
	names []string              // variable names in creation order (parameters and buffers)
	vars  map[string]*ts.Tensor // the handles the VarStore holds, by name
	specs []VarSpec             // names, shapes and kinds in creation order
}

func newBuilder(vs *nn.VarStore, seed uint64) *builder {
	return &builder{vs: vs, dev: vs.Device(), rng: rand.New(rand.NewPCG(seed, 0x6666_7261)), vars: map[string]*ts.Tensor{}}
}

func newDryBuilder() *builder { return &builder{vars: map[string]*ts.Tensor{}} }

func (b *builder) dry() bool { return b.vs == nil }

// path returns the VarStore path for a dotted module name ("" is the root).
func (b *builder) path(module string) *nn.Path {
	p := b.vs.Root()
	if module == "" {
		return p
	}
	for _, part := range splitDots(module) {
		p = p.Sub(part)
	}
	return p
}

// add stores values (row-major, shape dims) as variable module.name.
// A dry builder records the name and shape and returns a nil tensor.
func (b *builder) add(module, name string, dims []int64, values []float32, trainable bool) (*ts.Tensor, error) {
	full := joinName(module, name)
	if _, dup := b.vars[full]; dup {
		return nil, fmt.Errorf("variable %s defined twice", full)
	}
	b.specs = append(b.specs, VarSpec{Name: full, Shape: append([]int64(nil), dims...), Trainable: trainable})
	if b.dry() {
		b.names = append(b.names, full)
		b.vars[full] = nil
		return nil, nil
	}
	t, err := ts.OfSlice(values)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", full, err)
	}
	shaped, err := t.Reshape(dims, true)
	if err != nil {
		return nil, fmt.Errorf("shape %s to %v: %w", full, dims, err)
	}
	if b.dev != gotch.CPU {
		if shaped, err = shaped.To(b.dev, true); err != nil {
			return nil, fmt.Errorf("move %s to %v: %w", full, b.dev, err)
		}
	}
	v, err := b.path(module).Add(name, shaped, trainable)
	_ = shaped.Drop() // the store keeps its own handle
	if err != nil {
		return nil, fmt.Errorf("add %s: %w", full, err)
	}
	b.names = append(b.names, full)
	b.vars[full] = v
	return v, nil
}

func (b *builder) filled(n int64, v float32) []float32 {
	if b.dry() {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// kaimingNormalFanOut is torchvision's conv init: N(0, 2/fan_out), fan_out = out*k*k.
func (b *builder) kaimingNormalFanOut(dims []int64) []float32 {
	if b.dry() {
		return nil
	}
	fanOut := dims[0]
	for _, d := range dims[2:] {
		fanOut *= d
	}
	std := math.Sqrt(2 / float64(fanOut))
	out := make([]float32, numel(dims))
	for i := range out {
		out[i] = float32(b.rng.NormFloat64() * std)
	}
	return out
}

// uniform draws U(-bound, bound): PyTorch's default Linear init uses
// bound = 1/sqrt(fan_in) for both weight and bias.
func (b *builder) uniform(n int64, bound float64) []float32 {
	if b.dry() {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = float32((b.rng.Float64()*2 - 1) * bound)
	}
	return out
}

// normal draws N(0, std^2): torchvision's Linear init for VGG and MobileNetV2 (std 0.01).
func (b *builder) normal(n int64, std float64) []float32 {
	if b.dry() {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(b.rng.NormFloat64() * std)
	}
	return out
}

func numel(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}

func joinName(module, name string) string {
	if module == "" {
		return name
	}
	return module + "." + name
}

func splitDots(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
