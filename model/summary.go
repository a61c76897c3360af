package model

import (
	"fmt"
	"strings"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// ModuleSummary is one row of Summary: a module's output shape for one
// sample, its trainable parameters and its multiply-accumulates (Conv2d and
// Linear only, as in spec section 7).
type ModuleSummary struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	Output []int64 `json:"output"` // [C,H,W] or [features]
	Params int64   `json:"params"`
	MACs   int64   `json:"macs"`
}

// ModelSummary is the result of Summary.
type ModelSummary struct {
	Config    ffranet.Config  `json:"config"`
	InputSize int             `json:"input_size"`
	Modules   []ModuleSummary `json:"modules"`
	Params    int64           `json:"params"` // trainable parameters (spec 7)
	Buffers   int64           `json:"buffers"`
	MACs      int64           `json:"macs"`
}

// recorder collects output shapes and conv/linear MACs during one forward.
type recorder struct {
	rows []ModuleSummary
	macs map[string]int64 // by conv/linear name
}

// recordPass runs one zero image of size x size on the model's device through the network
// without gradients and returns what each module recorded (output shapes, MACs): the one
// pass behind Summary and the ONNX export's shape folds (its errors say "summary", as
// record's do).
func (m *Model) recordPass(size int64) (*recorder, error) {
	x, err := ts.Zeros([]int64{1, 3, size, size}, gotch.Float, m.Device())
	if err != nil {
		return nil, fmt.Errorf("summary input: %w", err)
	}
	defer drop(x)
	rec := &recorder{macs: map[string]int64{}}
	err = noGrad(func() error {
		logits, feat, err := m.run(&pass{rec: rec}, x)
		drop(logits, feat)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// record notes a module's output; a no-op outside Summary.
func (p *pass) record(name, kind string, out *ts.Tensor) error {
	if p.rec == nil {
		return nil
	}
	shape, err := out.Size()
	if err != nil {
		return fmt.Errorf("summary %s: %w", name, err)
	}
	p.rec.rows = append(p.rec.rows, ModuleSummary{Name: name, Kind: kind, Output: shape[1:]})
	return nil
}

// conv adds MACs = output elements per sample x inputs per output element.
func (r *recorder) conv(name string, out *ts.Tensor, perOutput int64) error {
	shape, err := out.Size()
	if err != nil {
		return fmt.Errorf("summary %s: %w", name, err)
	}
	r.macs[name] += numel(shape[1:]) * perOutput
	return nil
}

// Summary builds cfg on the CPU (seed 0) and runs one sample of
// inputSize x inputSize (cfg.InputSize when 0) through it in eval mode.
// Module rows follow execution order; a row's params and MACs include its
// sub-modules, so only the top-level rows (no dot in the name, plus the
// layerK.J blocks for detail) should be summed: use the totals instead.
func Summary(cfg ffranet.Config, inputSize int) (s *ModelSummary, err error) {
	defer recoverInto(&err, "summary")
	if inputSize == 0 {
		inputSize = cfg.InputSize
	}
	if inputSize < 32 {
		return nil, fmt.Errorf("summary: input size must be >= 32, got %d", inputSize)
	}
	m, err := New(cfg, gotch.CPU, 0)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	rec, err := m.recordPass(int64(inputSize))
	if err != nil {
		return nil, err
	}

	s = &ModelSummary{Config: cfg, InputSize: inputSize, Modules: rec.rows}
	params, buffers, err := m.sizesByName()
	if err != nil {
		return nil, err
	}
	for i := range s.Modules {
		row := &s.Modules[i]
		row.Params = sumPrefix(params, row.Name)
		row.MACs = sumPrefix(rec.macs, row.Name)
	}
	s.Params = sumPrefix(params, "")
	s.Buffers = sumPrefix(buffers, "")
	s.MACs = sumPrefix(rec.macs, "")
	return s, nil
}

// sizesByName splits variable sizes into trainable parameters and buffers.
func (m *Model) sizesByName() (params, buffers map[string]int64, err error) {
	params, buffers = map[string]int64{}, map[string]int64{}
	for _, name := range m.names {
		t := m.vars[name]
		dims, err := t.Size()
		if err != nil {
			return nil, nil, fmt.Errorf("summary %s: %w", name, err)
		}
		if isBuffer(name) {
			buffers[name] = numel(dims)
		} else {
			params[name] = numel(dims)
		}
	}
	return params, buffers, nil
}

func isBuffer(name string) bool {
	return strings.HasSuffix(name, ".running_mean") || strings.HasSuffix(name, ".running_var")
}

// sumPrefix sums the values whose key is prefix or starts with prefix + ".";
// the empty prefix sums everything.
func sumPrefix(vals map[string]int64, prefix string) int64 {
	var n int64
	for k, v := range vals {
		if prefix == "" || k == prefix || strings.HasPrefix(k, prefix+".") {
			n += v
		}
	}
	return n
}
