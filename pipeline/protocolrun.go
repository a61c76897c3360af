package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/rundir"
)

// applyTo lays --epochs and --limit over a run's config.
func (o Overrides) applyTo(cfg *rundir.Config) {
	if o.Epochs > 0 {
		cfg.Epochs = o.Epochs
	}
	if o.Limit > 0 {
		cfg.Limit = o.Limit
	}
}

// protocolRunConfig is train.DefaultConfig with the protocol's settings, then a table's, then
// --settings laid over it (unknown fields are errors), then --epochs and --limit.
func (c Config) protocolRunConfig(table json.RawMessage) (rundir.Config, error) {
	cfg := train.DefaultConfig()
	for _, raw := range []json.RawMessage{c.Protocol.Settings, table, json.RawMessage(c.over.Settings)} {
		if len(raw) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return cfg, fmt.Errorf("protocol settings: %w", err)
		}
	}
	c.over.applyTo(&cfg)
	return cfg, nil
}

// runConfig is the full config of one run: the settings, the row's model (its input size and
// class count from the settings), the run's seed.
func (r *protoRun) runConfig(c Config) (rundir.Config, error) {
	cfg, err := c.protocolRunConfig(r.Setting)
	if err != nil {
		return cfg, err
	}
	mc, err := ffranet.ConfigFor(r.Arch)
	if err != nil {
		return cfg, err
	}
	mc.InputSize, mc.NumClasses = cfg.Model.InputSize, cfg.Model.NumClasses
	if r.Fusion != "" {
		mc.Fusion = r.Fusion
	}
	if r.Lambda != 0 {
		mc.Lambda = r.Lambda
	}
	cfg.Model = mc
	cfg.Seed = r.Seed
	return cfg, nil
}

// resultSettings are the parts of a run config that decide its result and that the protocol
// sets: a run folder whose config.json differs in them was made by another config (or other
// --epochs / --limit) and is refused rather than reused.
type resultSettings struct {
	Model     ffranet.Config
	Optim     rundir.OptimSettings
	Epochs    int
	BatchSize int
	Limit     int
	Seed      uint64
	Augment   any
	Labels    any
}

func settingsOf(c rundir.Config) resultSettings {
	m := c.Model
	m.NumClasses = 0 // the data's class count on disk, the settings' request in the plan
	return resultSettings{Model: m, Optim: c.Optim, Epochs: c.Epochs, BatchSize: c.BatchSize, Limit: c.Limit,
		Seed: c.Seed, Augment: c.Augment, Labels: c.Labels}
}

// runOne trains one run of the protocol, resumes it, or keeps it when finished. A folder
// with no config.json was stopped while the run was being set up (reading its data) and holds
// nothing of value: it is cleared and the run starts over.
func runOne(ctx context.Context, c Config, r *protoRun, log io.Writer, n, of int) (*train.Report, error) {
	dir := filepath.Join(c.Out, RunsDir, r.ID)
	cfg, err := r.runConfig(c)
	if err != nil {
		return nil, err
	}
	var stored rundir.Config
	cfgErr := rundir.ReadJSON(filepath.Join(dir, rundir.ConfigFile), &stored)
	if cfgErr == nil && !reflect.DeepEqual(settingsOf(stored), settingsOf(cfg)) {
		return nil, fmt.Errorf("protocol run %s: %s was made with other settings (another config, --epochs or --limit); use another -o or remove that folder", r.ID, dir)
	}
	var done train.Report
	if cfgErr == nil {
		if err := rundir.ReadJSON(filepath.Join(dir, rundir.ReportFile), &done); err == nil && !done.Interrupted {
			fmt.Fprintf(log, "protocol run %d/%d %s: finished earlier, kept\n", n, of, r.ID)
			return &done, nil
		}
	}
	opts := train.Options{Config: cfg, Out: dir, Log: log}
	switch {
	case cfgErr == nil:
		opts.Resume = true
		fmt.Fprintf(log, "protocol run %d/%d %s: resuming\n", n, of, r.ID)
	default:
		if _, err := os.Stat(dir); err == nil {
			if err := os.RemoveAll(dir); err != nil {
				return nil, fmt.Errorf("protocol run %s: %w", r.ID, err)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("protocol run %s: %w", r.ID, err)
		}
		opts.TrainPath, opts.OwnTest, opts.Val = c.SetDir(r.Train), r.Train, r.Tests
		fmt.Fprintf(log, "protocol run %d/%d %s: training %s on %s, seed %d, %d epochs\n", n, of, r.ID, r.Arch, r.Train, r.Seed, cfg.Epochs)
	}
	rep, err := train.Run(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("protocol run %s: %w", r.ID, err)
	}
	if rep.Interrupted {
		return nil, fmt.Errorf("protocol run %s stopped early; run the pipeline again to resume it", r.ID)
	}
	fmt.Fprintf(log, "protocol run %d/%d %s: finished\n", n, of, r.ID)
	return rep, nil
}

// runProtocol runs every run of the protocol in plan order, then writes the tables.
func runProtocol(ctx context.Context, c Config, rep *Report, log io.Writer) error {
	runs, err := c.Protocol.plan(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(c.Out, RunsDir), 0o755); err != nil {
		return fmt.Errorf("protocol: %w", err)
	}
	fmt.Fprintf(log, "protocol: %d runs in %s\n", len(runs), filepath.Join(c.Out, RunsDir))
	results := map[string]*train.Report{}
	for i, r := range runs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("protocol: stopped before run %d/%d: %w", i+1, len(runs), err)
		}
		res, err := runOne(ctx, c, r, log, i+1, len(runs))
		if err != nil {
			return err
		}
		results[r.ID] = res
	}
	tf, err := buildTables(c, runs, results)
	if err != nil {
		return err
	}
	files, err := writeTables(c.Out, tf)
	if err != nil {
		return err
	}
	rep.Protocol = &ProtocolReport{Runs: len(runs), Files: files}
	return nil
}

// ProtocolReport is the protocol's part of report.json.
type ProtocolReport struct {
	Runs  int      `json:"runs"`
	Files []string `json:"files"` // tables.md, tables.json and the plots, relative to OUT
}
