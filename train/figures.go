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
	img := plot.Curves(map[string][]plot.Series{"loss": loss, "accuracy %": acc}, []string{"loss", "accuracy %"})
	data, err := plot.EncodePNG(img)
	if err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	return dataset.WriteFileAtomic(filepath.Join(dir, rundir.CurvesFile), data)
}

// writeConfusion draws confusion_<set>.png.
func writeConfusion(dir, set, title string, m [][]int) error {
	c := metrics.NewConfusion(dataset.ClassNames[:])
	if len(m) != len(c.M) {
		return fmt.Errorf("confusion %s: %d rows, want %d", set, len(m), len(c.M))
	}
	for i := range m {
		copy(c.M[i], m[i])
	}
	data, err := plot.EncodePNG(plot.Confusion(c, title))
	if err != nil {
		return fmt.Errorf("confusion %s: %w", set, err)
	}
	return dataset.WriteFileAtomic(filepath.Join(dir, rundir.ConfusionFile(set)), data)
}
