package rundir

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/limits"
)

// Names of the files in a run folder.
const (
	ConfigFile  = "config.json"
	MetricsFile = "metrics.jsonl"
	ReportFile  = "report.json"
	CurvesFile  = "curves.png"
	LastDir     = "last" // checkpoint of the latest finished epoch (resume point)
	BestDir     = "best" // checkpoint of the epoch with the best selection metric
)

// ConfusionFile names the confusion-matrix figure of one test set.
func ConfusionFile(set string) string { return "confusion_" + set + ".png" }

// WriteJSON writes v as indented JSON atomically.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return dataset.WriteFileAtomic(path, append(data, '\n'))
}

// ReadJSON decodes path into v, naming the file in errors.
func ReadJSON(path string, v any) error {
	data, err := limits.ReadFile(path, limits.RunFile, "run file")
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// SetMetrics is one test set's figures after an epoch.
type SetMetrics struct {
	Loss         float64 `json:"loss"`
	Acc          float64 `json:"acc"`
	MeanClassAcc float64 `json:"mean_class_acc"`
	Images       int     `json:"images"`
	Confusion    [][]int `json:"confusion,omitempty"` // [true][pred], classes in config order
}

// EpochRecord is one line of metrics.jsonl.
type EpochRecord struct {
	Epoch       int                   `json:"epoch"` // 1-based
	LR          float64               `json:"lr"`
	TrainLoss   float64               `json:"train_loss"`
	TrainAcc    float64               `json:"train_acc"`
	Sets        map[string]SetMetrics `json:"sets"`
	Seconds     float64               `json:"seconds"` // whole epoch, training + evaluation
	TrainImgsPS float64               `json:"train_images_per_s"`
	EvalSeconds float64               `json:"eval_seconds"`
	Best        bool                  `json:"best,omitempty"` // this epoch became the best checkpoint
}

// ReadMetrics reads metrics.jsonl; a missing file is an empty history.
func ReadMetrics(dir string) ([]EpochRecord, error) {
	p := filepath.Join(dir, MetricsFile)
	data, err := limits.ReadFile(p, limits.RunFile, "metrics file")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	var recs []EpochRecord
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r EpochRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", p, n, err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// WriteMetrics rewrites metrics.jsonl with recs. The whole file is rewritten atomically
// (it is a few KB), so an interrupted run never leaves a torn last line, and a resumed run
// drops the epochs after its checkpoint by rewriting the prefix.
func WriteMetrics(dir string, recs []EpochRecord) error {
	var b bytes.Buffer
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode epoch %d metrics: %w", r.Epoch, err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return dataset.WriteFileAtomic(filepath.Join(dir, MetricsFile), b.Bytes())
}
