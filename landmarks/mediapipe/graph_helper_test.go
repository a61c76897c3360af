package mediapipe

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gocv.io/x/gocv"
)

// tfGraph builds a tiny TensorFlow.js graph model (model.json in protobuf-JSON form, as the
// tfjs converter writes it, plus one weights shard) for the op-level tests.
type tfGraph struct {
	nodes    []map[string]any
	manifest []map[string]any
	shard    []byte
}

func (g *tfGraph) node(name, op string, inputs []string, attr map[string]any) {
	n := map[string]any{"name": name, "op": op}
	if len(inputs) > 0 {
		n["input"] = inputs
	}
	if attr != nil {
		n["attr"] = attr
	}
	g.nodes = append(g.nodes, n)
}

func (g *tfGraph) placeholder(name string) {
	g.node(name, "Placeholder", nil, map[string]any{"dtype": map[string]any{"type": "DT_FLOAT"}})
}

func (g *tfGraph) weight(name string, shape []int, spec map[string]any, data []byte) {
	g.node(name, "Const", nil, map[string]any{"dtype": map[string]any{"type": "DT_FLOAT"}})
	spec["name"], spec["shape"] = name, shape
	g.manifest = append(g.manifest, spec)
	g.shard = append(g.shard, data...)
}

// constF adds a float32 constant stored as float32.
func (g *tfGraph) constF(name string, shape []int, v []float32) {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	g.weight(name, shape, map[string]any{"dtype": "float32"}, b)
}

// constF16 adds a float32 constant stored quantized to float16; every value must be exact
// in binary16 (see f16Exact).
func (g *tfGraph) constF16(t *testing.T, name string, shape []int, v []float32) {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], halfBits(t, x))
	}
	g.weight(name, shape, map[string]any{"dtype": "float32",
		"quantization": map[string]any{"dtype": "float16", "original_dtype": "float32"}}, b)
}

// constI adds an int32 constant (shapes, paddings, axes).
func (g *tfGraph) constI(name string, shape []int, v ...int32) {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	g.weight(name, shape, map[string]any{"dtype": "int32"}, b)
}

// write saves model.json and model.bin in a new temporary folder and returns model.json's path.
func (g *tfGraph) write(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	doc := map[string]any{
		"format":          "graph-model",
		"generatedBy":     "occfer test",
		"modelTopology":   map[string]any{"node": g.nodes},
		"weightsManifest": []any{map[string]any{"paths": []string{"model.bin"}, "weights": g.manifest}},
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "model.json")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.bin"), g.shard, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Attribute values in protobuf-JSON form: bytes as base64, int64 as decimal strings.
func tfS(s string) map[string]any {
	return map[string]any{"s": base64.StdEncoding.EncodeToString([]byte(s))}
}

func tfInts(v ...int) map[string]any {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return map[string]any{"list": map[string]any{"i": s}}
}

func tfStrings(v ...string) map[string]any {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = base64.StdEncoding.EncodeToString([]byte(x))
	}
	return map[string]any{"list": map[string]any{"s": s}}
}

// convAttr is the attribute set the tfjs converter writes on a convolution; fused lists the
// _FusedConv2D fused ops (none for Conv2D and DepthwiseConv2dNative).
func convAttr(stride int, padding string, fused ...string) map[string]any {
	a := map[string]any{
		"strides":     tfInts(1, stride, stride, 1),
		"dilations":   tfInts(1, 1, 1, 1),
		"padding":     tfS(padding),
		"data_format": tfS("NHWC"),
		"T":           map[string]any{"type": "DT_FLOAT"},
	}
	if len(fused) > 0 {
		a["fused_ops"] = tfStrings(fused...)
		a["num_args"] = map[string]any{"i": strconv.Itoa(len(fused))}
	}
	return a
}

// halfBits encodes x, which must be exact in binary16 and normal or zero, as binary16 bits.
// Written independently of halfToFloat, so that a float16 weight checks the decoder.
func halfBits(t *testing.T, x float32) uint16 {
	t.Helper()
	if x == 0 {
		return 0
	}
	var sign uint16
	if x < 0 {
		sign, x = 0x8000, -x
	}
	frac, exp := math.Frexp(float64(x)) // x = frac * 2^exp, frac in [0.5, 1)
	m := frac*2048 - 1024               // 10 fraction bits of 1.f * 2^(exp-1)
	if m != math.Trunc(m) || exp-1 < -14 || exp-1 > 15 {
		t.Fatalf("%g is not a normal binary16 value", x)
	}
	return sign | uint16(exp-1+15)<<10 | uint16(m)
}

// randF returns n seeded values k/64 for k in [-64*amp, 64*amp]: exact in binary16, so a
// weight can be stored either way.
func randF(r *rand.Rand, n int, amp float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.Round((r.Float64()*2-1)*amp*64) / 64)
	}
	return v
}

// img is a batch-1 NHWC float tensor for the reference implementation.
type img struct {
	h, w, c int
	d       []float32
}

func newImg(h, w, c int) img { return img{h, w, c, make([]float32, h*w*c)} }

func (m img) at(y, x, ch int) float32 { return m.d[(y*m.w+x)*m.c+ch] }

func (m img) set(y, x, ch int, v float32) { m.d[(y*m.w+x)*m.c+ch] = v }

// tfOut returns TensorFlow's output size and leading pad for one axis: SAME gives
// ceil(in/s) with the odd padded pixel after; VALID pads nothing.
func tfOut(padding string, in, k, s int) (out, before int) {
	if padding == "VALID" {
		return (in-k)/s + 1, 0
	}
	out = (in + s - 1) / s
	total := (out-1)*s + k - in
	if total < 0 {
		total = 0
	}
	return out, total / 2
}

// refConv is TensorFlow's Conv2D (f HWIO [kh kw cin cout]) or, with depthwise, its
// DepthwiseConv2dNative (f [kh kw cin mult], output channel i*mult+m), by naive loops.
func refConv(x img, f []float32, kh, kw, k3 int, stride int, padding string, depthwise bool) img {
	oh, pt := tfOut(padding, x.h, kh, stride)
	ow, pl := tfOut(padding, x.w, kw, stride)
	cout := k3
	if depthwise {
		cout = x.c * k3
	}
	y := newImg(oh, ow, cout)
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			for o := 0; o < cout; o++ {
				var sum float64
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						iy, ix := oy*stride-pt+ky, ox*stride-pl+kx
						if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w {
							continue
						}
						if depthwise {
							i, m := o/k3, o%k3
							sum += float64(x.at(iy, ix, i)) * float64(f[((ky*kw+kx)*x.c+i)*k3+m])
							continue
						}
						for i := 0; i < x.c; i++ {
							sum += float64(x.at(iy, ix, i)) * float64(f[((ky*kw+kx)*x.c+i)*k3+o])
						}
					}
				}
				y.set(oy, ox, o, float32(sum))
			}
		}
	}
	return y
}

// each applies fn(value, channel) to every element, in a copy.
func (m img) each(fn func(v float32, ch int) float32) img {
	y := newImg(m.h, m.w, m.c)
	for i, v := range m.d {
		y.d[i] = fn(v, i%m.c)
	}
	return y
}

func refBias(x img, b []float32) img {
	return x.each(func(v float32, ch int) float32 { return v + b[ch] })
}

func refRelu(x img) img { return x.each(func(v float32, _ int) float32 { return max(v, 0) }) }

func refRelu6(x img) img {
	return x.each(func(v float32, _ int) float32 { return min(max(v, 0), 6) })
}

func refPrelu(x img, alpha []float32) img {
	return x.each(func(v float32, ch int) float32 {
		if v < 0 {
			return alpha[ch] * v
		}
		return v
	})
}

func refSigmoid(d []float32) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
	return out
}

func refAdd(a, b img) img {
	y := newImg(a.h, a.w, a.c)
	for i := range y.d {
		y.d[i] = a.d[i] + b.d[i]
	}
	return y
}

// refMaxPool2 is MaxPool with a 2x2 window, stride 2, VALID padding.
func refMaxPool2(x img) img {
	y := newImg(x.h/2, x.w/2, x.c)
	for oy := 0; oy < y.h; oy++ {
		for ox := 0; ox < y.w; ox++ {
			for ch := 0; ch < x.c; ch++ {
				v := float32(math.Inf(-1))
				for k := 0; k < 4; k++ {
					v = max(v, x.at(2*oy+k/2, 2*ox+k%2, ch))
				}
				y.set(oy, ox, ch, v)
			}
		}
	}
	return y
}

// refPadChannels appends k zero channels (Pad with [[0,0],[0,0],[0,0],[0,k]]).
func refPadChannels(x img, k int) img {
	y := newImg(x.h, x.w, x.c+k)
	for yy := 0; yy < x.h; yy++ {
		for xx := 0; xx < x.w; xx++ {
			for ch := 0; ch < x.c; ch++ {
				y.set(yy, xx, ch, x.at(yy, xx, ch))
			}
		}
	}
	return y
}

// runGraph converts the model at path for an h x w input, runs it with OpenCV on the NHWC
// input x and returns every output by name.
func runGraph(t *testing.T, path string, x img) map[string][]float32 {
	t.Helper()
	n, err := openNetwork(path, x.h, x.w)
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	blob := gocv.NewMatWithSizes([]int{1, 3, x.h, x.w}, gocv.MatTypeCV32F)
	defer blob.Close()
	data, err := blob.DataPtrFloat32()
	if err != nil {
		t.Fatal(err)
	}
	for yy := 0; yy < x.h; yy++ {
		for xx := 0; xx < x.w; xx++ {
			for ch := 0; ch < 3; ch++ {
				data[(ch*x.h+yy)*x.w+xx] = x.at(yy, xx, ch)
			}
		}
	}
	out, err := n.run(blob)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(n.outputs) {
		t.Fatalf("%d outputs for names %v", len(out), n.outputs)
	}
	return out
}

// assertClose checks got against want elementwise, within 1e-4 of want's largest magnitude.
func assertClose(t *testing.T, name string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	var scale float64
	for _, v := range want {
		scale = max(scale, math.Abs(float64(v)))
	}
	if scale == 0 {
		t.Fatalf("%s: reference output is all zero; the test checks nothing", name)
	}
	tol := 1e-4 * scale
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= tol) {
			t.Fatalf("%s: element %d = %g, want %g (|diff| %g > %g)", name, i, got[i], want[i], d, tol)
		}
	}
}
