package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/train/rundir"
)

// ValidateConfig checks a run config before anything is read or written: the settings
// that the model and loader do not check themselves, and the model config. Errors name
// the setting by its ffra train flag.
func ValidateConfig(c rundir.Config) error {
	if err := c.Model.Validate(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := c.Labels.Validate(); err != nil {
		return err
	}
	if c.Limit < 0 {
		return fmt.Errorf("--limit %d must be >= 0", c.Limit)
	}
	if err := c.Optim.Validate(); err != nil {
		return err
	}
	switch c.PretrainedMode {
	case "", rundir.PretrainedPartial:
	default:
		return fmt.Errorf("unknown pretrained_mode %q (\"\" or %q)", c.PretrainedMode, rundir.PretrainedPartial)
	}
	if c.PretrainedMode != "" && c.Pretrained == "" {
		return fmt.Errorf("--pretrained-partial needs --pretrained FILE")
	}
	if err := c.Augment.Validate(); err != nil {
		return fmt.Errorf("augmentation: %w", err)
	}
	if c.Epochs < 1 {
		return fmt.Errorf("--epochs %d must be >= 1", c.Epochs)
	}
	if c.BatchSize < 1 {
		return fmt.Errorf("--batch-size %d must be >= 1", c.BatchSize)
	}
	if c.Runtime.EvalBatch < 1 {
		return fmt.Errorf("--eval-batch %d must be >= 1", c.Runtime.EvalBatch)
	}
	if c.Runtime.CacheMB < 0 {
		return fmt.Errorf("--cache-mb %d must be >= 0", c.Runtime.CacheMB)
	}
	return nil
}

// dataOptions are the loading settings of a run.
func dataOptions(cfg rundir.Config, log io.Writer) DataOptions {
	return DataOptions{Workers: cfg.Runtime.Workers, CacheBytes: int64(cfg.Runtime.CacheMB) << 20, Labels: cfg.Labels, Log: log}
}

// openData loads the datasets of a fresh run and settles its classes: cfg.Classes when
// given (the training labels are mapped to them by name), else the training dataset's.
// Every test set is mapped to them by name.
func openData(ctx context.Context, o Options, cfg *rundir.Config, dopt DataOptions) (*LoadedSet, []*LoadedSet, error) {
	train, tests, err := LoadTrain(ctx, o.TrainPath, TrainData{TestName: o.OwnTest, Limit: cfg.Limit, Seed: cfg.Seed}, dopt)
	if err != nil {
		return nil, nil, err
	}
	if len(cfg.Classes) == 0 {
		cfg.Classes = append([]string(nil), train.Classes...)
	}
	for _, spec := range o.Val {
		if findSet(tests, spec.Name) != nil {
			return nil, nil, fmt.Errorf("two test sets are named %q; name them with NAME=PATH", spec.Name)
		}
		t, err := LoadTest(ctx, spec, dopt)
		if err != nil {
			return nil, nil, err
		}
		tests = append(tests, t)
	}
	if err := mapAll(train, tests, cfg.Classes); err != nil {
		return nil, nil, err
	}
	return train, tests, nil
}

// mapAll maps the labels of the training and test sets to the run's classes.
func mapAll(train *LoadedSet, tests []*LoadedSet, classes []string) error {
	owner := "the run (classes from its training data or config)"
	for _, s := range append([]*LoadedSet{train}, tests...) {
		if err := mapClasses(s, classes, owner); err != nil {
			return err
		}
	}
	return nil
}

// reopenData loads the datasets recorded in config.json and checks that their content did
// not change: a resume on different data would not end where the original run would.
func reopenData(ctx context.Context, cfg rundir.Config, dopt DataOptions) (*LoadedSet, []*LoadedSet, error) {
	testName := ""
	for _, t := range cfg.Test {
		if t.Path == cfg.Train.Path && t.List == "" && (t.Split == "test" || t.Split == "val") {
			testName = "test"
			if t.Split == "test" {
				testName = t.Name
				break
			}
		}
	}
	train, own, err := LoadTrain(ctx, cfg.Train.Path, TrainData{TestName: testName, Limit: cfg.Limit, Seed: cfg.Seed}, dopt)
	if err != nil {
		return nil, nil, err
	}
	if err := sameData(cfg.Train, train.Ref); err != nil {
		return nil, nil, err
	}
	var tests []*LoadedSet
	for _, ref := range cfg.Test {
		var t *LoadedSet
		for _, s := range own {
			if ref.Path == cfg.Train.Path && ref.List == "" && s.Ref.Split == ref.Split && s.Ref.Name == ref.Name {
				t = s
			}
		}
		if t == nil {
			if t, err = LoadTest(ctx, SetSpec{Name: ref.Name, Path: ref.Path, List: ref.List}, dopt); err != nil {
				return nil, nil, err
			}
		}
		if err := sameData(ref, t.Ref); err != nil {
			return nil, nil, err
		}
		tests = append(tests, t)
	}
	if err := mapAll(train, tests, cfg.Classes); err != nil {
		return nil, nil, err
	}
	return train, tests, nil
}

func sameData(want, got rundir.DatasetRef) error {
	if want.Hash != got.Hash || want.Images != got.Images {
		return fmt.Errorf("dataset %s (%s) changed since the run started: %d images, %s %s; now %d images, %s; resume needs the same data",
			want.Name, want.Path, want.Images, want.HashOf, want.Hash, got.Images, got.Hash)
	}
	return nil
}

// samePretrained checks that a run restarted from its config.json finds the --pretrained file
// it started with (same content hash), since the weights it loads decide the result.
func samePretrained(cfg rundir.Config) error {
	h, err := fileHash(cfg.Pretrained)
	if err != nil {
		return err
	}
	if h != cfg.PretrainedHash {
		return fmt.Errorf("--pretrained %s changed since the run started (%s, now %s); restarting needs the same file", cfg.Pretrained, cfg.PretrainedHash, h)
	}
	return nil
}

func findSet(sets []*LoadedSet, name string) *LoadedSet {
	for _, s := range sets {
		if s.Ref.Name == name {
			return s
		}
	}
	return nil
}

func setNameList(sets []*LoadedSet) []string {
	var n []string
	for _, s := range sets {
		n = append(n, s.Ref.Name)
	}
	return n
}

func setNames(sets []*LoadedSet) string {
	if len(sets) == 0 {
		return "(none)"
	}
	return strings.Join(setNameList(sets), ", ")
}

func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("--pretrained: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("--pretrained %s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// epochLine is the one-line summary printed after each epoch.
func epochLine(r rundir.EpochRecord, epochs int, sets []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %d/%d lr %.3g train loss %.4f acc %.2f%%", r.Epoch, epochs, r.LR, r.TrainLoss, 100*r.TrainAcc)
	for _, s := range sets {
		m := r.Sets[s]
		fmt.Fprintf(&b, " | %s loss %.4f acc %.2f%% mean-class %.2f%%", s, m.Loss, 100*m.Acc, 100*m.MeanClassAcc)
	}
	fmt.Fprintf(&b, " | %.1f img/s, %.0fs", r.TrainImgsPS, r.Seconds)
	if r.Best {
		b.WriteString(" *best")
	}
	return b.String()
}

// claimRunDir makes sure out is a new or empty folder: a run is never silently overwritten.
func claimRunDir(out string) error {
	if out == "" {
		return errors.New("no run folder (--out)")
	}
	entries, err := os.ReadDir(out)
	if err == nil && len(entries) > 0 {
		if _, e := os.Stat(filepath.Join(out, rundir.ConfigFile)); e == nil {
			return fmt.Errorf("run folder %s already holds a run (config.json); continue it with ffra train --resume -o %s, or pick another -o", out, out)
		}
		return fmt.Errorf("run folder %s is not empty; pick a new or empty folder", out)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("run folder %s: %w", out, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("run folder %s: %w", out, err)
	}
	return nil
}

func keepEpochs(recs []rundir.EpochRecord, upto int) []rundir.EpochRecord {
	var out []rundir.EpochRecord
	for _, r := range recs {
		if r.Epoch <= upto {
			out = append(out, r)
		}
	}
	return out
}
