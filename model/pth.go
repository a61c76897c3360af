package model

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"

	"github.com/sugarme/gotch/pickle"
	"github.com/sugarme/gotch/ts"
)

// readTorchFile reads a file written by torch.save (zip format of torch >= 1.6
// or the legacy format) holding a state_dict, or a dict with the state_dict
// under "state_dict" / "model_state_dict" (training checkpoints). Tensors come
// back on the CPU, contiguous, in their stored dtype. skipped lists entries
// that are not tensors.
func readTorchFile(path string) (tensors map[string]*ts.Tensor, skipped []string, err error) {
	defer recoverInto(&err, "read "+path)
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("read checkpoint: %w", err)
	}
	obj, err := pickle.LoadWithUnpickler(path, func(r io.Reader) pickle.Unpickler { return pickle.NewUnpickler(r) })
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a readable PyTorch checkpoint: %w", path, err)
	}
	entries, ok := dictEntries(obj)
	if !ok {
		return nil, nil, fmt.Errorf("%s: expected a dict (state_dict) at the top level, got %T", path, obj)
	}
	for _, key := range []string{"state_dict", "model_state_dict"} {
		if inner, found := entries[key]; found {
			if e, ok := dictEntries(inner); ok {
				entries = e
				break
			}
		}
	}
	tensors = map[string]*ts.Tensor{}
	names := make([]string, 0, len(entries))
	for k := range entries {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		st, ok := entries[name].(*pickle.StorageTensor)
		if !ok {
			skipped = append(skipped, name)
			continue
		}
		t, err := storageTensor(st)
		if err != nil {
			dropAll(tensors)
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		tensors[name] = t
	}
	if len(tensors) == 0 {
		return nil, nil, fmt.Errorf("%s: no tensors found (not a state_dict)", path)
	}
	return tensors, skipped, nil
}

// dictEntries returns a pickled dict or OrderedDict keyed by string.
func dictEntries(obj any) (map[string]any, bool) {
	out := map[string]any{}
	switch d := obj.(type) {
	case *pickle.Dict:
		for _, e := range *d {
			if k, ok := e.Key.(string); ok {
				out[k] = e.Value
			}
		}
	case *pickle.OrderedDict:
		for k, e := range d.Map {
			if ks, ok := k.(string); ok {
				out[ks] = e.Value
			}
		}
	default:
		return nil, false
	}
	return out, true
}

// storageTensor materialises a pickled tensor view (storage, offset, size,
// stride) as a contiguous CPU tensor.
func storageTensor(st *pickle.StorageTensor) (*ts.Tensor, error) {
	data := st.Source.GetData()
	n := reflect.ValueOf(data).Len()
	if n == 0 {
		return nil, fmt.Errorf("empty storage")
	}
	flat, err := ts.OfSlice(data, ts.WithDType(st.Source.DType()))
	if err != nil {
		return nil, err
	}
	if len(st.Size) == 0 {
		// a 0-dim tensor (BN num_batches_tracked); gotch cannot pass an empty
		// size list to libtorch, so cut one element and squeeze it.
		if st.StorageOffset >= int64(n) {
			drop(flat)
			return nil, fmt.Errorf("scalar offset %d outside its storage of %d elements", st.StorageOffset, n)
		}
		one, err := flat.Narrow(0, st.StorageOffset, 1, true)
		if err != nil {
			return nil, err
		}
		return one.Squeeze(true)
	}
	if len(st.Stride) != len(st.Size) {
		drop(flat)
		return nil, fmt.Errorf("size %v and stride %v disagree", st.Size, st.Stride)
	}
	need := st.StorageOffset + 1
	for i, d := range st.Size {
		if d == 0 {
			need = 0
			break
		}
		need += (d - 1) * st.Stride[i]
	}
	if need > int64(n) {
		drop(flat)
		return nil, fmt.Errorf("view of size %v stride %v offset %d exceeds its storage of %d elements", st.Size, st.Stride, st.StorageOffset, n)
	}
	view, err := flat.AsStrided(st.Size, st.Stride, []int64{st.StorageOffset}, true)
	if err != nil {
		return nil, err
	}
	return view.Contiguous(true)
}
