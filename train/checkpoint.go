package train

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/rundir"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Files inside a checkpoint folder (run/last, run/best).
const (
	ModelFile = "model.safetensors"     // model.SaveCheckpoint: weights + config + classes
	OptimFile = "optimizer.safetensors" // Adam moments and step (last/ only)
	StateFile = "state.json"            // TrainState; written last, so its presence means complete
)

// TrainState is what a resume needs besides weights and moments. All randomness of a run is
// derived from (Seed, epoch, item path): the "RNG state" is therefore Seed plus Epoch, the
// next epoch to run; libtorch's generator is not used (weights are initialised in Go from
// the seed; the dropout masks of VGG-16 and MobileNetV2 come from the seed and the forward
// count, which the model checkpoint carries).
type TrainState struct {
	Epoch      int     `json:"epoch"`       // epochs completed
	AdamSteps  int64   `json:"adam_steps"`  // optimizer updates so far
	Seed       uint64  `json:"seed"`        // run seed
	ConfigHash string  `json:"config_hash"` // rundir.Config.Hash of the run
	BestEpoch  int     `json:"best_epoch"`  // 0: none yet
	BestAcc    float64 `json:"best_acc"`    // selection-set accuracy of BestEpoch
	Select     string  `json:"select"`      // selection test set
}

// saveCheckpoint writes a checkpoint folder. Files go to dir.partial first; then dir is
// replaced by two renames. A crash leaves either the old folder, or dir.partial complete
// (state.json present) next to dir.old, which openCheckpointDir repairs.
func saveCheckpoint(dir string, m *model.Model, adam *Adam, st TrainState, classes []string) error {
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	extra := map[string]string{
		"epoch":       strconv.Itoa(st.Epoch),
		"config_hash": st.ConfigHash,
	}
	if err := m.SaveCheckpoint(filepath.Join(tmp, ModelFile), classes, extra); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if adam != nil {
		s, err := adam.State()
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", dir, err)
		}
		if err := writeAdamState(filepath.Join(tmp, OptimFile), s); err != nil {
			return fmt.Errorf("checkpoint %s: %w", dir, err)
		}
	}
	if err := rundir.WriteJSON(filepath.Join(tmp, StateFile), st); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return os.RemoveAll(old)
}

// openCheckpointDir returns the usable folder for dir, finishing an interrupted swap.
func openCheckpointDir(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, StateFile)); err == nil {
		return dir, nil
	}
	tmp := dir + ".partial"
	if _, err := os.Stat(filepath.Join(tmp, StateFile)); err == nil {
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
		if err := os.Rename(tmp, dir); err != nil {
			return "", fmt.Errorf("repair checkpoint %s: %w", dir, err)
		}
		return dir, nil
	}
	old := dir + ".old"
	if _, err := os.Stat(filepath.Join(old, StateFile)); err == nil {
		if err := os.Rename(old, dir); err != nil {
			return "", fmt.Errorf("repair checkpoint %s: %w", dir, err)
		}
		return dir, nil
	}
	return "", fmt.Errorf("no complete checkpoint in %s (no %s): %w", dir, StateFile, errNoCheckpoint)
}

// errNoCheckpoint says that a checkpoint folder and its .partial and .old siblings hold no
// complete checkpoint: the run was stopped before its first last/ was in place.
var errNoCheckpoint = errors.New("the run has no finished epoch to resume from")

// loadCheckpoint restores a checkpoint folder onto dev: the model, its state and (when
// withOptim) the Adam moments. Its state.json and the model's metadata are checked against
// the run's config (checkState, checkMeta) before they are trusted.
func loadCheckpoint(dir string, dev gotch.Device, withOptim bool, cfg rundir.Config) (*model.Model, *Adam, TrainState, error) {
	var st TrainState
	d, err := openCheckpointDir(dir)
	if err != nil {
		return nil, nil, st, err
	}
	sp := filepath.Join(d, StateFile)
	if err := rundir.ReadJSON(sp, &st); err != nil {
		return nil, nil, st, err
	}
	if err := checkState(st, cfg, sp); err != nil {
		return nil, nil, st, err
	}
	mp := filepath.Join(d, ModelFile)
	m, ck, err := model.LoadCheckpoint(mp, dev)
	if err != nil {
		return nil, nil, st, err
	}
	if err := checkMeta(ck, st, cfg, mp); err != nil {
		m.Close()
		return nil, nil, st, err
	}
	if !withOptim {
		return m, nil, st, nil
	}
	adam, err := newAdamFor(m, cfg.Optim)
	if err != nil {
		m.Close()
		return nil, nil, st, err
	}
	s, err := readAdamState(filepath.Join(d, OptimFile), adam.names)
	if err == nil {
		err = adam.LoadState(s)
	}
	if err != nil {
		m.Close()
		return nil, nil, st, fmt.Errorf("checkpoint %s: %w", d, err)
	}
	if adam.Steps() != st.AdamSteps {
		m.Close()
		return nil, nil, st, fmt.Errorf("checkpoint %s: %d optimiser steps, %s says %d", d, adam.Steps(), StateFile, st.AdamSteps)
	}
	return m, adam, st, nil
}

// newAdamFor builds Adam over the model's trainable parameters, keyed by state_dict name.
func newAdamFor(m *model.Model, o rundir.OptimSettings) (*Adam, error) {
	params := map[string]*ts.Tensor{}
	for _, n := range m.Names() {
		t, err := m.Variable(n)
		if err != nil {
			return nil, err
		}
		rg, err := t.RequiresGrad()
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", n, err)
		}
		if rg {
			params[n] = t
		}
	}
	return NewAdam(params, o.Beta1, o.Beta2, o.Eps, o.WeightDecay)
}
