package onnx

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func smallModel() *Model {
	m := &Model{Opset: 13, Producer: "test", Metadata: [][2]string{{"classes", `["a","b"]`}}}
	m.Graph.Name = "g"
	b := NewBuilder(&m.Graph)
	w := b.Floats("w", []int64{2}, []float32{1.5, -2})
	y := b.Node("Add", "x", []string{"input", w})
	s := b.Node("Slice", "x", []string{y, b.Int64s("starts", 0), b.Int64s("ends", 1), b.Int64s("axes", 1)})
	b.Node("Gemm", "", []string{s, b.Scalar("k", 3)}, Int("transB", 1), Ints("pads", 1, 2), Float32("alpha", 0.5), String("mode", "constant"))
	m.Graph.Inputs = []ValueInfo{{Name: "input", ElemType: Float, Shape: []Dim{{Param: "batch"}, {Value: 2}}}}
	m.Graph.Outputs = []ValueInfo{{Name: "out", ElemType: Float, Shape: []Dim{{Param: "batch"}, {Value: 1}}}}
	return m
}

// fields decodes one message level: field number -> values (bytes for length-delimited
// fields, the varint or fixed32 otherwise).
func fields(t *testing.T, b []byte) map[protowire.Number][]any {
	t.Helper()
	out := map[protowire.Number][]any{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v any
		switch typ {
		case protowire.VarintType:
			x, m := protowire.ConsumeVarint(b)
			v, n = x, m
		case protowire.Fixed32Type:
			x, m := protowire.ConsumeFixed32(b)
			v, n = x, m
		case protowire.BytesType:
			x, m := protowire.ConsumeBytes(b)
			v, n = x, m
		default:
			t.Fatalf("unexpected wire type %v", typ)
		}
		if n < 0 {
			t.Fatalf("bad field %d: %v", num, protowire.ParseError(n))
		}
		out[num] = append(out[num], v)
		b = b[n:]
	}
	return out
}

// TestMarshalFields checks the wire encoding against onnx.proto's field numbers.
func TestMarshalFields(t *testing.T) {
	m := smallModel()
	top := fields(t, m.Marshal())
	if top[1][0].(uint64) != IRVersion || string(top[2][0].([]byte)) != "test" {
		t.Fatalf("ir_version / producer: %v %v", top[1], top[2])
	}
	opset := fields(t, top[8][0].([]byte))
	if opset[2][0].(uint64) != 13 {
		t.Fatalf("opset %v", opset)
	}
	meta := fields(t, top[14][0].([]byte))
	if string(meta[1][0].([]byte)) != "classes" || string(meta[2][0].([]byte)) != `["a","b"]` {
		t.Fatalf("metadata %v", meta)
	}
	g := fields(t, top[7][0].([]byte))
	if len(g[1]) != 3 || len(g[5]) != 5 || len(g[11]) != 1 || len(g[12]) != 1 {
		t.Fatalf("graph: %d nodes, %d initializers, %d inputs, %d outputs", len(g[1]), len(g[5]), len(g[11]), len(g[12]))
	}
	w := fields(t, g[5][0].([]byte))
	raw := w[9][0].([]byte)
	if string(w[8][0].([]byte)) != "w" || w[2][0].(uint64) != Float || len(raw) != 8 ||
		math.Float32frombits(binary.LittleEndian.Uint32(raw[4:])) != -2 {
		t.Fatalf("float initializer %v", w)
	}
	st := fields(t, g[5][1].([]byte))
	if st[2][0].(uint64) != Int64 || len(st[9][0].([]byte)) != 8 {
		t.Fatalf("int64 initializer %v", st)
	}
	node := fields(t, g[1][2].([]byte))
	if string(node[4][0].([]byte)) != "Gemm" || len(node[5]) != 4 {
		t.Fatalf("node %v", node)
	}
	attr := fields(t, node[5][2].([]byte))
	if string(attr[1][0].([]byte)) != "alpha" || math.Float32frombits(attr[2][0].(uint32)) != 0.5 || attr[20][0].(uint64) != attrFloat {
		t.Fatalf("float attribute %v", attr)
	}
	in := fields(t, g[11][0].([]byte))
	typ := fields(t, fields(t, in[2][0].([]byte))[1][0].([]byte))
	dims := fields(t, typ[2][0].([]byte))[1]
	if string(fields(t, dims[0].([]byte))[2][0].([]byte)) != "batch" || fields(t, dims[1].([]byte))[1][0].(uint64) != 2 {
		t.Fatalf("input shape %v", dims)
	}
}

func TestBuilderNamesAndErrors(t *testing.T) {
	var g Graph
	b := NewBuilder(&g)
	a := b.Node("Relu", "l", []string{"x"})
	c := b.Node("Relu", "l", []string{a})
	if a != "l/Relu" || c != "l/Relu_1" {
		t.Fatalf("names %q %q", a, c)
	}
	if n := b.Floats("w", []int64{2, 2}, []float32{1}); n != "w" || b.Err == nil || !strings.Contains(b.Err.Error(), "1 values for shape [2 2]") {
		t.Fatalf("short initializer: %q %v", n, b.Err)
	}
}

// TestONNXPackageReads: Debian's python3-onnx parses the bytes and agrees on every value
// (skipped without it).
func TestONNXPackageReads(t *testing.T) {
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import onnx").Run() != nil {
		t.Skip("no python3-onnx")
	}
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := os.WriteFile(path, smallModel().Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", `import sys, onnx
from onnx import numpy_helper as nh
m = onnx.load(sys.argv[1])
inits = {i.name: nh.to_array(i).tolist() for i in m.graph.initializer}
n = m.graph.node[2]
print(m.ir_version, m.opset_import[0].version, m.metadata_props[0].key, inits, [(a.name, onnx.helper.get_attribute_value(a)) for a in n.attribute])`, path).CombinedOutput()
	want := `7 13 classes {'w': [1.5, -2.0], 'starts': [0], 'ends': [1], 'axes': [1], 'k': 3.0} [('transB', 1), ('pads', [1, 2]), ('alpha', 0.5), ('mode', b'constant')]`
	if err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("onnx reads: %v\n%s\nwant %s", err, out, want)
	}
}
