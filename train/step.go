package train

import (
	"fmt"
	"math"
	"runtime"

	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/loader"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// trainStep runs forward, loss, backward and the Adam update on one batch and returns the
// batch's mean loss and number of correct predictions. A non-finite loss stops training
// before the update, so the last checkpoint stays usable.
func trainStep(m *model.Model, adam *Adam, b *loader.Batch, lr float64, epoch int) (loss float64, correct int, err error) {
	defer recovered(fmt.Sprintf("epoch %d step %d", epoch+1, b.Index+1), &err)
	// One OS thread for the whole step: libtorch's grad mode is thread-local. Grad mode is
	// switched on explicitly because gotch cannot report the previous mode (see setGrad),
	// so code that restores a "previous" mode (model.noGrad) may have left it off.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := setGrad(true); err != nil {
		return 0, 0, err
	}
	x, y, err := batchTensors(b, m.Device())
	if err != nil {
		return 0, 0, err
	}
	defer x.Drop()
	defer y.Drop()
	logits, err := m.Forward(x, true)
	if err != nil {
		return 0, 0, torchErr(fmt.Sprintf("epoch %d step %d: forward", epoch+1, b.Index+1), err)
	}
	defer logits.Drop()
	lt, err := trainLoss(logits, y, b, m.Device())
	if err != nil {
		return 0, 0, err
	}
	defer lt.Drop()
	if loss, err = scalar(lt); err != nil {
		return 0, 0, torchErr("loss", err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, 0, fmt.Errorf("epoch %d step %d (optimizer step %d): loss is %v; training stopped (lower --lr, check the data; the last checkpoint is from before this epoch)",
			epoch+1, b.Index+1, adam.Steps()+1, loss)
	}
	if err := adam.ZeroGrad(); err != nil {
		return 0, 0, torchErr(fmt.Sprintf("epoch %d step %d", epoch+1, b.Index+1), err)
	}
	if err := lt.Backward(); err != nil {
		return 0, 0, torchErr(fmt.Sprintf("epoch %d step %d: backward", epoch+1, b.Index+1), err)
	}
	if err := adam.Step(lr); err != nil {
		return 0, 0, torchErr(fmt.Sprintf("epoch %d step %d", epoch+1, b.Index+1), err)
	}
	preds, err := argmax(logits)
	if err != nil {
		return 0, 0, err
	}
	for k, p := range preds {
		if p == b.Y[k] {
			correct++
		}
	}
	return loss, correct, nil
}

// trainLoss is the batch's mean loss: cross-entropy against the labels, or against the soft
// targets when the batch has them (FERPlus crossentropy mode).
func trainLoss(logits, y *ts.Tensor, b *loader.Batch, dev gotch.Device) (*ts.Tensor, error) {
	if b.T == nil {
		lt, err := model.CrossEntropy(logits, y)
		if err != nil {
			return nil, torchErr("loss", err)
		}
		return lt, nil
	}
	k := int64(len(b.T) / b.N)
	t, err := hostTensor(b.T, []int64{int64(b.N), k}, gotch.Float)
	if err != nil {
		return nil, err
	}
	if t, err = toDevice(t, dev); err != nil {
		return nil, torchErr("copy targets to device", err)
	}
	defer t.Drop()
	lt, err := model.SoftCrossEntropy(logits, t)
	if err != nil {
		return nil, torchErr("soft-target loss", err)
	}
	return lt, nil
}
