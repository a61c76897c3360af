package mediapipe

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// A minimal ONNX (IR 6, opset 11) writer: just the messages a converted graph needs, encoded
// with protowire. Field numbers are those of onnx/onnx.proto (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto). The model is handed to OpenCV's
// ONNX importer (cv::dnn::readNetFromONNX), which runs it.

const (
	onnxFloat = 1 // TensorProto.DataType FLOAT
	onnxInt64 = 7 // TensorProto.DataType INT64

	attrFloat = 1 // AttributeProto.AttributeType FLOAT
	attrInt   = 2 // AttributeProto.AttributeType INT
	attrInts  = 7 // AttributeProto.AttributeType INTS
)

type onnxAttr struct {
	name    string
	i       int64
	ints    []int64
	list    bool
	f       float32
	isFloat bool
}

func intAttr(name string, v int) onnxAttr { return onnxAttr{name: name, i: int64(v)} }

func floatAttr(name string, v float32) onnxAttr {
	return onnxAttr{name: name, f: v, isFloat: true}
}

func intsAttr(name string, v ...int) onnxAttr {
	a := onnxAttr{name: name, list: true}
	for _, x := range v {
		a.ints = append(a.ints, int64(x))
	}
	return a
}

type onnxNode struct {
	op      string
	inputs  []string
	outputs []string
	attrs   []onnxAttr
}

type onnxTensor struct {
	name  string
	dims  []int
	f     []float32
	i64   []int64
	isInt bool
}

type onnxGraph struct {
	nodes   []onnxNode
	inits   []onnxTensor
	inputs  []onnxValue
	outputs []onnxValue
}

type onnxValue struct {
	name string
	dims []int // nil: shape left to the importer
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, field protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendVarint(b []byte, field protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func (a onnxAttr) encode() []byte {
	b := appendString(nil, 1, a.name)
	if a.list {
		b = appendVarint(b, 20, attrInts)
		for _, v := range a.ints {
			b = appendVarint(b, 8, v)
		}
		return b
	}
	if a.isFloat {
		b = appendVarint(b, 20, attrFloat)
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type) // AttributeProto.f
		return protowire.AppendFixed32(b, math.Float32bits(a.f))
	}
	b = appendVarint(b, 20, attrInt)
	return appendVarint(b, 3, a.i)
}

func (n onnxNode) encode() []byte {
	var b []byte
	for _, in := range n.inputs {
		b = appendString(b, 1, in)
	}
	for _, out := range n.outputs {
		b = appendString(b, 2, out)
	}
	b = appendString(b, 3, n.outputs[0])
	b = appendString(b, 4, n.op)
	for _, a := range n.attrs {
		b = appendMessage(b, 5, a.encode())
	}
	return b
}

func (t onnxTensor) encode() []byte {
	var b []byte
	for _, d := range t.dims {
		b = appendVarint(b, 1, int64(d))
	}
	var raw []byte
	if t.isInt {
		b = appendVarint(b, 2, onnxInt64)
		raw = make([]byte, 8*len(t.i64))
		for i, v := range t.i64 {
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
		}
	} else {
		b = appendVarint(b, 2, onnxFloat)
		raw = make([]byte, 4*len(t.f))
		for i, v := range t.f {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
	}
	b = appendString(b, 8, t.name)
	return appendMessage(b, 9, raw)
}

func (v onnxValue) encode() []byte {
	var shape []byte
	for _, d := range v.dims {
		shape = appendMessage(shape, 1, appendVarint(nil, 1, int64(d))) // Dimension.dim_value
	}
	tt := appendVarint(nil, 1, onnxFloat) // TypeProto.Tensor.elem_type
	if v.dims != nil {
		tt = appendMessage(tt, 2, shape) // TypeProto.Tensor.shape
	}
	typ := appendMessage(nil, 1, tt) // TypeProto.tensor_type
	b := appendString(nil, 1, v.name)
	return appendMessage(b, 2, typ)
}

// model encodes the graph as an ONNX ModelProto.
func (g *onnxGraph) model() []byte {
	var gb []byte
	for _, n := range g.nodes {
		gb = appendMessage(gb, 1, n.encode())
	}
	gb = appendString(gb, 2, "occfer-mediapipe")
	for _, t := range g.inits {
		gb = appendMessage(gb, 5, t.encode())
	}
	for _, v := range g.inputs {
		gb = appendMessage(gb, 11, v.encode())
	}
	for _, v := range g.outputs {
		gb = appendMessage(gb, 12, v.encode())
	}
	b := appendVarint(nil, 1, 6) // ir_version
	b = appendString(b, 2, "occfer")
	b = appendMessage(b, 7, gb)
	opset := appendString(nil, 1, "")
	opset = appendVarint(opset, 2, 11)
	return appendMessage(b, 8, opset)
}
