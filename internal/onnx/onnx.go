// Package onnx writes ONNX models (onnx.proto, IR version 7) without cgo or generated code:
// the few messages an inference graph needs, encoded with protowire. Field numbers are
// onnx.proto's (github.com/onnx/onnx, onnx/onnx.proto; the same in OpenCV's bundled copy).
// It writes; it does not read or check graphs (onnx.checker and OpenCV's importer do that in
// the tests of the packages that build graphs).
package onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// IRVersion is the ONNX IR version written (ONNX 1.7, the IR of opsets 12-13; OpenCV 4.6 and
// onnxruntime read it).
const IRVersion = 7

// Element types (TensorProto.DataType).
const (
	Float = 1
	Int64 = 7
)

// Model is a ModelProto: one graph and the operator set it uses from the default domain.
type Model struct {
	Opset           int64
	Producer        string
	ProducerVersion string
	DocString       string
	Graph           Graph
	Metadata        [][2]string // metadata_props, in order
}

// Graph is a GraphProto.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// Node is a NodeProto of the default domain.
type Node struct {
	Name    string
	Op      string
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

// Attr is an AttributeProto of type INT, INTS, FLOAT or STRING (set one of them with the
// constructors).
type Attr struct {
	Name string
	typ  int
	i    int64
	f    float32
	ints []int64
	s    string
}

// Attribute types (AttributeProto.AttributeType).
const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

// Int is an INT attribute.
func Int(name string, v int64) Attr { return Attr{Name: name, typ: attrInt, i: v} }

// Ints is an INTS attribute.
func Ints(name string, v ...int64) Attr {
	return Attr{Name: name, typ: attrInts, ints: append([]int64(nil), v...)}
}

// Float32 is a FLOAT attribute.
func Float32(name string, v float32) Attr { return Attr{Name: name, typ: attrFloat, f: v} }

// String is a STRING attribute.
func String(name, v string) Attr { return Attr{Name: name, typ: attrString, s: v} }

// Tensor is a TensorProto holding float32 or int64 values (as raw little-endian data).
type Tensor struct {
	Name    string
	Dims    []int64
	Floats  []float32 // DataType Float
	Int64s  []int64   // DataType Int64 (when Floats is nil)
	IsInt64 bool
}

// Dim is one dimension of a ValueInfo's shape: a fixed size, or a symbolic one (Param).
type Dim struct {
	Value int64
	Param string
}

// ValueInfo is a graph input or output: a tensor of ElemType and Shape.
type ValueInfo struct {
	Name     string
	ElemType int32
	Shape    []Dim
}

// Marshal encodes the model as an ONNX protobuf.
func (m *Model) Marshal() []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType) // ir_version
	b = protowire.AppendVarint(b, IRVersion)
	b = appendString(b, 2, m.Producer)
	b = appendString(b, 3, m.ProducerVersion)
	b = appendString(b, 6, m.DocString)
	b = appendMessage(b, 7, m.Graph.marshal())
	var opset []byte
	opset = appendString(opset, 1, "") // default domain ai.onnx
	opset = protowire.AppendTag(opset, 2, protowire.VarintType)
	opset = protowire.AppendVarint(opset, uint64(m.Opset))
	b = appendMessage(b, 8, opset)
	for _, kv := range m.Metadata {
		var e []byte
		e = appendString(e, 1, kv[0])
		e = appendString(e, 2, kv[1])
		b = appendMessage(b, 14, e)
	}
	return b
}

func (g *Graph) marshal() []byte {
	var b []byte
	for i := range g.Nodes {
		b = appendMessage(b, 1, g.Nodes[i].marshal())
	}
	b = appendString(b, 2, g.Name)
	for i := range g.Initializers {
		b = appendMessage(b, 5, g.Initializers[i].marshal())
	}
	for i := range g.Inputs {
		b = appendMessage(b, 11, g.Inputs[i].marshal())
	}
	for i := range g.Outputs {
		b = appendMessage(b, 12, g.Outputs[i].marshal())
	}
	return b
}

func (n *Node) marshal() []byte {
	var b []byte
	for _, in := range n.Inputs {
		b = appendStringAlways(b, 1, in) // "" is a valid (omitted optional) input
	}
	for _, out := range n.Outputs {
		b = appendStringAlways(b, 2, out)
	}
	b = appendString(b, 3, n.Name)
	b = appendString(b, 4, n.Op)
	for i := range n.Attrs {
		b = appendMessage(b, 5, n.Attrs[i].marshal())
	}
	return b
}

func (a *Attr) marshal() []byte {
	var b []byte
	b = appendString(b, 1, a.Name)
	switch a.typ {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.i))
	case attrString:
		b = appendStringAlways(b, 4, a.s)
	case attrInts:
		var packed []byte
		for _, v := range a.ints {
			packed = protowire.AppendVarint(packed, uint64(v))
		}
		b = appendMessage(b, 8, packed)
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType) // type
	b = protowire.AppendVarint(b, uint64(a.typ))
	return b
}

func (t *Tensor) marshal() []byte {
	var b []byte
	if len(t.Dims) > 0 {
		var packed []byte
		for _, d := range t.Dims {
			packed = protowire.AppendVarint(packed, uint64(d))
		}
		b = appendMessage(b, 1, packed)
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	var raw []byte
	if t.IsInt64 {
		b = protowire.AppendVarint(b, Int64)
		raw = make([]byte, 8*len(t.Int64s))
		for i, v := range t.Int64s {
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
		}
	} else {
		b = protowire.AppendVarint(b, Float)
		raw = make([]byte, 4*len(t.Floats))
		for i, v := range t.Floats {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
	}
	b = appendString(b, 8, t.Name)
	b = protowire.AppendTag(b, 9, protowire.BytesType) // raw_data
	return protowire.AppendBytes(b, raw)
}

func (v *ValueInfo) marshal() []byte {
	var shape []byte
	for _, d := range v.Shape {
		var dim []byte
		if d.Param != "" {
			dim = appendString(dim, 2, d.Param)
		} else {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d.Value))
		}
		shape = appendMessage(shape, 1, dim)
	}
	var tensor []byte
	tensor = protowire.AppendTag(tensor, 1, protowire.VarintType) // elem_type
	tensor = protowire.AppendVarint(tensor, uint64(v.ElemType))
	tensor = appendMessage(tensor, 2, shape)
	var typ []byte
	typ = appendMessage(typ, 1, tensor) // tensor_type
	var b []byte
	b = appendString(b, 1, v.Name)
	return appendMessage(b, 2, typ)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	return appendStringAlways(b, num, s)
}

func appendStringAlways(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}
