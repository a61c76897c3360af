package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/rundir"
)

// Options is one `ffra train` invocation.
type Options struct {
	Config    rundir.Config // all settings (ignored on resume, except Runtime)
	TrainPath string        // training dataset
	OwnTest   string        // name of the training data's test split; "" skips its val and test splits
	Val       []SetSpec     // extra test sets (--val)
	Out       string        // run folder
	Resume    bool          // continue the run in Out from its last checkpoint
	StopAfter int           // stop (resumably) after this many epochs in this process; 0: run to the end
	Log       io.Writer     // messages and plain progress lines (nil: silent)
	Progress  io.Writer     // progress bar target (nil: none)
}

// Report is report.json.
type Report struct {
	ConfigHash   string                       `json:"config_hash"`
	Epochs       int                          `json:"epochs"`      // completed
	Interrupted  bool                         `json:"interrupted"` // stopped before Config.Epochs (resume to finish)
	Select       string                       `json:"select"`
	SelectedBy   string                       `json:"selected_by"` // which set and split chose best/, in words
	BestEpoch    int                          `json:"best_epoch"`
	Best         map[string]rundir.SetMetrics `json:"best"`  // every test set at the best epoch
	Final        map[string]rundir.SetMetrics `json:"final"` // every test set after the last epoch
	FinalTrain   rundir.EpochRecord           `json:"final_epoch"`
	ParamCount   int64                        `json:"param_count"`
	TrainSeconds float64                      `json:"train_seconds"` // sum over epochs, this and earlier processes
	Threads      int                          `json:"threads"`       // libtorch intra-op threads of the process that wrote the report
	Skipped      map[string][]string          `json:"skipped,omitempty"`
	Env          model.Env                    `json:"env"`
}

// Run trains (or resumes) a run and writes the run folder. It returns the report also when
// StopAfter interrupted it.
//
// Every tensor op of the run happens on one OS thread (the goroutine is locked to it until Run
// returns): libtorch's thread count and grad mode are per OS thread, and the thread count set
// here (Config.Runtime.Threads, see model.SetThreads) must govern every op for results to be
// reproducible.
func Run(ctx context.Context, o Options) (rep *Report, err error) {
	defer recovered("train", &err)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	logf := func(format string, a ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format, a...)
		}
	}
	cfg := o.Config
	// A resume of a run stopped before its first last/ checkpoint was in place (killed while
	// epoch 1 ran or while last/ was written) starts over from the run's config.json: same
	// seed, same data, so it ends where an uninterrupted run ends.
	restart := false
	if o.Resume {
		var stored rundir.Config
		if err := rundir.ReadJSON(filepath.Join(o.Out, rundir.ConfigFile), &stored); err != nil {
			return nil, fmt.Errorf("resume %s: %w", o.Out, err)
		}
		if restart, err = resumePoint(o.Out); err != nil {
			return nil, fmt.Errorf("resume %s: %w", o.Out, err)
		}
		ranWith := stored.Runtime.Threads
		stored.Runtime = o.Config.Runtime
		if stored.Runtime == (rundir.Runtime{}) { // a caller that sets nothing gets the defaults
			stored.Runtime = DefaultConfig().Runtime
		}
		stored.Runtime.Threads = resumeThreads(ranWith, stored.Runtime.Threads, logf)
		cfg = stored
	}
	if err := ValidateConfig(cfg); err != nil {
		return nil, err
	}
	if cfg.Runtime.Threads, err = model.SetThreads(cfg.Runtime.Threads); err != nil {
		return nil, fmt.Errorf("--threads: %w", err)
	}
	// Fail on a bad device before creating the run folder or decoding data.
	dev, err := model.ParseDevice(cfg.Runtime.Device)
	if err != nil {
		return nil, err
	}
	// A --pretrained file is read and checked before the run folder exists, so one that does
	// not fit leaves nothing behind that would block a rerun.
	var pre *pretrained
	if (!o.Resume || restart) && cfg.Pretrained != "" {
		if pre, err = readPretrained(cfg); err != nil {
			return nil, err
		}
		defer pre.close()
		if restart {
			if err := samePretrained(cfg); err != nil {
				return nil, fmt.Errorf("resume %s: %w", o.Out, err)
			}
		} else {
			cfg.PretrainedLoad = pre.counts()
		}
		logf("pretrained %s: %s (%d of the backbone's %d)\n", cfg.Pretrained, pre.report, pre.report.BackboneLoaded, pre.report.Backbone)
	}
	if !o.Resume {
		if err := claimRunDir(o.Out); err != nil {
			return nil, err
		}
	}
	dopt := dataOptions(cfg, o.Log)

	// Data: training split, its own test split, extra test sets.
	var trainSet *LoadedSet
	var tests []*LoadedSet
	if o.Resume {
		trainSet, tests, err = reopenData(ctx, cfg, dopt)
	} else {
		trainSet, tests, err = openData(ctx, o, &cfg, dopt)
	}
	if err != nil {
		return nil, err
	}
	for _, t := range tests {
		checkClasses(o.Log, t)
	}
	if !o.Resume {
		cfg.Model.NumClasses = len(cfg.Classes)
		cfg.Train = trainSet.Ref
		cfg.Test = nil
		for _, t := range tests {
			cfg.Test = append(cfg.Test, t.Ref)
		}
		if cfg.Select == "" && len(tests) > 0 {
			// The validation split when the training data has one (FERPlus, train/ +
			// valid/ trees), else the first test set (RAF-DB's test split).
			cfg.Select = tests[0].Ref.Name
		}
		if cfg.Pretrained != "" {
			if cfg.PretrainedHash, err = fileHash(cfg.Pretrained); err != nil {
				return nil, err
			}
		}
		if cfg.Hash, err = cfg.ComputeHash(); err != nil {
			return nil, err
		}
		if err := rundir.WriteJSON(filepath.Join(o.Out, rundir.ConfigFile), cfg); err != nil {
			return nil, err
		}
	}
	if cfg.Select != "" && findSet(tests, cfg.Select) == nil {
		return nil, fmt.Errorf("--select %q names no test set (have %s)", cfg.Select, setNames(tests))
	}
	if cfg.Model.NumClasses != len(cfg.Classes) {
		return nil, fmt.Errorf("model has %d outputs for %d classes (%s)", cfg.Model.NumClasses, len(cfg.Classes), strings.Join(cfg.Classes, ", "))
	}
	selectedBy := selectionNote(cfg, tests)
	logf("%s\n", selectedBy)

	// Model and optimiser: fresh (seeded init, optional pretrained backbone) or from last/.
	var m *model.Model
	var adam *Adam
	st := TrainState{Seed: cfg.Seed, ConfigHash: cfg.Hash, Select: cfg.Select}
	var history []rundir.EpochRecord
	if restart {
		logf("resuming %s: no finished checkpoint in %s, starting over from config.json (seed %d)\n", o.Out, rundir.LastDir, cfg.Seed)
	}
	if o.Resume && !restart {
		m, adam, st, err = loadCheckpoint(filepath.Join(o.Out, rundir.LastDir), dev, true, cfg.Optim)
		if err != nil {
			return nil, fmt.Errorf("resume %s: %w", o.Out, err)
		}
		if st.ConfigHash != cfg.Hash {
			m.Close()
			return nil, fmt.Errorf("resume %s: checkpoint belongs to config %s, config.json is %s", o.Out, st.ConfigHash, cfg.Hash)
		}
		if history, err = rundir.ReadMetrics(o.Out); err != nil {
			m.Close()
			return nil, err
		}
		history = keepEpochs(history, st.Epoch) // resumePoint already dropped the others from the file
		logf("resuming %s after epoch %d of %d\n", o.Out, st.Epoch, cfg.Epochs)
	} else {
		if m, err = model.New(cfg.Model, dev, cfg.Seed); err != nil {
			return nil, err
		}
		if pre != nil {
			if _, err := pre.load(m); err != nil {
				m.Close()
				return nil, err
			}
			pre.close() // the model holds its copy
		}
		if adam, err = newAdamFor(m, cfg.Optim); err != nil {
			m.Close()
			return nil, err
		}
	}
	defer m.Close()
	params, _ := m.ParamCount()
	devName := fmt.Sprintf("cpu (%d threads)", cfg.Runtime.Threads)
	if dev.IsCuda() {
		devName = fmt.Sprintf("cuda:%d", dev.Value)
	}
	logf("training %s (%d params) on %s: %d train images, %d classes (%s), test sets %s, %d epochs, batch %d, input %d\n",
		cfg.Model.Variant, params, devName, trainSet.Set.Len(), len(cfg.Classes), strings.Join(cfg.Classes, ", "), setNames(tests), cfg.Epochs, cfg.BatchSize, cfg.Model.InputSize)

	evalCfg := EvalConfig{Size: cfg.Model.InputSize, BatchSize: cfg.Runtime.EvalBatch, Workers: cfg.Runtime.Workers, Prefetch: cfg.Runtime.Prefetch, Classes: cfg.Classes}
	ran := 0
	for epoch := st.Epoch; epoch < cfg.Epochs; epoch++ {
		if o.StopAfter > 0 && ran == o.StopAfter {
			break
		}
		rec, err := runEpoch(ctx, m, adam, trainSet.Set, tests, epoch, cfg, evalCfg, o)
		if err != nil {
			return nil, err
		}
		if sel, ok := rec.Sets[cfg.Select]; ok && (st.BestEpoch == 0 || sel.Acc > st.BestAcc) {
			st.BestEpoch, st.BestAcc, rec.Best = rec.Epoch, sel.Acc, true
		}
		history = append(history, rec)
		st.Epoch, st.AdamSteps = epoch+1, adam.Steps()
		// Order: metrics, best, last. A crash before last/ is replaced redoes this epoch
		// on resume, which rewrites the same metrics and best checkpoint.
		if err := rundir.WriteMetrics(o.Out, history); err != nil {
			return nil, err
		}
		if rec.Best {
			if err := saveCheckpoint(filepath.Join(o.Out, rundir.BestDir), m, nil, st, cfg.Classes); err != nil {
				return nil, err
			}
		}
		if err := saveCheckpoint(filepath.Join(o.Out, rundir.LastDir), m, adam, st, cfg.Classes); err != nil {
			return nil, err
		}
		if err := writeCurves(o.Out, history, setNameList(tests)); err != nil {
			return nil, err
		}
		logf("%s\n", epochLine(rec, cfg.Epochs, setNameList(tests)))
		ran++
	}
	rep = buildReport(cfg, st, history, params, trainSet, tests)
	rep.SelectedBy = selectedBy
	if err := finishRun(o.Out, rep, history, cfg); err != nil {
		return nil, err
	}
	return rep, nil
}

// resumePoint finds where a resumed run continues, and drops the metrics lines of the epochs
// after it from metrics.jsonl at once, so the file matches the restored state even when this
// process stops before its next epoch ends. The point is the epoch of the complete last/
// checkpoint, or, when the run was stopped before its first last/ was in place (killed in
// epoch 1 or while writing last/), the start: restart is then true and the run begins again
// from config.json.
func resumePoint(out string) (restart bool, err error) {
	epoch := 0
	d, err := openCheckpointDir(filepath.Join(out, rundir.LastDir))
	switch {
	case errors.Is(err, errNoCheckpoint):
		restart = true
	case err != nil:
		return false, err
	default:
		var st TrainState
		if err := rundir.ReadJSON(filepath.Join(d, StateFile), &st); err != nil {
			return false, err
		}
		epoch = st.Epoch
	}
	hist, err := rundir.ReadMetrics(out)
	if err != nil {
		return false, err
	}
	if kept := keepEpochs(hist, epoch); len(kept) != len(hist) {
		if err := rundir.WriteMetrics(out, kept); err != nil {
			return false, err
		}
	}
	return restart, nil
}

// resumeThreads picks the thread count of a resumed run. The run's own count (ranWith, from
// its config.json) by default, so that the resume ends with the same bytes as an uninterrupted
// run even on a machine with another number of cores; an explicitly different count is used,
// with a warning, since on the CPU it changes results in the last bits. ranWith 0 (a run from
// before threads were recorded) leaves the request as it is.
func resumeThreads(ranWith, requested int, logf func(string, ...any)) int {
	switch {
	case ranWith <= 0:
		return requested
	case requested == 0:
		return ranWith
	case requested != ranWith:
		logf("warning: resuming with %d libtorch threads, the run used %d: on the CPU the results will differ in the last bits from an uninterrupted run\n", requested, ranWith)
	}
	return requested
}

// runEpoch trains one epoch and evaluates every test set.
func runEpoch(ctx context.Context, m *model.Model, adam *Adam, train *loader.Set, tests []*LoadedSet,
	epoch int, cfg rundir.Config, ec EvalConfig, o Options) (rundir.EpochRecord, error) {
	start := time.Now()
	lr := cfg.Optim.LRAt(epoch)
	aug := cfg.Augment
	bc := loader.BatchConfig{Size: cfg.Model.InputSize, BatchSize: cfg.BatchSize, Workers: cfg.Runtime.Workers,
		Prefetch: cfg.Runtime.Prefetch, Seed: cfg.Seed, Shuffle: true, Aug: &aug,
		Targets: trainTargets(cfg.Labels), Classes: len(cfg.Classes)}
	prog := newProgress(o.Progress, fmt.Sprintf("epoch %d/%d", epoch+1, cfg.Epochs), train.Len())
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	var lossSum float64
	var correct, seen int
	for b := range train.Batches(ctx2, epoch, bc) {
		if b.Err != nil {
			prog.Finish()
			return rundir.EpochRecord{}, fmt.Errorf("epoch %d: %w", epoch+1, b.Err)
		}
		loss, ok, err := trainStep(m, adam, b, lr, epoch)
		b.Release()
		if err != nil {
			prog.Finish()
			return rundir.EpochRecord{}, err
		}
		lossSum += loss * float64(b.N)
		correct += ok
		seen += b.N
		prog.Add(b.N, epochNote(lossSum/float64(seen), float64(correct)/float64(seen)))
	}
	prog.Finish()
	if err := ctx.Err(); err != nil {
		return rundir.EpochRecord{}, fmt.Errorf("epoch %d interrupted: %w", epoch+1, err)
	}
	trainSecs := time.Since(start).Seconds()
	rec := rundir.EpochRecord{Epoch: epoch + 1, LR: lr, TrainLoss: lossSum / float64(seen),
		TrainAcc: float64(correct) / float64(seen), Sets: map[string]rundir.SetMetrics{},
		TrainImgsPS: float64(seen) / trainSecs}
	evalStart := time.Now()
	for _, t := range tests {
		r, err := Evaluate(ctx, m, t.Set, ec)
		if err != nil {
			return rundir.EpochRecord{}, fmt.Errorf("epoch %d: %w", epoch+1, err)
		}
		rec.Sets[t.Ref.Name] = rundir.SetMetrics{Loss: r.Loss, Acc: r.Acc, MeanClassAcc: r.MeanClass,
			Images: r.Images, Confusion: r.Confusion.M}
	}
	rec.EvalSeconds = time.Since(evalStart).Seconds()
	rec.Seconds = time.Since(start).Seconds()
	return rec, nil
}

// trainTargets is the batch target mode of a run's label settings: the FERPlus paper's
// probabilistic label drawing for "probability", soft targets for "crossentropy".
func trainTargets(l dataset.LabelOptions) string {
	switch l.FERPlusMode {
	case dataset.ModeProbability:
		return loader.TargetsDraw
	case dataset.ModeCrossEntropy:
		return loader.TargetsSoft
	}
	return loader.TargetsHard
}

// selectionNote says which set and split choose best/, so a run on train/ + valid/ folders
// says that valid/ picked it, and a run without any test set says best/ is not written.
func selectionNote(cfg rundir.Config, tests []*LoadedSet) string {
	s := findSet(tests, cfg.Select)
	if s == nil {
		return "no test or validation set: best/ is not written (last/ holds the final epoch)"
	}
	where := fmt.Sprintf("split %s of %s", splitName(s.Ref.Split), s.Ref.Path)
	if s.Ref.List != "" {
		where += "@" + s.Ref.List
	}
	note := fmt.Sprintf("best/ is chosen by accuracy on %s (%s)", s.Ref.Name, where)
	if s.Ref.Path == cfg.Train.Path && s.Ref.Split == "val" && findSplit(tests, cfg.Train.Path, "test") == nil {
		note += "; the training data has no test split, so this validation set is also the reported test set"
	}
	return note
}

func findSplit(sets []*LoadedSet, path, split string) *LoadedSet {
	for _, s := range sets {
		if s.Ref.Path == path && s.Ref.Split == split && s.Ref.List == "" {
			return s
		}
	}
	return nil
}
