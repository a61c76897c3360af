package train

import (
	"fmt"
	"path/filepath"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/train/metrics"
	"github.com/occfer/occfer/train/plot"
	"github.com/occfer/occfer/train/rundir"
)

// writeCurves draws curves.png from the metrics history: loss and accuracy vs epoch for the
// training set and every test set.
func writeCurves(dir string, recs []rundir.EpochRecord, sets []string) error {
	loss := []plot.Series{{Name: "train"}}
	acc := []plot.Series{{Name: "train"}}
	for _, s := range sets {
		loss = append(loss, plot.Series{Name: s})
		acc = append(acc, plot.Series{Name: s})
	}
	for _, r := range recs {
		x := float64(r.Epoch)
		loss[0].X, loss[0].Y = append(loss[0].X, x), append(loss[0].Y, r.TrainLoss)
		acc[0].X, acc[0].Y = append(acc[0].X, x), append(acc[0].Y, 100*r.TrainAcc)
		for i, s := range sets {
			m, ok := r.Sets[s]
			if !ok {
				continue
			}
			loss[i+1].X, loss[i+1].Y = append(loss[i+1].X, x), append(loss[i+1].Y, m.Loss)
			acc[i+1].X, acc[i+1].Y = append(acc[i+1].X, x), append(acc[i+1].Y, 100*m.Acc)
		}
	}
	img, err := plot.Curves(plot.CurvesFigure{Panels: []plot.Panel{
		{Title: "Loss", YLabel: "cross-entropy loss", Series: loss},
		{Title: "Accuracy", YLabel: "accuracy (%)", Series: acc},
	}})
	if err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	data, err := plot.EncodePNG(img)
	if err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	return dataset.WriteFileAtomic(filepath.Join(dir, rundir.CurvesFile), data)
}

// writeConfusion draws confusion_<set>.png from the counts m[true][predicted] over classes
// (the run's class list, in config order); note is the title's second line.
func writeConfusion(dir, set, note string, classes []string, m [][]int) error {
	c := metrics.NewConfusion(classes)
	if len(m) != len(c.M) {
		return fmt.Errorf("confusion %s: %d rows, want %d (classes %v)", set, len(m), len(c.M), classes)
	}
	for i := range m {
		if len(m[i]) != len(c.M[i]) {
			return fmt.Errorf("confusion %s: row %d has %d columns, want %d", set, i, len(m[i]), len(c.M[i]))
		}
		copy(c.M[i], m[i])
	}
	img, err := plot.Confusion(plot.ConfusionFigure{Set: set, Note: note, Confusion: c})
	if err != nil {
		return fmt.Errorf("confusion %s: %w", set, err)
	}
	data, err := plot.EncodePNG(img)
	if err != nil {
		return fmt.Errorf("confusion %s: %w", set, err)
	}
	return dataset.WriteFileAtomic(filepath.Join(dir, rundir.ConfusionFile(set)), data)
}
