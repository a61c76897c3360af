package model

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/sugarme/gotch/ts"
)

// LoadReport says what a weight import did with each name.
type LoadReport struct {
	Loaded  []string `json:"loaded"`  // copied into the model
	Missing []string `json:"missing"` // model variables left at their initial values
	Ignored []string `json:"ignored"` // file entries not used, each "name (reason)"
}

func (r *LoadReport) String() string {
	return fmt.Sprintf("%d loaded, %d left at init, %d ignored", len(r.Loaded), len(r.Missing), len(r.Ignored))
}

// ImportMode selects how file names map onto the model.
type ImportMode int

const (
	// ImportFull expects a full state_dict with this package's names (a
	// checkpoint of this model, or a PyTorch FFRA-Net built from the spec).
	ImportFull ImportMode = iota
	// ImportBackbone is spec section 8's loader rule for pretrained
	// checkpoints (torchvision, MS-Celeb): strip "module.", drop fc.* and
	// feature.*, load the rest; ms.*, la.*, fuse.* and fc.* stay at init.
	ImportBackbone
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

// LoadWeights imports the tensors of a checkpoint file into m (see ImportMode).
// A name present in both with a different shape is an error naming both shapes.
func (m *Model) LoadWeights(path string, mode ImportMode) (*LoadReport, error) {
	tensors, _, err := ReadStateDict(path)
	if err != nil {
		return nil, err
	}
	defer dropAll(tensors)
	rep, err := m.LoadStateDict(tensors, mode)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// LoadStateDict copies tensors (state_dict names) into the model's variables.
// Nothing is copied when any shape mismatches. Tensors are not consumed.
func (m *Model) LoadStateDict(tensors map[string]*ts.Tensor, mode ImportMode) (rep *LoadReport, err error) {
	defer recoverInto(&err, "load state_dict")
	rep = &LoadReport{}
	plan := map[string]*ts.Tensor{} // model name -> source
	keys := make([]string, 0, len(tensors))
	for k := range tensors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		name := key
		if mode == ImportBackbone {
			name = strings.TrimPrefix(name, "module.")
			if strings.HasPrefix(name, "fc.") || strings.HasPrefix(name, "feature.") {
				rep.Ignored = append(rep.Ignored, key+" (pretrained head, dropped by the backbone loader)")
				continue
			}
		}
		if strings.HasSuffix(name, ".num_batches_tracked") {
			rep.Ignored = append(rep.Ignored, key+" (BN counter, ignored on import)")
			continue
		}
		dst, ok := m.vars[name]
		if !ok {
			rep.Ignored = append(rep.Ignored, key+" (not in this model)")
			continue
		}
		want, err := dst.Size()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		got, err := tensors[key].Size()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if !slices.Equal(want, got) {
			return nil, fmt.Errorf("shape mismatch for %q: file has %v, model %q (%s) needs %v", key, got, name, m.cfg.Variant, want)
		}
		plan[name] = tensors[key]
	}
	if err := m.copyIn(plan); err != nil {
		return nil, err
	}
	for _, name := range m.names {
		if _, ok := plan[name]; ok {
			rep.Loaded = append(rep.Loaded, name)
		} else {
			rep.Missing = append(rep.Missing, name)
		}
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
