package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/lockfile"
	"github.com/occfer/occfer/internal/safepath"
	"github.com/occfer/occfer/occlusion"
	"github.com/occfer/occfer/synth"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/rundir"
)

// ReportFile is the pipeline's summary at OUT/report.json.
const ReportFile = "report.json"

// Report summarises a pipeline run. It holds no times or host details, so the same config and
// seed give the same bytes.
type Report struct {
	Seed     uint64                       `json:"seed"`
	Datasets []DatasetReport              `json:"datasets"`
	Run      string                       `json:"run,omitempty"`     // run folder of the training step, relative to OUT
	Trained  string                       `json:"trained,omitempty"` // dataset trained on
	Final    map[string]rundir.SetMetrics `json:"final,omitempty"`   // accuracy per test set, last epoch
	Protocol *ProtocolReport              `json:"protocol,omitempty"`
}

// DatasetReport is one dataset of the pipeline with its image counts by occlusion status.
type DatasetReport struct {
	Name     string         `json:"name"`
	Path     string         `json:"path"` // relative to OUT when inside it
	Kind     string         `json:"kind,omitempty"`
	Images   int            `json:"images"`
	ByStatus map[string]int `json:"by_status,omitempty"`
}

// Run executes the pipeline. Each step resumes: a finished step is verified and kept, an
// interrupted one continues, so running a config twice costs little and changes no byte.
func Run(ctx context.Context, c Config, log io.Writer) (*Report, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(log, format+"\n", a...) }
	// Before out is created: out inside the source would write the report, sheet and run
	// folder into the dataset (and be read back as data).
	if err := safepath.CheckOutput(c.Out, c.Source.Path); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	lock, err := lockfile.LockDir(c.Out, "output folder")
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	defer lock.Release()
	links, err := safepath.RemoveLinks(c.Out, c.Source.Path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	for _, l := range links {
		logf("removed the link %s from %s (occfer writes only real files in its outputs)", l, c.Out)
	}
	if err := makeSource(c, logf); err != nil {
		return nil, err
	}
	rep := &Report{Seed: c.Seed}
	clean, err := dataset.Open(c.CleanDir(), dataset.OpenOptions{})
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	rep.Datasets = append(rep.Datasets, DatasetReport{Name: CleanName, Path: c.rel(c.CleanDir()), Images: len(clean.Items)})
	for _, s := range c.Occlude {
		logf("occlude %s: %s -> %s", s.Kind, c.CleanDir(), c.SetDir(s.Name))
		sum, err := occlusion.Run(ctx, occlusion.Config{
			In: c.CleanDir(), Out: c.SetDir(s.Name), Settings: c.stepSettings(s),
			Workers: c.Workers, Resume: true,
		})
		if err != nil {
			return nil, fmt.Errorf("pipeline: occlude step %q: %w", s.Name, err)
		}
		logf("  %d images, %s", sum.Items, statusLine(sum.ByStatus))
		rep.Datasets = append(rep.Datasets, DatasetReport{Name: s.Name, Path: c.rel(c.SetDir(s.Name)), Kind: string(s.Kind),
			Images: sum.Items, ByStatus: sum.ByStatus})
	}
	if c.Sheet != nil {
		if err := writeSheet(c, clean); err != nil {
			return nil, err
		}
		logf("contact sheet: %s", filepath.Join(c.Out, c.Sheet.File))
	}
	if c.Train != nil {
		if err := runTrain(ctx, c, rep, log); err != nil {
			return nil, err
		}
	}
	if c.Protocol != nil {
		if err := runProtocol(ctx, c, rep, log); err != nil {
			return nil, err
		}
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if err := dataset.WriteFileAtomic(filepath.Join(c.Out, ReportFile), append(data, '\n')); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return rep, nil
}

func makeSource(c Config, logf func(string, ...any)) error {
	switch {
	case c.Source.Synth != nil:
		s := c.Source.Synth
		logf("synth: %d train + %d test expression faces -> %s", s.Train, s.Test, c.CleanDir())
		if _, err := synth.Generate(c.CleanDir(), synth.Options{Train: s.Train, Test: s.Test, Seed: c.Seed,
			Size: s.Size, Workers: c.Workers}); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	case c.Source.Fixture != nil:
		f := c.Source.Fixture
		logf("fixture: %d train + %d test re-shots of %s -> %s", f.Train, f.Test, f.Image, c.CleanDir())
		box := f.FaceBox
		if box == [4]int{} {
			box = AstronautFaceBox
		}
		if err := MakeFixtureTree(c.CleanDir(), FixtureTree{Image: f.Image, FaceBox: box,
			Train: f.Train, Test: f.Test, Seed: c.Seed}); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	return nil
}

// runTrain trains on the chosen set, or resumes an interrupted run, or keeps a finished one.
func runTrain(ctx context.Context, c Config, rep *Report, log io.Writer) error {
	t := c.Train
	cfg, err := t.runConfig()
	if err != nil {
		return err
	}
	cfg.Seed = c.Seed
	c.over.applyTo(&cfg)
	evals := t.Eval
	if len(evals) == 0 {
		evals = append(evals, CleanName)
		for _, s := range c.Occlude {
			evals = append(evals, s.Name)
		}
	}
	var val []train.SetSpec
	for _, name := range evals {
		val = append(val, train.SetSpec{Name: name, Path: c.SetDir(name)})
	}
	runDir := filepath.Join(c.Out, "run")
	rep.Run, rep.Trained = c.rel(runDir), t.On
	var done train.Report
	if err := rundir.ReadJSON(filepath.Join(runDir, rundir.ReportFile), &done); err == nil && !done.Interrupted {
		fmt.Fprintf(log, "train: %s is finished (%d epochs), kept\n", runDir, done.Epochs)
		rep.Final = stripConfusion(done.Final)
		return nil
	}
	_, statErr := os.Stat(filepath.Join(runDir, rundir.ConfigFile))
	resume := statErr == nil
	fmt.Fprintf(log, "train on %s (%d epochs, input %d, %s), evaluating %v -> %s\n", t.On, cfg.Epochs,
		cfg.Model.InputSize, cfg.Runtime.Device, evals, runDir)
	r, err := train.Run(ctx, train.Options{Config: cfg, TrainPath: c.SetDir(t.On), OwnTest: "", Val: val,
		Out: runDir, Resume: resume, Log: log})
	if err != nil {
		return fmt.Errorf("pipeline: train: %w", err)
	}
	if r.Interrupted {
		return errors.New("pipeline: training stopped early; run the pipeline again to resume it")
	}
	rep.Final = stripConfusion(r.Final)
	return nil
}

// stripConfusion keeps the report short: confusion matrices are in the run folder.
func stripConfusion(m map[string]rundir.SetMetrics) map[string]rundir.SetMetrics {
	out := make(map[string]rundir.SetMetrics, len(m))
	for k, v := range m {
		v.Confusion = nil
		out[k] = v
	}
	return out
}

func statusLine(by map[string]int) string {
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", k, by[k])
	}
	return s
}

// writeSheet draws rows evenly spaced over the clean set's sorted items, across the clean set
// and every occluded set.
func writeSheet(c Config, clean *dataset.Dataset) error {
	cols := []SheetColumn{{Title: CleanName, Root: c.CleanDir()}}
	for _, s := range c.Occlude {
		cols = append(cols, SheetColumn{Title: s.Name, Root: c.SetDir(s.Name)})
	}
	rows := c.Sheet.Rows
	if rows > len(clean.Items) {
		rows = len(clean.Items)
	}
	var rels []string
	for i := 0; i < rows; i++ {
		rels = append(rels, clean.Items[i*len(clean.Items)/rows].Rel)
	}
	png, err := ContactSheet(cols, rels, c.Sheet.Cell)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return dataset.WriteFileAtomic(filepath.Join(c.Out, c.Sheet.File), png)
}
