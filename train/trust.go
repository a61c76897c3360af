package train

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/occfer/occfer/internal/safepath"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/rundir"
)

// A run folder is read back like user input on --resume (issue 11): config.json, last/'s
// state.json and the checkpoint's own metadata are checked against each other and against
// what a run can hold before anything is loaded or trained. A file that fails is refused with
// its path and the reason: the run folder was edited by hand (or damaged), and nothing it
// says can be trusted.

// checkStoredConfig validates the config.json of the run folder out.
func checkStoredConfig(c rundir.Config, out string) error {
	p := filepath.Join(out, rundir.ConfigFile)
	bad := func(format string, a ...any) error {
		return fmt.Errorf("resume %s: %s: %s; the run folder was edited or damaged, start a new run", out, p, fmt.Sprintf(format, a...))
	}
	refs := append([]rundir.DatasetRef{c.Train}, c.Test...)
	seen := map[string]bool{}
	for i, ref := range refs {
		what := "training set"
		if i > 0 {
			what = "test set"
			// Test set names become file names in the run folder (confusion_<name>.png).
			if !setNameRE.MatchString(ref.Name) {
				return bad("test set name %q is not a plain name (letters, digits, '.', '_' or '-')", ref.Name)
			}
			if seen[ref.Name] {
				return bad("two test sets are named %q", ref.Name)
			}
			seen[ref.Name] = true
		}
		if ref.Path == "" || !filepath.IsAbs(ref.Path) {
			return bad("%s %q: path %q is not an absolute path", what, ref.Name, ref.Path)
		}
		if ref.List != "" && !filepath.IsAbs(ref.List) {
			return bad("%s %q: list %q is not an absolute path", what, ref.Name, ref.List)
		}
	}
	if c.Select != "" && !seen[c.Select] {
		return bad("\"select\" %q names no test set", c.Select)
	}
	if h, err := c.ComputeHash(); err != nil || h != c.Hash {
		return bad("its settings do not match its hash %s", c.Hash)
	}
	inputs := []string{c.Train.Path}
	for _, t := range c.Test {
		inputs = append(inputs, t.Path)
	}
	if err := safepath.CheckOutput(out, inputs...); err != nil {
		return fmt.Errorf("resume %s: %s: %w", out, p, err)
	}
	return nil
}

// checkState validates a checkpoint's state.json (at p) against the run's config.
func checkState(st TrainState, cfg rundir.Config, p string) error {
	var reason string
	switch {
	case st.Epoch < 1 || st.Epoch > cfg.Epochs:
		reason = fmt.Sprintf("epoch %d is not an epoch of this %d-epoch run", st.Epoch, cfg.Epochs)
	case st.BestEpoch < 0 || st.BestEpoch > st.Epoch:
		reason = fmt.Sprintf("best epoch %d is not one of epochs 0..%d", st.BestEpoch, st.Epoch)
	case math.IsNaN(st.BestAcc) || st.BestAcc < 0 || st.BestAcc > 1:
		reason = fmt.Sprintf("best accuracy %g is not in [0, 1]", st.BestAcc)
	case st.AdamSteps < 1:
		reason = fmt.Sprintf("%d optimiser steps after %d epochs", st.AdamSteps, st.Epoch)
	case st.Seed != cfg.Seed:
		reason = fmt.Sprintf("seed %d, the run's (config.json) is %d", st.Seed, cfg.Seed)
	case st.ConfigHash != cfg.Hash:
		reason = fmt.Sprintf("checkpoint belongs to config %s, config.json is %s", st.ConfigHash, cfg.Hash)
	case st.Select != cfg.Select:
		reason = fmt.Sprintf("selection set %q, the run's is %q", st.Select, cfg.Select)
	default:
		return nil
	}
	return fmt.Errorf("%s: %s", p, reason)
}

// checkMeta validates the metadata of a checkpoint's model file (at p) against its state and
// the run's config: the same epoch, config hash, classes and model.
func checkMeta(ck *model.Checkpoint, st TrainState, cfg rundir.Config, p string) error {
	want, _ := json.Marshal(cfg.Model)
	got, _ := json.Marshal(ck.Config)
	switch {
	case ck.Extra["epoch"] != strconv.Itoa(st.Epoch):
		return fmt.Errorf("%s: weights of epoch %q, state.json says epoch %d", p, ck.Extra["epoch"], st.Epoch)
	case ck.Extra["config_hash"] != cfg.Hash:
		return fmt.Errorf("%s: weights of config %q, config.json is %s", p, ck.Extra["config_hash"], cfg.Hash)
	case !slices.Equal(ck.Classes, cfg.Classes):
		return fmt.Errorf("%s: classes %v, config.json has %v", p, ck.Classes, cfg.Classes)
	case string(got) != string(want):
		return fmt.Errorf("%s: model %s, config.json has %s", p, got, want)
	}
	return nil
}
