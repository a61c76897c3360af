package train

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/safetensors"
)

// The optimiser state is written as safetensors (float32 moments "m.<param>" / "v.<param>",
// step count in the metadata), the same container as the model weights, so it can be
// inspected with any safetensors tool. Both go through internal/safetensors; the moments
// never touch libtorch on the way to or from the file.

const optimFormat = "occfer-adam/1"

func writeAdamState(path string, s *AdamState) error {
	tensors := make(map[string]safetensors.Tensor, 2*len(s.Names))
	for i, n := range s.Names {
		tensors["m."+n] = safetensors.FromFloat32s(s.Shapes[i], s.M[i])
		tensors["v."+n] = safetensors.FromFloat32s(s.Shapes[i], s.V[i])
	}
	buf, err := safetensors.Encode(tensors, map[string]string{
		"format": optimFormat, "step": strconv.FormatInt(s.Step, 10),
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return dataset.WriteFileAtomic(path, buf)
}

// readAdamState reads a file written by writeAdamState for the given parameter names.
func readAdamState(path string, names []string) (*AdamState, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if f.Meta["format"] != optimFormat {
		return nil, fmt.Errorf("%s: not an occfer optimiser state (format %q)", path, f.Meta["format"])
	}
	step, err := strconv.ParseInt(f.Meta["step"], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: bad step %q", path, f.Meta["step"])
	}
	s := &AdamState{Step: step, Names: append([]string(nil), names...)}
	for _, n := range names {
		mt, ok1 := f.Tensors["m."+n]
		vt, ok2 := f.Tensors["v."+n]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: no moments for parameter %s", path, n)
		}
		m, err := mt.Float32s()
		if err != nil {
			return nil, fmt.Errorf("%s: tensor %q: %w", path, "m."+n, err)
		}
		v, err := vt.Float32s()
		if err != nil {
			return nil, fmt.Errorf("%s: tensor %q: %w", path, "v."+n, err)
		}
		if !slices.Equal(mt.Shape, vt.Shape) {
			return nil, fmt.Errorf("%s: moments of %s have shapes %v and %v", path, n, mt.Shape, vt.Shape)
		}
		s.Shapes = append(s.Shapes, mt.Shape)
		s.M = append(s.M, m)
		s.V = append(s.V, v)
	}
	if len(f.Tensors) != 2*len(names) {
		return nil, fmt.Errorf("%s: holds %d tensors, want %d for %d parameters", path, len(f.Tensors), 2*len(names), len(names))
	}
	return s, nil
}
