package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
)

// The optimiser state is written as safetensors (float32 moments "m.<param>" / "v.<param>",
// step count in the metadata), the same container as the model weights, so it can be read
// with model.ReadStateDict and inspected with any safetensors tool. model/ exports a reader
// but not a writer, hence this small float32-only writer.

const optimFormat = "occfer-adam/1"

func writeAdamState(path string, s *AdamState) error {
	type info struct {
		DType   string  `json:"dtype"`
		Shape   []int64 `json:"shape"`
		Offsets [2]int  `json:"data_offsets"`
	}
	header := map[string]any{"__metadata__": map[string]string{
		"format": optimFormat, "step": strconv.FormatInt(s.Step, 10),
	}}
	type entry struct {
		name string
		data []float32
	}
	var entries []entry
	for i, n := range s.Names {
		entries = append(entries, entry{"m." + n, s.M[i]}, entry{"v." + n, s.V[i]})
	}
	sort.Slice(entries, func(a, b int) bool { return entries[a].name < entries[b].name })
	off := 0
	shapes := map[string][]int64{}
	for i, n := range s.Names {
		shapes["m."+n], shapes["v."+n] = s.Shapes[i], s.Shapes[i]
	}
	for _, e := range entries {
		header[e.name] = info{"F32", shapes[e.name], [2]int{off, off + 4*len(e.data)}}
		off += 4 * len(e.data)
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for len(hj)%8 != 0 { // the format allows space padding; aligned data is friendlier to mmap
		hj = append(hj, ' ')
	}
	var buf bytes.Buffer
	buf.Grow(8 + len(hj) + off)
	binary.Write(&buf, binary.LittleEndian, uint64(len(hj)))
	buf.Write(hj)
	b4 := make([]byte, 4)
	for _, e := range entries {
		for _, v := range e.data {
			binary.LittleEndian.PutUint32(b4, math.Float32bits(v))
			buf.Write(b4)
		}
	}
	return dataset.WriteFileAtomic(path, buf.Bytes())
}

// readAdamState reads a file written by writeAdamState for the given parameter names.
func readAdamState(path string, names []string) (*AdamState, error) {
	tensors, meta, err := model.ReadStateDict(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, t := range tensors {
			t.Drop()
		}
	}()
	if meta["format"] != optimFormat {
		return nil, fmt.Errorf("%s: not an occfer optimiser state (format %q)", path, meta["format"])
	}
	step, err := strconv.ParseInt(meta["step"], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: bad step %q", path, meta["step"])
	}
	s := &AdamState{Step: step, Names: append([]string(nil), names...)}
	for _, n := range names {
		mt, ok1 := tensors["m."+n]
		vt, ok2 := tensors["v."+n]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: no moments for parameter %s", path, n)
		}
		shape, err := mt.Size()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m, err := toHost(mt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v, err := toHost(vt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s.Shapes = append(s.Shapes, shape)
		s.M = append(s.M, m)
		s.V = append(s.V, v)
	}
	if len(tensors) != 2*len(names) {
		return nil, fmt.Errorf("%s: holds %d tensors, want %d for %d parameters", path, len(tensors), 2*len(names), len(names))
	}
	return s, nil
}
