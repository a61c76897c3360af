package model

import (
	"fmt"
	"math"

	"github.com/sugarme/gotch/ts"
)

// pass carries per-forward state: train/eval mode, the dropout masks of a
// training pass and, for Summary, a recorder.
type pass struct {
	train bool
	masks *maskSource
	rec   *recorder
}

// drop frees Go handles of intermediate tensors as soon as they are consumed.
// libtorch reference-counts storage, so whatever autograd still needs stays
// alive; without this, memory would wait for Go finalizers and grow per step.
func drop(xs ...*ts.Tensor) {
	for _, x := range xs {
		if x != nil {
			_ = x.Drop()
		}
	}
}

// dropAll frees every tensor of a state dict (on error paths and after loading).
func dropAll(tensors map[string]*ts.Tensor) {
	for _, t := range tensors {
		drop(t)
	}
}

// conv2d is Conv2d with square kernel, stride and padding; bias-free unless
// made by newConvG with bias (every conv in the spec, the ResNets and MobileNetV2 is
// bias=False; VGG's have a bias).
type conv2d struct {
	name          string
	w             *ts.Tensor
	b             *ts.Tensor // an undefined tensor when bias-free
	hasBias       bool
	stride, pad   int64
	in, out, kern int64
	groups        int64
}

func newConv(b *builder, name string, in, out, k, stride, pad int64) (*conv2d, error) {
	return newConvG(b, name, in, out, k, stride, pad, 1, false)
}

// newConvG is a grouped conv (groups == in == out: depthwise), optionally with
// a bias initialised to 0 (torchvision's VGG and MobileNetV2 init).
func newConvG(b *builder, name string, in, out, k, stride, pad, groups int64, bias bool) (*conv2d, error) {
	dims := []int64{out, in / groups, k, k}
	w, err := b.add(name, "weight", dims, b.kaimingNormalFanOut(dims), true)
	if err != nil {
		return nil, err
	}
	c := &conv2d{name: name, w: w, b: ts.NewTensor(), stride: stride, pad: pad, in: in, out: out, kern: k, groups: groups}
	if bias {
		c.hasBias = true
		if c.b, err = b.add(name, "bias", []int64{out}, b.filled(out, 0), true); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *conv2d) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y, err := ts.Conv2d(x, c.w, c.b, []int64{c.stride, c.stride}, []int64{c.pad, c.pad}, []int64{1, 1}, c.groups)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if p.rec != nil {
		if err := p.rec.conv(c.name, y, c.in/c.groups*c.kern*c.kern); err != nil {
			drop(y)
			return nil, err
		}
	}
	return y, nil
}

// batchNorm2d is BatchNorm2d(eps 1e-5, momentum 0.1, affine, running stats).
type batchNorm2d struct {
	name                string
	w, b, mean, varianc *ts.Tensor
}

func newBN(b *builder, name string, ch int64, gamma float32) (*batchNorm2d, error) {
	w, err := b.add(name, "weight", []int64{ch}, b.filled(ch, gamma), true)
	if err != nil {
		return nil, err
	}
	bias, err := b.add(name, "bias", []int64{ch}, b.filled(ch, 0), true)
	if err != nil {
		return nil, err
	}
	mean, err := b.add(name, "running_mean", []int64{ch}, b.filled(ch, 0), false)
	if err != nil {
		return nil, err
	}
	v, err := b.add(name, "running_var", []int64{ch}, b.filled(ch, 1), false)
	if err != nil {
		return nil, err
	}
	return &batchNorm2d{name: name, w: w, b: bias, mean: mean, varianc: v}, nil
}

func (n *batchNorm2d) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y, err := ts.BatchNorm(x, n.w, n.b, n.mean, n.varianc, p.train, 0.1, 1e-5, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.name, err)
	}
	return y, nil
}

// cbr is conv -> BN -> ReLU with the names {name}.conv and {name}.bn.
type cbr struct {
	conv *conv2d
	bn   *batchNorm2d
}

func newCBR(b *builder, name string, in, out int64, gamma float32) (*cbr, error) {
	c, err := newConv(b, name+".conv", in, out, 3, 1, 1)
	if err != nil {
		return nil, err
	}
	n, err := newBN(b, name+".bn", out, gamma)
	if err != nil {
		return nil, err
	}
	return &cbr{conv: c, bn: n}, nil
}

func (m *cbr) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	z, err := convBN(p, m.conv, m.bn, x)
	if err != nil {
		return nil, err
	}
	return relu(z, m.bn.name)
}

// convBN is c then n, the pair every block of the network uses; x is not consumed, the
// intermediate conv output is freed.
func convBN(p *pass, c *conv2d, n *batchNorm2d, x *ts.Tensor) (*ts.Tensor, error) {
	y, err := c.forward(p, x)
	if err != nil {
		return nil, err
	}
	z, err := n.forward(p, y)
	drop(y)
	return z, err
}

// convBNReLU is convBN then ReLU; x is not consumed.
func convBNReLU(p *pass, c *conv2d, n *batchNorm2d, x *ts.Tensor) (*ts.Tensor, error) {
	z, err := convBN(p, c, n, x)
	if err != nil {
		return nil, err
	}
	return relu(z, n.name)
}

// relu consumes x.
func relu(x *ts.Tensor, where string) (*ts.Tensor, error) {
	y, err := x.Relu(true)
	if err != nil {
		return nil, fmt.Errorf("%s relu: %w", where, err)
	}
	return y, nil
}

// linear is Linear(in, out) with bias and PyTorch's default init.
type linear struct {
	name    string
	w, b    *ts.Tensor
	in, out int64
}

func newLinear(b *builder, name string, in, out int64) (*linear, error) {
	bound := 1 / math.Sqrt(float64(in))
	w, err := b.add(name, "weight", []int64{out, in}, b.uniform(out*in, bound), true)
	if err != nil {
		return nil, err
	}
	bias, err := b.add(name, "bias", []int64{out}, b.uniform(out, bound), true)
	if err != nil {
		return nil, err
	}
	return &linear{name: name, w: w, b: bias, in: in, out: out}, nil
}

// newLinearNormal is Linear with torchvision's VGG/MobileNetV2 init: weight
// N(0, 0.01^2), bias 0.
func newLinearNormal(b *builder, name string, in, out int64) (*linear, error) {
	w, err := b.add(name, "weight", []int64{out, in}, b.normal(out*in, 0.01), true)
	if err != nil {
		return nil, err
	}
	bias, err := b.add(name, "bias", []int64{out}, b.filled(out, 0), true)
	if err != nil {
		return nil, err
	}
	return &linear{name: name, w: w, b: bias, in: in, out: out}, nil
}

func (l *linear) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y, err := ts.Linear(x, l.w, l.b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.name, err)
	}
	if p.rec != nil {
		if err := p.rec.conv(l.name, y, l.in); err != nil {
			drop(y)
			return nil, err
		}
	}
	return y, nil
}
