package train

import (
	"fmt"
	"path/filepath"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/rundir"
)

// ReportExamples is how many skipped entries of each reason report.json quotes.
const ReportExamples = 10

// SkipSummary is what report.json says of one set's skipped entries: how many, and per reason
// how many with the first ReportExamples (ffra --problems FILE lists every one).
type SkipSummary struct {
	Count  int                    `json:"count"`
	ByCode []dataset.ProblemGroup `json:"by_code"`
}

func buildReport(cfg rundir.Config, st TrainState, hist []rundir.EpochRecord, params int64, train *LoadedSet, tests []*LoadedSet) *Report {
	rep := &Report{ConfigHash: cfg.Hash, Epochs: st.Epoch, Interrupted: st.Epoch < cfg.Epochs, Select: cfg.Select,
		BestEpoch: st.BestEpoch, ParamCount: params, Threads: cfg.Runtime.Threads, Env: model.Environment(), Skipped: map[string]SkipSummary{}}
	for _, r := range hist {
		rep.TrainSeconds += r.Seconds
		if r.Epoch == st.BestEpoch {
			rep.Best = r.Sets
		}
	}
	if len(hist) > 0 {
		last := hist[len(hist)-1]
		rep.Final = last.Sets
		rep.FinalTrain = last
	}
	for _, s := range append([]*LoadedSet{train}, tests...) {
		if len(s.Problems) == 0 {
			continue
		}
		sum := SkipSummary{ByCode: dataset.GroupProblems(s.Problems, ReportExamples)}
		for _, g := range sum.ByCode {
			sum.Count += g.Count
		}
		rep.Skipped[s.Ref.Name] = sum
	}
	return rep
}

// finishRun writes report.json and the confusion figures of the best epoch (the checkpoint
// in best/, which is what the anchors report), or of the last epoch when no set selects.
func finishRun(dir string, rep *Report, hist []rundir.EpochRecord, cfg rundir.Config) error {
	if err := rundir.WriteJSON(filepath.Join(dir, rundir.ReportFile), rep); err != nil {
		return err
	}
	sets, which := rep.Best, fmt.Sprintf("best epoch %d", rep.BestEpoch)
	if sets == nil {
		sets, which = rep.Final, fmt.Sprintf("epoch %d", rep.Epochs)
	}
	for name, m := range sets {
		note := fmt.Sprintf("%s · mean class accuracy %.2f%%", which, 100*m.MeanClassAcc)
		if err := writeConfusion(dir, name, note, cfg.Classes, m.Confusion); err != nil {
			return err
		}
	}
	return nil
}
