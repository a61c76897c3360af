package mediapipe

import (
	"fmt"
	"strings"

	"github.com/occfer/occfer/internal/onnx"
)

// toONNX translates a TensorFlow.js graph model into an ONNX model for OpenCV's DNN module.
// TensorFlow works in NHWC; ONNX and OpenCV in NCHW. Every 4-D activation is kept in NCHW in
// the ONNX graph, filters are transposed (HWIO -> OIHW), and a tensor leaving the image
// layout (Reshape) is first transposed back to NHWC, so that flattened outputs keep
// TensorFlow's element order. The batch is fixed at 1 and the input is NCHW [1, 3, h, w].
//
// Ops: Placeholder, Const, _FusedConv2D (BiasAdd with optional Relu, Relu6 or Prelu),
// Conv2D, DepthwiseConv2dNative, AddV2/Add, Relu, Relu6, Prelu, Sigmoid, MaxPool, Pad,
// Reshape, ConcatV2, Identity, and Shape/StridedSlice/Pack folded into constants. Any other
// op is an error naming it. Outputs are the graph's Identity nodes (by node name), in graph order.
func toONNX(m *graphModel, h, w int) (model []byte, outputs []string, err error) {
	c := &converter{m: m, vals: map[string]*value{}, g: &onnx.Graph{Name: "occfer-mediapipe"}}
	for _, n := range m.Nodes {
		if err := c.node(n, h, w); err != nil {
			return nil, nil, fmt.Errorf("node %s (%s): %w", n.Name, n.Op, err)
		}
	}
	for _, n := range m.Nodes {
		if n.Op != "Identity" {
			continue
		}
		v := c.vals[n.Name]
		if v == nil || v.konst != nil {
			continue
		}
		name, err := c.nhwc(v) // outputs in TensorFlow's layout
		if err != nil {
			return nil, nil, err
		}
		c.emit("Identity", []string{name}, n.Name)
		c.g.Outputs = append(c.g.Outputs, valueInfo(n.Name, v.shape))
		outputs = append(outputs, n.Name)
	}
	if len(outputs) == 0 {
		return nil, nil, fmt.Errorf("graph has no Identity output")
	}
	model = (&onnx.Model{Opset: opset, Producer: "occfer", Graph: *c.g}).Marshal()
	return model, outputs, nil
}

// value is one TensorFlow tensor during conversion.
type value struct {
	onnx  string  // name in the ONNX graph ("" for a constant not yet emitted)
	shape []int   // TensorFlow-order shape (NHWC for 4-D)
	nchw  bool    // a 4-D tensor stored as NCHW in the ONNX graph
	konst *tensor // constant value, for Const and folded shape ops
}

type converter struct {
	m    *graphModel
	vals map[string]*value
	g    *onnx.Graph
	seq  int
}

func (c *converter) emit(op string, inputs []string, output string, attrs ...onnx.Attr) {
	c.g.Nodes = append(c.g.Nodes, onnx.Node{Name: output, Op: op, Inputs: inputs, Outputs: []string{output}, Attrs: attrs})
}

func (c *converter) fresh(base string) string {
	c.seq++
	return fmt.Sprintf("%s/_occfer%d", base, c.seq)
}

func (c *converter) in(n tfNode, i int) (*value, error) {
	var data []string
	for _, s := range n.Input {
		if !strings.HasPrefix(s, "^") { // control dependencies carry no data
			data = append(data, strings.TrimSuffix(s, ":0"))
		}
	}
	if i >= len(data) {
		return nil, fmt.Errorf("needs input %d, has %d", i+1, len(data))
	}
	v := c.vals[data[i]]
	if v == nil {
		return nil, fmt.Errorf("input %q is not defined before it", data[i])
	}
	return v, nil
}

func (c *converter) constF(v *value, what string) ([]float32, error) {
	if v.konst == nil || v.konst.F == nil {
		return nil, fmt.Errorf("%s must be a float constant", what)
	}
	return v.konst.F, nil
}

func (c *converter) init(name string, dims []int, f []float32) string {
	c.g.Initializers = append(c.g.Initializers, onnx.Tensor{Name: name, Dims: int64s(dims...), Floats: f})
	return name
}

func (c *converter) initInt(name string, v ...int) string {
	c.g.Initializers = append(c.g.Initializers, onnx.Tensor{Name: name, Dims: []int64{int64(len(v))}, Int64s: int64s(v...), IsInt64: true})
	return name
}

// opset is the ONNX operator set the converted graphs use (Pad takes its pads as an input
// from 11 on; OpenCV 4.6 reads it).
const opset = 11

func int64s(v ...int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func intAttr(name string, v int) onnx.Attr { return onnx.Int(name, int64(v)) }

func intsAttr(name string, v ...int) onnx.Attr { return onnx.Ints(name, int64s(v...)...) }

// valueInfo is a float graph input or output of a fixed shape.
func valueInfo(name string, dims []int) onnx.ValueInfo {
	v := onnx.ValueInfo{Name: name, ElemType: onnx.Float}
	for _, d := range dims {
		v.Shape = append(v.Shape, onnx.Dim{Value: int64(d)})
	}
	return v
}

// nhwc returns the ONNX name of v in TensorFlow's element order.
func (c *converter) nhwc(v *value) (string, error) {
	if v.konst != nil {
		return "", fmt.Errorf("a constant cannot be an activation here")
	}
	if !v.nchw {
		return v.onnx, nil
	}
	out := c.fresh(v.onnx)
	c.emit("Transpose", []string{v.onnx}, out, intsAttr("perm", 0, 2, 3, 1))
	return out, nil
}

// imageIn is input i of n, which must be a 4-D activation (image).
func (c *converter) imageIn(n tfNode, i int, what string) (*value, error) {
	v, err := c.in(n, i)
	if err != nil {
		return nil, err
	}
	if err := c.image(v, what); err != nil {
		return nil, err
	}
	return v, nil
}

func (c *converter) image(v *value, what string) error {
	if v.konst != nil || !v.nchw || len(v.shape) != 4 {
		return fmt.Errorf("%s must be a 4-D activation, is %v", what, v.shape)
	}
	return nil
}

func (c *converter) node(n tfNode, h, w int) error {
	switch n.Op {
	case "Placeholder":
		c.g.Inputs = append(c.g.Inputs, valueInfo(n.Name, []int{1, 3, h, w}))
		c.vals[n.Name] = &value{onnx: n.Name, shape: []int{1, h, w, 3}, nchw: true}
	case "Const":
		t, ok := c.m.Weights[n.Name]
		if !ok {
			return fmt.Errorf("no weight in the manifest")
		}
		c.vals[n.Name] = &value{shape: t.Shape, konst: &t}
	case "Identity":
		v, err := c.in(n, 0)
		if err != nil {
			return err
		}
		c.vals[n.Name] = v
	case "_FusedConv2D", "Conv2D", "DepthwiseConv2dNative":
		return c.conv(n)
	case "AddV2", "Add":
		a, err := c.imageIn(n, 0, "first addend")
		if err != nil {
			return err
		}
		b, err := c.imageIn(n, 1, "second addend")
		if err != nil {
			return err
		}
		if fmt.Sprint(a.shape) != fmt.Sprint(b.shape) {
			return fmt.Errorf("addends differ in shape: %v and %v", a.shape, b.shape)
		}
		c.emit("Add", []string{a.onnx, b.onnx}, n.Name)
		c.vals[n.Name] = &value{onnx: n.Name, shape: a.shape, nchw: true}
	case "Relu", "Relu6", "Sigmoid", "Prelu":
		x, err := c.in(n, 0)
		if err != nil {
			return err
		}
		if x.konst != nil {
			return fmt.Errorf("activation of a constant")
		}
		if n.Op == "Prelu" {
			alpha, err := c.in(n, 1)
			if err != nil {
				return err
			}
			return c.activation(n.Name, x, "Prelu", alpha)
		}
		return c.activation(n.Name, x, n.Op, nil)
	case "MaxPool":
		return c.maxPool(n)
	case "Pad":
		return c.pad(n)
	case "Reshape":
		return c.reshape(n)
	case "ConcatV2":
		return c.concat(n)
	case "Shape", "StridedSlice", "Pack":
		return c.fold(n)
	default:
		return fmt.Errorf("unsupported op")
	}
	return nil
}

// activation emits op (Relu, Relu6, Sigmoid or Prelu with alpha) on x as node name.
func (c *converter) activation(name string, x *value, op string, alpha *value) error {
	switch op {
	case "Relu", "Sigmoid":
		c.emit(op, []string{x.onnx}, name)
	case "Relu6":
		// Clip's bounds as attributes (opset 6), not inputs (opset 11): OpenCV 4.6's importer
		// takes a Clip with exactly one input and reads "min" and "max" from its attributes.
		c.emit("Clip", []string{x.onnx}, name, onnx.Float32("min", 0), onnx.Float32("max", 6))
	case "Prelu":
		a, err := c.constF(alpha, "Prelu alpha")
		if err != nil {
			return err
		}
		ch := x.shape[len(x.shape)-1]
		if len(a) != ch {
			return fmt.Errorf("alpha of Prelu has %d values for %d channels", len(a), ch)
		}
		dims := []int{ch}
		if x.nchw {
			dims = []int{ch, 1, 1} // broadcast over H and W in NCHW
		}
		c.emit("PRelu", []string{x.onnx, c.init(name+"/slope", dims, a)}, name)
	default:
		return fmt.Errorf("unsupported activation %q", op)
	}
	c.vals[name] = &value{onnx: name, shape: x.shape, nchw: x.nchw}
	return nil
}

// samePads returns TensorFlow's SAME padding for one spatial axis: the total is split with
// the odd pixel at the end (ONNX's SAME_UPPER).
func samePads(in, k, s, d int) (before, after int) {
	out := (in + s - 1) / s
	total := max(0, (out-1)*s+(k-1)*d+1-in)
	return total / 2, total - total/2
}

// windowPads returns ONNX pads [top, left, bottom, right] and the output size for a window
// op with TensorFlow padding attribute pad ("SAME" or "VALID").
func windowPads(pad string, hw [2]int, k [2]int, s [2]int, d [2]int) (pads []int, out [2]int, err error) {
	pads = make([]int, 4)
	for a := 0; a < 2; a++ {
		switch pad {
		case "SAME":
			pads[a], pads[a+2] = samePads(hw[a], k[a], s[a], d[a])
		case "VALID":
		default:
			return nil, out, fmt.Errorf("unsupported padding %q", pad)
		}
		span := hw[a] + pads[a] + pads[a+2] - (k[a]-1)*d[a] - 1
		if span < 0 {
			return nil, out, fmt.Errorf("window %v (dilation %v) is larger than the input %v", k, d, hw)
		}
		out[a] = span/s[a] + 1
	}
	return pads, out, nil
}

func spatial(attr tfAttr, def int) ([2]int, error) {
	v, err := attr.ints()
	if err != nil {
		return [2]int{}, err
	}
	if len(v) == 0 {
		return [2]int{def, def}, nil
	}
	if len(v) != 4 || v[0] != 1 || v[3] != 1 {
		return [2]int{}, fmt.Errorf("NHWC attribute %v is not [1 h w 1]", v)
	}
	return [2]int{v[1], v[2]}, nil
}

func (c *converter) conv(n tfNode) error {
	x, err := c.imageIn(n, 0, "convolution input")
	if err != nil {
		return err
	}
	fv, err := c.in(n, 1)
	if err != nil {
		return err
	}
	f, err := c.constF(fv, "filter")
	if err != nil {
		return err
	}
	if len(fv.shape) != 4 {
		return fmt.Errorf("filter shape %v is not 4-D", fv.shape)
	}
	if df := n.Attr["data_format"].S; len(df) > 0 && string(df) != "NHWC" {
		return fmt.Errorf("data_format %q", df)
	}
	kh, kw, cin, k3 := fv.shape[0], fv.shape[1], fv.shape[2], fv.shape[3]
	if cin != x.shape[3] {
		return fmt.Errorf("filter %v does not fit input %v", fv.shape, x.shape)
	}
	depthwise := n.Op == "DepthwiseConv2dNative"
	cout, group := k3, 1
	if depthwise {
		cout, group = cin*k3, cin
	}
	// HWIO -> OIHW; depthwise [kh kw cin mult] -> [cin*mult 1 kh kw], output channel c*mult+m.
	wt := make([]float32, len(f))
	for y := 0; y < kh; y++ {
		for xx := 0; xx < kw; xx++ {
			for i := 0; i < cin; i++ {
				for o := 0; o < k3; o++ {
					src := ((y*kw+xx)*cin+i)*k3 + o
					if depthwise {
						wt[((i*k3+o)*kh+y)*kw+xx] = f[src]
					} else {
						wt[((o*cin+i)*kh+y)*kw+xx] = f[src]
					}
				}
			}
		}
	}
	wdims := []int{cout, cin, kh, kw}
	if depthwise {
		wdims[1] = 1
	}
	s, err := spatial(n.Attr["strides"], 1)
	if err != nil {
		return err
	}
	d, err := spatial(n.Attr["dilations"], 1)
	if err != nil {
		return err
	}
	pads, out, err := windowPads(string(n.Attr["padding"].S), [2]int{x.shape[1], x.shape[2]}, [2]int{kh, kw}, s, d)
	if err != nil {
		return err
	}
	inputs := []string{x.onnx, c.init(n.Name+"/W", wdims, wt)}
	var fused []string
	if n.Attr["fused_ops"].List != nil {
		for _, s := range n.Attr["fused_ops"].List.S {
			fused = append(fused, string(s))
		}
	}
	if n.Op == "_FusedConv2D" {
		if len(fused) == 0 || fused[0] != "BiasAdd" || len(fused) > 2 {
			return fmt.Errorf("fused ops %v: only BiasAdd and one activation are supported", fused)
		}
		bv, err := c.in(n, 2)
		if err != nil {
			return err
		}
		b, err := c.constF(bv, "bias")
		if err != nil {
			return err
		}
		if len(b) != cout {
			return fmt.Errorf("bias has %d values for %d channels", len(b), cout)
		}
		inputs = append(inputs, c.init(n.Name+"/B", []int{cout}, b))
	}
	convOut := n.Name
	if len(fused) == 2 {
		convOut = c.fresh(n.Name)
	}
	c.emit("Conv", inputs, convOut,
		intsAttr("kernel_shape", kh, kw), intsAttr("strides", s[0], s[1]),
		intsAttr("dilations", d[0], d[1]), intsAttr("pads", pads...), intAttr("group", group))
	conv := &value{onnx: convOut, shape: []int{1, out[0], out[1], cout}, nchw: true}
	c.vals[convOut] = conv
	if len(fused) < 2 {
		return nil
	}
	var alpha *value
	if fused[1] == "Prelu" {
		if alpha, err = c.in(n, 3); err != nil {
			return err
		}
	}
	return c.activation(n.Name, conv, fused[1], alpha)
}

func (c *converter) maxPool(n tfNode) error {
	x, err := c.imageIn(n, 0, "pooling input")
	if err != nil {
		return err
	}
	k, err := spatial(n.Attr["ksize"], 1)
	if err != nil {
		return err
	}
	s, err := spatial(n.Attr["strides"], 1)
	if err != nil {
		return err
	}
	pads, out, err := windowPads(string(n.Attr["padding"].S), [2]int{x.shape[1], x.shape[2]}, k, s, [2]int{1, 1})
	if err != nil {
		return err
	}
	if pads[2] > 0 || pads[3] > 0 {
		// TensorFlow ignores padded cells; a zero pad would win over negative activations.
		return fmt.Errorf("MaxPool with SAME padding that pads (%v) is not supported", pads)
	}
	c.emit("MaxPool", []string{x.onnx}, n.Name, intsAttr("kernel_shape", k[0], k[1]), intsAttr("strides", s[0], s[1]), intsAttr("pads", pads...))
	c.vals[n.Name] = &value{onnx: n.Name, shape: []int{1, out[0], out[1], x.shape[3]}, nchw: true}
	return nil
}

func (c *converter) pad(n tfNode) error {
	x, err := c.imageIn(n, 0, "padding input")
	if err != nil {
		return err
	}
	pv, err := c.in(n, 1)
	if err != nil {
		return err
	}
	if pv.konst == nil || len(pv.konst.I) != 8 {
		return fmt.Errorf("paddings must be a constant [4 2] integer tensor")
	}
	p := pv.konst.I
	for a, v := range p {
		if v < 0 || (a < 2 && v != 0) {
			return fmt.Errorf("paddings %v: only non-negative padding of height, width and channels is supported", p)
		}
	}
	// NHWC pairs -> ONNX [begins..., ends...] in NCHW axis order.
	order := []int{0, 3, 1, 2}
	var pads []int
	for _, side := range []int{0, 1} {
		for _, a := range order {
			pads = append(pads, int(p[2*a+side]))
		}
	}
	shape := make([]int, 4)
	for a := range shape {
		shape[a] = x.shape[a] + int(p[2*a]) + int(p[2*a+1])
	}
	c.emit("Pad", []string{x.onnx, c.initInt(n.Name+"/pads", pads...)}, n.Name)
	c.vals[n.Name] = &value{onnx: n.Name, shape: shape, nchw: true}
	return nil
}

func (c *converter) reshape(n tfNode) error {
	x, err := c.in(n, 0)
	if err != nil {
		return err
	}
	sv, err := c.in(n, 1)
	if err != nil {
		return err
	}
	if sv.konst == nil || sv.konst.I == nil {
		return fmt.Errorf("target shape is not a constant")
	}
	total := 1
	for _, d := range x.shape {
		total *= d
	}
	shape, known, unknown := make([]int, len(sv.konst.I)), 1, -1
	for i, d := range sv.konst.I {
		shape[i] = int(d)
		if d < -1 || (d == -1 && unknown >= 0) {
			return fmt.Errorf("cannot reshape %v to %v", x.shape, sv.konst.I)
		}
		if d == -1 {
			unknown = i
		} else {
			known *= int(d)
		}
	}
	if unknown >= 0 && known > 0 {
		shape[unknown] = total / known
	}
	prod := 1
	for _, d := range shape {
		prod *= d
	}
	if prod != total {
		return fmt.Errorf("cannot reshape %v to %v", x.shape, sv.konst.I)
	}
	src, err := c.nhwc(x)
	if err != nil {
		return err
	}
	c.emit("Reshape", []string{src, c.initInt(n.Name+"/shape", shape...)}, n.Name)
	c.vals[n.Name] = &value{onnx: n.Name, shape: shape}
	return nil
}

func (c *converter) concat(n tfNode) error {
	var data []*value
	for i := 0; ; i++ {
		v, err := c.in(n, i)
		if err != nil {
			break
		}
		data = append(data, v)
	}
	if len(data) < 2 {
		return fmt.Errorf("needs inputs and an axis")
	}
	axisV := data[len(data)-1]
	if axisV.konst == nil || len(axisV.konst.I) != 1 {
		return fmt.Errorf("axis is not a constant integer")
	}
	parts := data[:len(data)-1]
	rank := len(parts[0].shape)
	axis := int(axisV.konst.I[0])
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return fmt.Errorf("axis %d out of range for rank %d", axisV.konst.I[0], rank)
	}
	shape := append([]int(nil), parts[0].shape...)
	shape[axis] = 0
	var names []string
	for _, p := range parts {
		if p.konst != nil || p.nchw || len(p.shape) != rank {
			return fmt.Errorf("only non-image activations of one rank are concatenated")
		}
		for a := range p.shape {
			if a != axis && p.shape[a] != parts[0].shape[a] {
				return fmt.Errorf("shapes %v and %v differ off axis %d", parts[0].shape, p.shape, axis)
			}
		}
		shape[axis] += p.shape[axis]
		names = append(names, p.onnx)
	}
	c.emit("Concat", names, n.Name, intAttr("axis", axis))
	c.vals[n.Name] = &value{onnx: n.Name, shape: shape}
	return nil
}

// fold evaluates the integer shape arithmetic TensorFlow emits before a Reshape
// (Shape -> StridedSlice -> Pack) on the static shapes known here.
func (c *converter) fold(n tfNode) error {
	x, err := c.in(n, 0)
	if err != nil {
		return err
	}
	var out tensor
	switch n.Op {
	case "Shape":
		out.Shape = []int{len(x.shape)}
		for _, d := range x.shape {
			out.I = append(out.I, int32(d))
		}
	case "StridedSlice":
		var idx [3]int32
		for i := 1; i <= 3; i++ {
			v, err := c.in(n, i)
			if err != nil {
				return err
			}
			if v.konst == nil || len(v.konst.I) != 1 {
				return fmt.Errorf("only 1-D slices with constant begin/end/stride are folded")
			}
			idx[i-1] = v.konst.I[0]
		}
		if x.konst == nil || len(x.shape) != 1 || n.Attr["shrink_axis_mask"].I != "1" || idx[2] != 1 || idx[1] != idx[0]+1 {
			return fmt.Errorf("only x[i] on a constant vector is folded")
		}
		if int(idx[0]) >= len(x.konst.I) || idx[0] < 0 {
			return fmt.Errorf("index %d out of %d", idx[0], len(x.konst.I))
		}
		out.I = []int32{x.konst.I[idx[0]]}
	case "Pack":
		if axis := n.Attr["axis"].I; axis != "" && axis != "0" {
			return fmt.Errorf("packing along axis %s is not supported", axis)
		}
		for i := 0; ; i++ {
			v, err := c.in(n, i)
			if err != nil {
				break
			}
			if v.konst == nil || len(v.konst.I) != 1 {
				return fmt.Errorf("only scalar integer constants are packed")
			}
			out.I = append(out.I, v.konst.I[0])
		}
		out.Shape = []int{len(out.I)}
	}
	c.vals[n.Name] = &value{shape: out.Shape, konst: &out}
	return nil
}
