package model

import (
	"fmt"
	"runtime"

	"github.com/sugarme/gotch/ts"
)

// noGrad runs fn with autograd off. libtorch's grad mode is per OS thread and
// Go moves goroutines between threads, so the goroutine is locked to its
// thread for the duration; gotch's own ts.NoGrad does not do this.
func noGrad(fn func() error) (err error) { return gradMode(false, fn) }

// withGrad runs fn with autograd on (see noGrad).
func withGrad(fn func() error) (err error) { return gradMode(true, fn) }

func gradMode(on bool, fn func() error) (err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prev, err := ts.GradSetEnabled(on)
	if err != nil {
		return fmt.Errorf("set autograd %v: %w", on, err)
	}
	defer func() {
		if _, rerr := ts.GradSetEnabled(prev); rerr != nil && err == nil {
			err = fmt.Errorf("restore autograd: %w", rerr)
		}
	}()
	return fn()
}

// Predict runs an eval-mode forward without autograd and returns logits.
// x is not consumed; the caller drops the result.
func (m *Model) Predict(x *ts.Tensor) (logits *ts.Tensor, err error) {
	err = noGrad(func() error {
		logits, err = m.Forward(x, false)
		return err
	})
	return logits, err
}

// PredictFeatures is Predict that also returns the last conv feature map
// (see ForwardFeatures), for class activation maps.
func (m *Model) PredictFeatures(x *ts.Tensor) (logits, features *ts.Tensor, err error) {
	err = noGrad(func() error {
		logits, features, err = m.ForwardFeatures(x, false)
		return err
	})
	return logits, features, err
}
