package model

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/sugarme/gotch/ts"
)

// ReadStateDict reads a PyTorch .pth/.pt (torch.save) or a .safetensors file,
// chosen by content, not by extension. It returns the tensors on the CPU and
// the safetensors metadata (empty for torch files).
func ReadStateDict(path string) (tensors map[string]*ts.Tensor, meta map[string]string, err error) {
	kind, err := sniff(path)
	if err != nil {
		return nil, nil, err
	}
	switch kind {
	case "safetensors":
		return readSafetensors(path)
	case "torch":
		t, _, err := readTorchFile(path)
		return t, map[string]string{}, err
	default:
		return nil, nil, fmt.Errorf("%s is not a checkpoint: neither a torch.save file (zip or legacy pickle) nor safetensors", path)
	}
}

// SniffWeights says what a weights file is by its first bytes: "torch" (a torch.save zip or
// legacy pickle) or "safetensors"; anything else is an error naming the file.
func SniffWeights(path string) (string, error) {
	kind, err := sniff(path)
	if err == nil && kind == "" {
		err = fmt.Errorf("%s is not a checkpoint: neither a torch.save file (zip or legacy pickle) nor safetensors", path)
	}
	return kind, err
}

// sniff tells torch zip / legacy pickle files from safetensors by their first bytes.
func sniff(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read checkpoint: %w", err)
	}
	defer f.Close()
	head := make([]byte, 9)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		if err == io.EOF {
			return "", fmt.Errorf("%s is empty", path)
		}
		return "", fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "torch", nil // torch.save zip format (torch >= 1.6)
	case len(head) >= 2 && head[0] == 0x80 && head[1] <= 5:
		return "torch", nil // pickle protocol header: legacy torch.save
	case len(head) == 9 && head[8] == '{':
		return "safetensors", nil
	}
	return "", nil
}

// LoadWeights imports the tensors of a checkpoint file into m with the rules
// of opts (see ImportOptions). Nothing is copied when the file does not fit;
// the error (an *ImportError for a misfit) names the file.
func (m *Model) LoadWeights(path string, opts ImportOptions) (*LoadReport, error) {
	tensors, _, err := ReadStateDict(path)
	if err != nil {
		return nil, err
	}
	defer dropAll(tensors)
	rep, err := m.LoadStateDict(tensors, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// StateDictShapes returns the shape of each tensor.
func StateDictShapes(tensors map[string]*ts.Tensor) (map[string][]int64, error) {
	out := make(map[string][]int64, len(tensors))
	for k, t := range tensors {
		s, err := t.Size()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = s
	}
	return out, nil
}

// LoadStateDict copies tensors (state_dict names) into the model's variables
// with the rules of opts. Nothing is copied when the file does not fit (an
// *ImportError). Tensors are not consumed.
func (m *Model) LoadStateDict(tensors map[string]*ts.Tensor, opts ImportOptions) (rep *LoadReport, err error) {
	defer recoverInto(&err, "load state_dict")
	shapes, err := StateDictShapes(tensors)
	if err != nil {
		return nil, err
	}
	specs := make([]VarSpec, 0, len(m.names))
	for _, n := range m.names {
		dims, err := m.vars[n].Size()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		specs = append(specs, VarSpec{Name: n, Shape: dims, Trainable: !isBuffer(n)})
	}
	src, rep, err := planImport(m.cfg, specs, shapes, opts)
	if err != nil {
		return nil, err
	}
	plan := make(map[string]*ts.Tensor, len(src))
	for name, key := range src {
		plan[name] = tensors[key]
	}
	if err := m.copyIn(plan); err != nil {
		return nil, err
	}
	return rep, nil
}

// copyIn copies each source into its variable in place (the optimizer keeps
// references to the variables), without recording the copy for autograd.
func (m *Model) copyIn(plan map[string]*ts.Tensor) error {
	return noGrad(func() error {
		for name, src := range plan {
			dst := m.vars[name]
			// same dtype and device up front: gotch's Copy_ exits the process on a libtorch error
			conv, err := src.ToDevice(m.Device(), dst.DType(), false, true, false)
			if err != nil {
				return fmt.Errorf("%s: convert: %w", name, err)
			}
			dst.Copy_(conv)
			drop(conv)
		}
		return nil
	})
}
