package model

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// Model is one network of ffranet.Config (FFRA-Net, ResNet-18, or a torchvision
// baseline; see Arches) with its variables in a gotch VarStore under PyTorch
// state_dict names.
type Model struct {
	cfg   ffranet.Config
	vs    *nn.VarStore
	names []string              // variable names in creation order
	vars  map[string]*ts.Tensor // the VarStore's own handles
	net   network
	// seed is the init seed; with batchesTracked it seeds the dropout masks of
	// a training forward, so a resumed run draws the masks the original would.
	seed uint64

	// batchesTracked is BN's num_batches_tracked (one count for every BN, as
	// every BN runs once per training forward); written to checkpoints only.
	batchesTracked int64
}

// New builds a model for cfg on dev with weights initialised as in spec
// section 8 (FFRA family) or as torchvision initialises the baseline, drawn
// from a generator seeded with seed.
func New(cfg ffranet.Config, dev gotch.Device, seed uint64) (m *Model, err error) {
	defer recoverInto(&err, "build model")
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("model config: %w", err)
	}
	vs := nn.NewVarStore(dev)
	b := newBuilder(vs, seed)
	net, err := buildNet(b, cfg)
	if err != nil {
		return nil, err
	}
	return &Model{cfg: cfg, vs: vs, names: b.names, vars: b.vars, net: net, seed: seed}, nil
}

// ffranet.Config returns the model's configuration.
func (m *Model) Config() ffranet.Config { return m.cfg }

// VarStore holds every variable; build a gotch optimizer on it, e.g.
// nn.DefaultAdamConfig().Build(m.VarStore(), 1e-4). Only parameters are
// trainable; BN running statistics are buffers.
func (m *Model) VarStore() *nn.VarStore { return m.vs }

// Device is where the variables live.
func (m *Model) Device() gotch.Device { return m.vs.Device() }

// Names returns the variable names (state_dict keys, num_batches_tracked
// excluded) in creation order.
func (m *Model) Names() []string { return append([]string(nil), m.names...) }

// Variable returns the tensor stored under a state_dict name.
func (m *Model) Variable(name string) (*ts.Tensor, error) {
	t, ok := m.vars[name]
	if !ok {
		return nil, fmt.Errorf("model has no variable %q", name)
	}
	return t, nil
}

// ParamCount is the number of trainable scalars (spec section 7's figure).
func (m *Model) ParamCount() (int64, error) {
	var n int64
	for _, t := range m.vs.TrainableVariables() {
		dims, err := t.Size()
		if err != nil {
			return 0, fmt.Errorf("param count: %w", err)
		}
		n += numel(dims)
	}
	return n, nil
}

// bnNames are the BatchNorm module names (prefixes of running_mean).
func (m *Model) bnNames() []string {
	var out []string
	for _, n := range m.names {
		if p, ok := strings.CutSuffix(n, ".running_mean"); ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Close frees the model's tensors. The model must not be used afterwards.
func (m *Model) Close() {
	for _, t := range m.vars {
		_ = t.Drop()
	}
}

// recoverInto turns a panic from gotch (its Must* helpers panic) into an error,
// so none crosses this package's boundary.
func recoverInto(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: libtorch/gotch panic: %v", what, r)
	}
}
