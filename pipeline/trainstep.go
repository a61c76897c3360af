package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/rundir"
)

// TrainStep trains on one dataset of the pipeline and evaluates on others every epoch.
type TrainStep struct {
	On   string   `json:"on"`             // dataset to train on: "clean" or an occlude step's name
	Eval []string `json:"eval,omitempty"` // test sets evaluated every epoch (default: every dataset)
	// Settings are fields of the run's config.json (train/rundir.Config: epochs, batch_size,
	// model, optim, augment, runtime, ...) laid over the paper's defaults.
	Settings json.RawMessage `json:"settings,omitempty"`
}

func (t *TrainStep) validate(sets map[string]bool) error {
	if !sets[t.On] {
		return fmt.Errorf("train.on %q is not a dataset of this pipeline (%q or an occlude step)", t.On, CleanName)
	}
	for _, e := range t.Eval {
		if !sets[e] {
			return fmt.Errorf("train.eval %q is not a dataset of this pipeline", e)
		}
	}
	cfg, err := t.runConfig()
	if err != nil {
		return err
	}
	// checked here so that a bad setting stops the pipeline before it occludes anything
	if err := train.ValidateConfig(cfg); err != nil {
		return fmt.Errorf("train.settings: %w", err)
	}
	return nil
}

// runConfig is train.DefaultConfig with Settings laid over it; unknown fields are errors so a
// typo does not silently train with a default.
func (t *TrainStep) runConfig() (rundir.Config, error) {
	cfg := train.DefaultConfig()
	if len(t.Settings) == 0 {
		return cfg, nil
	}
	dec := json.NewDecoder(bytes.NewReader(t.Settings))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("train.settings: %w", err)
	}
	return cfg, nil
}
