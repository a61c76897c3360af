package train

import (
	"fmt"

	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/rundir"
	"github.com/sugarme/gotch/ts"
)

// pretrained is a --pretrained file read and checked against the run's architecture before
// anything is written: a file that does not fit fails the run before its folder exists.
type pretrained struct {
	tensors map[string]*ts.Tensor
	opts    model.ImportOptions
	report  *model.LoadReport
}

// readPretrained reads cfg.Pretrained and plans its import under the backbone rule
// (model.ImportBackbone, or load-what-fits in rundir.PretrainedPartial mode).
func readPretrained(cfg rundir.Config) (*pretrained, error) {
	p := &pretrained{opts: model.ImportOptions{Backbone: true, Partial: cfg.PretrainedMode == rundir.PretrainedPartial}}
	tensors, _, err := model.ReadStateDict(cfg.Pretrained)
	if err != nil {
		return nil, fmt.Errorf("--pretrained: %w", err)
	}
	p.tensors = tensors
	shapes, err := model.StateDictShapes(tensors)
	if err == nil {
		mc := cfg.Model
		mc.NumClasses = max(mc.NumClasses, 1) // the head is never loaded: its size does not matter here
		p.report, err = model.PlanImport(mc, shapes, p.opts)
	}
	if err != nil {
		p.close()
		hint := ""
		if !p.opts.Partial {
			hint = " (--pretrained-partial loads what fits and leaves the rest at init)"
		}
		return nil, fmt.Errorf("--pretrained %s: %w%s", cfg.Pretrained, err, hint)
	}
	return p, nil
}

// counts is what config.json records.
func (p *pretrained) counts() *rundir.PretrainLoad {
	r := p.report
	return &rundir.PretrainLoad{Loaded: len(r.Loaded), LeftAtInit: len(r.Missing), Ignored: len(r.Ignored),
		Backbone: r.Backbone, BackboneLoaded: r.BackboneLoaded}
}

// load copies the planned tensors into m.
func (p *pretrained) load(m *model.Model) (*model.LoadReport, error) {
	rep, err := m.LoadStateDict(p.tensors, p.opts)
	if err != nil {
		return nil, fmt.Errorf("--pretrained: %w", err)
	}
	return rep, nil
}

func (p *pretrained) close() {
	if p == nil {
		return
	}
	for _, t := range p.tensors {
		_ = t.Drop()
	}
	p.tensors = nil
}
