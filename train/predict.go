package train

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/occfer/occfer/internal/scores"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/rundir"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Predictor is a trained model loaded for inference.
type Predictor struct {
	Model   *model.Model
	Classes []string // from the checkpoint: the order of the model's outputs
	Path    string   // the checkpoint file
	Size    int      // input side
	Extra   map[string]string
}

// ResolveCheckpoint accepts a checkpoint file, a checkpoint folder (holding
// model.safetensors) or a run folder (its best/ checkpoint, else last/).
func ResolveCheckpoint(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("checkpoint %s: %w", p, err)
	}
	if !st.IsDir() {
		return p, nil
	}
	for _, c := range []string{
		filepath.Join(p, ModelFile),
		filepath.Join(p, rundir.BestDir, ModelFile),
		filepath.Join(p, rundir.LastDir, ModelFile),
	} {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("checkpoint %s: %w", c, err)
		}
	}
	return "", fmt.Errorf("checkpoint %s: a folder without %s, %s/%s or %s/%s", p, ModelFile, rundir.BestDir, ModelFile, rundir.LastDir, ModelFile)
}

// OpenPredictor loads a checkpoint (see ResolveCheckpoint) on the device ("auto", "cpu",
// "cuda[:N]"). A foreign weights file (a PyTorch state_dict) is imported when spec names its
// network (see ImportSpec); spec may be nil.
func OpenPredictor(ckpt, device string, spec *ImportSpec) (*Predictor, error) {
	path, err := ResolveCheckpoint(ckpt)
	if err != nil {
		return nil, err
	}
	dev, err := model.ParseDevice(device)
	if err != nil {
		return nil, err
	}
	m, ck, err := openWeights(path, dev, spec)
	if err != nil {
		return nil, err
	}
	if len(ck.Classes) != ck.Config.NumClasses {
		m.Close()
		return nil, fmt.Errorf("checkpoint %s: %d class names for %d outputs", path, len(ck.Classes), ck.Config.NumClasses)
	}
	return &Predictor{Model: m, Classes: ck.Classes, Path: path, Size: ck.Config.InputSize, Extra: ck.Extra}, nil
}

// Close frees the model.
func (p *Predictor) Close() { p.Model.Close() }

// input builds the evaluation input [N,3,S,S] for images on the model's device.
func (p *Predictor) input(imgs []*loader.RGB) (*ts.Tensor, error) {
	per := 3 * p.Size * p.Size
	x := make([]float32, len(imgs)*per)
	var scr loader.Scratch
	for i, img := range imgs {
		loader.Transform(img, p.Size, nil, nil, x[i*per:(i+1)*per], &scr)
	}
	t, err := hostTensor(x, []int64{int64(len(imgs)), 3, int64(p.Size), int64(p.Size)}, gotch.Float)
	if err != nil {
		return nil, err
	}
	return toDevice(t, p.Model.Device())
}

// Probabilities returns the softmax class probabilities of each image.
func (p *Predictor) Probabilities(imgs []*loader.RGB) (probs [][]float32, err error) {
	defer recovered("predict", &err)
	if len(imgs) == 0 {
		return nil, nil
	}
	x, err := p.input(imgs)
	if err != nil {
		return nil, err
	}
	defer x.Drop()
	err = noGrad(func() error {
		logits, err := p.Model.Forward(x, false)
		if err != nil {
			return torchErr("forward", err)
		}
		defer logits.Drop()
		probs, err = softmaxRows(logits, len(p.Classes))
		return err
	})
	return probs, err
}

// softmaxRows returns softmax(logits) as host rows.
func softmaxRows(logits *ts.Tensor, classes int) ([][]float32, error) {
	sm, err := logits.Softmax(1, gotch.Float, false)
	if err != nil {
		return nil, torchErr("softmax", err)
	}
	defer sm.Drop()
	flat, err := toHost(sm)
	if err != nil {
		return nil, torchErr("softmax", err)
	}
	var out [][]float32
	for i := 0; i+classes <= len(flat); i += classes {
		out = append(out, flat[i:i+classes])
	}
	return out, nil
}

// Argmax returns the first index of the largest value (scores.Argmax).
func Argmax(v []float32) int { return scores.Argmax(v) }
