package model

import (
	"fmt"
	"io"
	"strconv"

	"github.com/occfer/occfer/internal/onnx"
	"github.com/sugarme/gotch/ts"
)

// ONNXOpset is the operator set the export uses (ONNX 1.8). Every op is one OpenCV 4.6's DNN
// importer reads: Conv, BatchNormalization, Relu, Clip, MaxPool, GlobalAveragePool, Flatten,
// Gemm, Add, Sub, Mul, Pow, Concat, Slice, Pad, Sigmoid.
const ONNXOpset = 13

// ONNX graph names of the input and the output.
const (
	ONNXInput  = "input"
	ONNXOutput = "logits"
)

// ExportONNX writes the network in eval mode (BN running statistics, no dropout) as an ONNX
// model: input "input" float32 [N,3,S,S] (S = Config.InputSize, N dynamic, named "batch"),
// already normalised as the model's input is (the normalisation is not part of the graph;
// say it in meta), output "logits" float32 [N,classes] before softmax. meta becomes the
// model's metadata_props (class names, normalisation, ...), after "variant", "arch" and
// "input_size".
//
// FFRA-Net's shuffle attention is written without its grouped reshape: per channel it is
// x * sigmoid(a*mean_hw(x) + b*IN(x) + c) (GroupNorm with one channel per group is
// InstanceNormalization; channel and spatial gates folded into a, b, c), and its channel
// shuffle is a 1x1 convolution with a permutation matrix. VGG-16's adaptive average pool to
// 7x7, the identity at 224, is folded into classifier.0's weights at other sizes.
func (m *Model) ExportONNX(w io.Writer, meta [][2]string) (err error) {
	defer recoverInto(&err, "export onnx")
	shapes, err := m.moduleShapes()
	if err != nil {
		return err
	}
	s := int64(m.cfg.InputSize)
	mod := &onnx.Model{
		Opset:    ONNXOpset,
		Producer: "occfer ffra",
		Graph: onnx.Graph{
			Name:    m.cfg.Variant,
			Inputs:  []onnx.ValueInfo{{Name: ONNXInput, ElemType: onnx.Float, Shape: []onnx.Dim{{Param: "batch"}, {Value: 3}, {Value: s}, {Value: s}}}},
			Outputs: []onnx.ValueInfo{{Name: ONNXOutput, ElemType: onnx.Float, Shape: []onnx.Dim{{Param: "batch"}, {Value: int64(m.cfg.NumClasses)}}}},
		},
		Metadata: append([][2]string{{"variant", m.cfg.Variant}, {"arch", m.cfg.ArchName()}, {"input_size", strconv.Itoa(m.cfg.InputSize)}}, meta...),
	}
	e := &onnxEmitter{b: onnx.NewBuilder(&mod.Graph), shapes: shapes}
	out := m.net.onnx(e, ONNXInput)
	if e.err == nil {
		e.err = e.b.Err
	}
	if e.err != nil {
		return fmt.Errorf("export onnx: %w", e.err)
	}
	// the last node's output becomes the graph output "logits"
	last := &mod.Graph.Nodes[len(mod.Graph.Nodes)-1]
	if last.Outputs[0] != out {
		return fmt.Errorf("export onnx: the graph does not end in its logits")
	}
	last.Outputs[0] = ONNXOutput
	if _, err := w.Write(mod.Marshal()); err != nil {
		return fmt.Errorf("export onnx: %w", err)
	}
	return nil
}

// moduleShapes runs one zero image through the network and returns each recorded module's
// output shape [C,H,W] by name (the spatial sizes the graph's padding, slicing and pooling
// folds need).
func (m *Model) moduleShapes() (map[string][]int64, error) {
	rec, err := m.recordPass(int64(m.cfg.InputSize))
	if err != nil {
		return nil, err
	}
	out := map[string][]int64{}
	for _, r := range rec.rows {
		out[r.Name] = r.Output
	}
	return out, nil
}

// onnxEmitter writes layers as ONNX nodes; the first error sticks and later calls do nothing
// harmful (they return names of nodes that are never marshalled).
type onnxEmitter struct {
	b      *onnx.Builder
	shapes map[string][]int64
	err    error
}

func (e *onnxEmitter) node(op, hint string, in []string, attrs ...onnx.Attr) string {
	return e.b.Node(op, hint, in, attrs...)
}

// param adds a model tensor as an initializer under its state_dict name.
func (e *onnxEmitter) param(name string, t *ts.Tensor) string {
	vals, dims, err := hostTensor(t)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s: %w", name, err)
	}
	return e.b.Floats(name, dims, vals)
}

// floats adds computed values as an initializer.
func (e *onnxEmitter) floats(name string, dims []int64, vals []float32) string {
	return e.b.Floats(name, dims, vals)
}

// shape is a recorded module output shape [C,H,W].
func (e *onnxEmitter) shape(module string) []int64 {
	s, ok := e.shapes[module]
	if (!ok || len(s) != 3) && e.err == nil {
		e.err = fmt.Errorf("no recorded [C,H,W] output for %s", module)
		return []int64{1, 1, 1}
	}
	return s
}

// hostTensor copies a float32 tensor to the host with its shape.
func hostTensor(t *ts.Tensor) ([]float32, []int64, error) {
	dims, err := t.Size()
	if err != nil {
		return nil, nil, err
	}
	vals, err := hostValues(t)
	return vals, dims, err
}
