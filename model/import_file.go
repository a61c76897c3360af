package model

import (
	"errors"
	"fmt"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// ImportFile builds cfg's model on dev (seeded init for whatever the file
// does not provide) and imports the weights file at path into it with the
// rules of opts: a PyTorch .pth/.pt (a state_dict, or a training checkpoint
// holding one under "state_dict" / "model_state_dict"; "module." prefixes
// stripped) or a safetensors file. cfg.NumClasses 0 takes the class count
// from the file's classifier head (fc.weight, classifier.6.weight or
// classifier.1.weight). Misfits are *ImportError; nothing is half-loaded.
func ImportFile(path string, cfg ffranet.Config, opts ImportOptions, dev gotch.Device, seed uint64) (*Model, *LoadReport, error) {
	tensors, _, err := ReadStateDict(path)
	if err != nil {
		return nil, nil, err
	}
	defer dropAll(tensors)
	if cfg.NumClasses == 0 {
		n, herr := headClasses(cfg, tensors)
		if herr != nil {
			// No classifier to size the model by: the file is probably for another
			// network, which the plan's list of misfits says better.
			probe := cfg
			probe.NumClasses = 1
			if shapes, err := StateDictShapes(tensors); err == nil {
				if _, err := PlanImport(probe, shapes, opts); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", path, err)
				}
			}
			return nil, nil, fmt.Errorf("%s: %w", path, herr)
		}
		cfg.NumClasses = n
	}
	m, err := New(cfg, dev, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	rep, err := m.LoadStateDict(tensors, opts)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, rep, nil
}

// headClasses is the output count of the file's classifier weight.
func headClasses(cfg ffranet.Config, tensors map[string]*ts.Tensor) (int, error) {
	want := headPrefix(cfg) + "weight"
	for k, t := range tensors {
		if modelName(k) != want {
			continue
		}
		dims, err := t.Size()
		if err != nil {
			return 0, err
		}
		if len(dims) != 2 || dims[0] < 1 {
			return 0, fmt.Errorf("classifier %s has shape %v, want [classes, features]", k, dims)
		}
		return int(dims[0]), nil
	}
	return 0, fmt.Errorf("no classifier %s to take the class count from; give the classes", want)
}

// IsNotCheckpoint reports whether err says a file is a foreign state_dict
// rather than an ffra checkpoint (see ErrNotCheckpoint).
func IsNotCheckpoint(err error) bool {
	var e *ErrNotCheckpoint
	return errors.As(err, &e)
}
