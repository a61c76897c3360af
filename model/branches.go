package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"
)

// multiScale is spec section 3: split X into 4 channel groups, Y1 = P1(X1),
// Yi = Pi(Xi + Y(i-1)), concat. Each Pi is its own CBR (ms.convs.{i}).
type multiScale struct {
	ch    int64
	convs [4]*cbr
}

func newMultiScale(b *builder, ch int64, gamma float32) (*multiScale, error) {
	m := &multiScale{ch: ch}
	w := ch / 4
	for i := range m.convs {
		c, err := newCBR(b, fmt.Sprintf("ms.convs.%d", i), w, w, gamma)
		if err != nil {
			return nil, err
		}
		m.convs[i] = c
	}
	return m, nil
}

// forward does not consume x.
func (m *multiScale) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	w := m.ch / 4
	var ys [4]*ts.Tensor
	fail := func(err error) (*ts.Tensor, error) {
		drop(ys[:]...)
		return nil, err
	}
	for i := range m.convs {
		xi, err := x.Narrow(1, int64(i)*w, w, false)
		if err != nil {
			return fail(fmt.Errorf("ms split %d: %w", i, err))
		}
		if i > 0 {
			if xi, err = xi.Add(ys[i-1], true); err != nil {
				return fail(fmt.Errorf("ms.convs.%d input: %w", i, err))
			}
		}
		ys[i], err = m.convs[i].forward(p, xi)
		drop(xi)
		if err != nil {
			return fail(err)
		}
	}
	out, err := ts.Cat(ys[:], 1)
	drop(ys[:]...)
	if err != nil {
		return nil, fmt.Errorf("ms concat: %w", err)
	}
	return out, p.record("ms", "MultiScale", out)
}

// laPart is one P_i of the local attention module: CBR then shuffle attention.
type laPart struct {
	cbr *cbr
	sa  *shuffleAttention
}

func (lp *laPart) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y, err := lp.cbr.forward(p, x)
	if err != nil {
		return nil, err
	}
	z, err := lp.sa.forward(y)
	drop(y)
	return z, err
}

// localAttention is spec section 4: S = CBR(X), split S into 2x2 quadrants in
// raster order (after zero-padding odd sizes at bottom/right), run the
// hierarchical recurrence over the parts, re-assemble and crop.
type localAttention struct {
	convS *cbr
	parts []*laPart // 4, or 1 when shared (A5)
}

func newLocalAttention(b *builder, ch, groups int64, shared bool, gamma float32) (*localAttention, error) {
	la := &localAttention{}
	var err error
	// conv_s is not the last BN of a P_i, so it keeps gamma 1 under zero-init.
	if la.convS, err = newCBR(b, "la.conv_s", ch, ch, 1); err != nil {
		return nil, err
	}
	n := 4
	if shared {
		n = 1
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("la.parts.%d", i)
		c, err := newCBR(b, name, ch, ch, gamma)
		if err != nil {
			return nil, err
		}
		sa, err := newShuffleAttention(b, name+".sa", ch, groups)
		if err != nil {
			return nil, err
		}
		la.parts = append(la.parts, &laPart{cbr: c, sa: sa})
	}
	return la, nil
}

// forward does not consume x.
func (la *localAttention) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	s, err := la.convS.forward(p, x)
	if err != nil {
		return nil, err
	}
	shape, err := s.Size()
	if err != nil {
		drop(s)
		return nil, fmt.Errorf("la: %w", err)
	}
	h, w := shape[2], shape[3]
	if h%2 == 1 || w%2 == 1 {
		// spec 4.3: pad (left 0, right w%2, top 0, bottom h%2) with zeros.
		if s, err = s.ConstantPadNd([]int64{0, w % 2, 0, h % 2}, true); err != nil {
			return nil, fmt.Errorf("la pad: %w", err)
		}
	}
	ph, pw := (h+h%2)/2, (w+w%2)/2
	out, err := la.recur(p, s, ph, pw)
	drop(s)
	if err != nil {
		return nil, err
	}
	if h%2 == 1 || w%2 == 1 {
		if out, err = crop(out, h, w); err != nil {
			return nil, fmt.Errorf("la crop: %w", err)
		}
	}
	return out, p.record("la", "LocalAttention", out)
}

// recur runs Y1 = P1(S1), Yi = Pi(Si + Y(i-1)) over TL, TR, BL, BR and
// re-assembles [[Y1, Y2], [Y3, Y4]].
func (la *localAttention) recur(p *pass, s *ts.Tensor, ph, pw int64) (*ts.Tensor, error) {
	var ys [4]*ts.Tensor
	fail := func(err error) (*ts.Tensor, error) {
		drop(ys[:]...)
		return nil, err
	}
	for i := 0; i < 4; i++ {
		r, c := int64(i/2), int64(i%2)
		rows, err := s.Narrow(2, r*ph, ph, false)
		if err != nil {
			return fail(fmt.Errorf("la split %d: %w", i, err))
		}
		si, err := rows.Narrow(3, c*pw, pw, true)
		if err != nil {
			return fail(fmt.Errorf("la split %d: %w", i, err))
		}
		if i > 0 {
			if si, err = si.Add(ys[i-1], true); err != nil {
				return fail(fmt.Errorf("la.parts.%d input: %w", i, err))
			}
		}
		part := la.parts[0]
		if len(la.parts) == 4 {
			part = la.parts[i]
		}
		ys[i], err = part.forward(p, si)
		drop(si)
		if err != nil {
			return fail(err)
		}
	}
	top, err := ts.Cat([]*ts.Tensor{ys[0], ys[1]}, 3)
	if err != nil {
		return fail(fmt.Errorf("la assemble: %w", err))
	}
	bottom, err := ts.Cat([]*ts.Tensor{ys[2], ys[3]}, 3)
	if err != nil {
		drop(top)
		return fail(fmt.Errorf("la assemble: %w", err))
	}
	drop(ys[:]...)
	out, err := ts.Cat([]*ts.Tensor{top, bottom}, 2)
	drop(top, bottom)
	if err != nil {
		return nil, fmt.Errorf("la assemble: %w", err)
	}
	return out, nil
}

// crop keeps the top-left h x w of x and consumes x.
func crop(x *ts.Tensor, h, w int64) (*ts.Tensor, error) {
	r, err := x.Narrow(2, 0, h, true)
	if err != nil {
		return nil, err
	}
	c, err := r.Narrow(3, 0, w, true)
	if err != nil {
		return nil, err
	}
	// contiguous so later views and the caller's frees are independent of the padded buffer
	return c.Contiguous(true)
}
