package train

import (
	"context"
	"fmt"
	"math"

	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/metrics"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// EvalResult is the evaluation of one test set.
type EvalResult struct {
	Name      string             `json:"name"`
	Images    int                `json:"images"`
	Loss      float64            `json:"loss"` // mean cross-entropy
	Acc       float64            `json:"acc"`
	MeanClass float64            `json:"mean_class_acc"`
	PerClass  []float64          `json:"per_class_acc"` // -1: class absent
	Missing   []string           `json:"missing_classes,omitempty"`
	Confusion *metrics.Confusion `json:"confusion"`
}

// EvalConfig says how to batch an evaluation.
type EvalConfig struct {
	Size      int
	BatchSize int
	Workers   int
	Prefetch  int
	Classes   []string // the model's classes, which the set's labels index (mapClasses)
}

// Evaluate runs the model in inference mode (BatchNorm running statistics, no gradients)
// over every image of set, resized to the input size without augmentation.
func Evaluate(ctx context.Context, m *model.Model, set *loader.Set, cfg EvalConfig) (res *EvalResult, err error) {
	defer recovered("evaluate "+set.Name, &err)
	if len(cfg.Classes) == 0 {
		return nil, fmt.Errorf("evaluate %s: no class names", set.Name)
	}
	conf := metrics.NewConfusion(cfg.Classes)
	var lossSum float64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bc := loader.BatchConfig{Size: cfg.Size, BatchSize: cfg.BatchSize, Workers: cfg.Workers, Prefetch: cfg.Prefetch}
	err = noGrad(func() error {
		for b := range set.Batches(ctx, 0, bc) {
			if b.Err != nil {
				return b.Err
			}
			sum, preds, err := evalBatch(m, b)
			b.Release()
			if err != nil {
				return fmt.Errorf("set %s batch %d: %w", set.Name, b.Index, err)
			}
			lossSum += sum
			for k, p := range preds {
				if err := conf.Add(int(b.Y[k]), int(p)); err != nil {
					return err
				}
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	n := conf.Total()
	return &EvalResult{
		Name: set.Name, Images: n, Loss: lossSum / math.Max(1, float64(n)),
		Acc: conf.Accuracy(), MeanClass: conf.MeanClassAccuracy(), PerClass: conf.PerClass(),
		Missing: conf.Missing(), Confusion: conf,
	}, nil
}

// evalBatch returns the summed loss and the predicted classes of one batch.
func evalBatch(m *model.Model, b *loader.Batch) (float64, []int64, error) {
	x, y, err := batchTensors(b, m.Device())
	if err != nil {
		return 0, nil, err
	}
	defer x.Drop()
	defer y.Drop()
	logits, err := m.Forward(x, false)
	if err != nil {
		return 0, nil, torchErr("forward", err)
	}
	defer logits.Drop()
	loss, err := model.CrossEntropySum(logits, y)
	if err != nil {
		return 0, nil, torchErr("loss", err)
	}
	sum, err := scalar(loss)
	loss.Drop()
	if err != nil {
		return 0, nil, torchErr("loss", err)
	}
	preds, err := argmax(logits)
	return sum, preds, err
}

// batchTensors turns a loader batch into x [N,3,S,S] float32 and y [N] int64 on dev.
func batchTensors(b *loader.Batch, dev gotch.Device) (x, y *ts.Tensor, err error) {
	size := int64(math.Sqrt(float64(len(b.X) / (3 * b.N))))
	x, err = hostTensor(b.X, []int64{int64(b.N), 3, size, size}, gotch.Float)
	if err != nil {
		return nil, nil, err
	}
	if x, err = toDevice(x, dev); err != nil {
		return nil, nil, torchErr("copy batch to device", err)
	}
	y, err = hostTensor(b.Y, []int64{int64(b.N)}, gotch.Int64)
	if err != nil {
		x.Drop()
		return nil, nil, err
	}
	if y, err = toDevice(y, dev); err != nil {
		x.Drop()
		return nil, nil, torchErr("copy labels to device", err)
	}
	return x, y, nil
}

// argmax returns the row-wise argmax of [N,C] logits on the host.
func argmax(logits *ts.Tensor) ([]int64, error) {
	a, err := logits.Argmax([]int64{1}, false, false)
	if err != nil {
		return nil, torchErr("argmax", err)
	}
	defer a.Drop()
	c, err := a.To(gotch.CPU, false)
	if err != nil {
		return nil, torchErr("argmax", err)
	}
	defer c.Drop()
	out := make([]int64, c.Numel())
	if err := c.CopyData(out, c.Numel()); err != nil {
		return nil, torchErr("argmax", err)
	}
	return out, nil
}
