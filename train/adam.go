package train

import (
	"fmt"
	"math"
	"runtime"
	"sort"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Adam is torch.optim.Adam (L2 weight decay added to the gradient, bias-corrected moments,
// no amsgrad) implemented on gotch tensors. gotch's own optimiser wraps the C++ torch::optim
// object and exposes neither its moments nor its step count, so a resumed run would restart
// Adam from zero; owning the state lets the checkpoint hold it and a resume continue exactly.
type Adam struct {
	Beta1, Beta2, Eps, WeightDecay float64

	names  []string     // sorted parameter names: the checkpoint keys
	params []*ts.Tensor // same order
	m, v   []*ts.Tensor // first and second moments, created on the parameter's device
	step   int64        // optimizer steps taken (bias correction)
}

// NewAdam creates moments (zeros) for the named trainable parameters.
func NewAdam(params map[string]*ts.Tensor, beta1, beta2, eps, wd float64) (*Adam, error) {
	if len(params) == 0 {
		return nil, fmt.Errorf("adam: no trainable parameters")
	}
	a := &Adam{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: wd}
	for n := range params {
		a.names = append(a.names, n)
	}
	sort.Strings(a.names)
	for _, n := range a.names {
		p := params[n]
		m, err := p.ZerosLike(false)
		if err != nil {
			return nil, fmt.Errorf("adam: moments for %s: %w", n, err)
		}
		v, err := p.ZerosLike(false)
		if err != nil {
			return nil, fmt.Errorf("adam: moments for %s: %w", n, err)
		}
		a.params = append(a.params, p)
		a.m = append(a.m, m)
		a.v = append(a.v, v)
	}
	return a, nil
}

// Steps is the number of updates applied so far.
func (a *Adam) Steps() int64 { return a.step }

// ZeroGrad clears the parameters' gradients before a backward pass, as
// torch.optim's zero_grad(set_to_none=False). gotch's Tensor.ZeroGrad is not
// used: it leaves its handle on the gradient to the Go finalizer.
func (a *Adam) ZeroGrad() error {
	for i, p := range a.params {
		if err := zeroGrad(p); err != nil {
			return fmt.Errorf("adam: zero gradient of %s: %w", a.names[i], err)
		}
	}
	return nil
}

func zeroGrad(p *ts.Tensor) error {
	g, err := p.Grad(false)
	if err != nil {
		return err
	}
	defer g.Drop()
	if def, err := g.Defined(); err != nil || !def {
		return err // no backward pass has reached this parameter yet
	}
	if err := g.Detach_(); err != nil {
		return err
	}
	return g.Zero_()
}

// Step applies one update with learning rate lr, following torch.optim.Adam._single_tensor_adam:
//
//	g = grad + wd*p;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g
//	p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
func (a *Adam) Step(lr float64) (err error) {
	// libtorch's grad mode is thread-local and a goroutine may move between OS threads
	// between cgo calls: pin it while grad is off.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := setGrad(false); err != nil {
		return fmt.Errorf("adam: %w", err)
	}
	defer func() {
		if e := setGrad(true); e != nil && err == nil {
			err = fmt.Errorf("adam: %w", e)
		}
	}()
	a.step++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.step))
	for i, p := range a.params {
		if err := a.update(i, p, lr, bc1, bc2); err != nil {
			return fmt.Errorf("adam: update %s: %w", a.names[i], err)
		}
	}
	return nil
}

func (a *Adam) update(i int, p *ts.Tensor, lr, bc1, bc2 float64) error {
	g, err := p.Grad(false)
	if err != nil {
		return err
	}
	defer g.Drop()
	if def, err := g.Defined(); err != nil || !def {
		return err // parameter unused in this forward pass: torch skips it too
	}
	if a.WeightDecay != 0 {
		wd, err := p.MulScalar(ts.FloatScalar(a.WeightDecay), false)
		if err != nil {
			return err
		}
		g2, err := g.Add(wd, false)
		wd.Drop()
		if err != nil {
			return err
		}
		g.Drop()
		g = g2
	}
	m, v := a.m[i], a.v[i]
	// m = m + (1-b1)(g - m)
	if err := m.Lerp_(g, ts.FloatScalar(1-a.Beta1)); err != nil {
		return err
	}
	gg, err := g.Mul(g, false)
	if err != nil {
		return err
	}
	defer gg.Drop()
	if err := gg.MulScalar_(ts.FloatScalar(1 - a.Beta2)); err != nil {
		return err
	}
	if err := v.MulScalar_(ts.FloatScalar(a.Beta2)); err != nil {
		return err
	}
	if err := v.Add_(gg); err != nil {
		return err
	}
	denom, err := v.Sqrt(false)
	if err != nil {
		return err
	}
	defer denom.Drop()
	if err := denom.MulScalar_(ts.FloatScalar(1 / math.Sqrt(bc2))); err != nil {
		return err
	}
	if err := denom.AddScalar_(ts.FloatScalar(a.Eps)); err != nil {
		return err
	}
	upd, err := m.Div(denom, false)
	if err != nil {
		return err
	}
	defer upd.Drop()
	if err := upd.MulScalar_(ts.FloatScalar(-lr / bc1)); err != nil {
		return err
	}
	return p.Add_(upd)
}

// AdamState is the optimiser state as host memory, for checkpoints.
type AdamState struct {
	Step   int64
	Names  []string
	Shapes [][]int64
	M, V   [][]float32
}

// State copies the moments to host memory.
func (a *Adam) State() (*AdamState, error) {
	s := &AdamState{Step: a.step, Names: append([]string(nil), a.names...)}
	for i := range a.names {
		shape, err := a.m[i].Size()
		if err != nil {
			return nil, fmt.Errorf("adam state %s: %w", a.names[i], err)
		}
		m, err := toHost(a.m[i])
		if err != nil {
			return nil, fmt.Errorf("adam state %s: %w", a.names[i], err)
		}
		v, err := toHost(a.v[i])
		if err != nil {
			return nil, fmt.Errorf("adam state %s: %w", a.names[i], err)
		}
		s.Shapes = append(s.Shapes, shape)
		s.M = append(s.M, m)
		s.V = append(s.V, v)
	}
	return s, nil
}

// LoadState restores moments saved by State. Names and shapes must match the model.
func (a *Adam) LoadState(s *AdamState) error {
	if len(s.Names) != len(a.names) {
		return fmt.Errorf("adam state has %d parameters, model has %d", len(s.Names), len(a.names))
	}
	for i, n := range a.names {
		if s.Names[i] != n {
			return fmt.Errorf("adam state parameter %d is %s, model has %s", i, s.Names[i], n)
		}
		shape, err := a.m[i].Size()
		if err != nil {
			return err
		}
		if fmt.Sprint(shape) != fmt.Sprint(s.Shapes[i]) {
			return fmt.Errorf("adam state %s has shape %v, model has %v", n, s.Shapes[i], shape)
		}
		for k, dst := range []*ts.Tensor{a.m[i], a.v[i]} {
			src := [][]float32{s.M[i], s.V[i]}[k]
			dev, err := dst.Device()
			if err != nil {
				return err
			}
			t, err := ts.NewTensorFromData(src, shape)
			if err != nil {
				return fmt.Errorf("adam state %s: %w", n, err)
			}
			if dev != gotch.CPU {
				t2, err := t.To(dev, true)
				if err != nil {
					return fmt.Errorf("adam state %s: %w", n, err)
				}
				t = t2
			}
			// zero + add instead of Copy_, which calls log.Fatal on failure.
			err = noGrad(func() error {
				if err := dst.MulScalar_(ts.FloatScalar(0)); err != nil {
					return err
				}
				return dst.Add_(t)
			})
			t.Drop()
			if err != nil {
				return fmt.Errorf("adam state %s: %w", n, err)
			}
		}
	}
	a.step = s.Step
	return nil
}

// toHost copies a float32 tensor to a Go slice.
func toHost(t *ts.Tensor) ([]float32, error) {
	c, err := t.To(gotch.CPU, false)
	if err != nil {
		return nil, err
	}
	defer c.Drop()
	if c.DType() != gotch.Float {
		c2, err := c.Totype(gotch.Float, false)
		if err != nil {
			return nil, err
		}
		defer c2.Drop()
		c = c2
	}
	out := make([]float32, c.Numel())
	if err := c.CopyData(out, c.Numel()); err != nil {
		return nil, err
	}
	return out, nil
}

// noGrad runs fn with autograd off and restores the previous mode.
// The goroutine is pinned to its OS thread meanwhile, because libtorch's grad mode is
// thread-local. Grad mode is switched back on afterwards (this package never nests no-grad
// regions), not restored: see setGrad.
func noGrad(fn func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := setGrad(false); err != nil {
		return err
	}
	ferr := fn()
	if err := setGrad(true); err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}

// setGrad sets libtorch's grad mode on the current OS thread. gotch v0.9.1's
// ts.GradSetEnabled returns garbage as the previous mode (libtch.AtGradSetEnabled reads
// the 4-byte C int result as an 8-byte Go int), so the previous mode is never used.
func setGrad(on bool) error {
	if _, err := ts.GradSetEnabled(on); err != nil {
		return fmt.Errorf("set autograd mode %v: %s", on, torchMessage(err))
	}
	return nil
}
