package mediapipe

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// convSpec is one convolution node for a test graph: op is _FusedConv2D, Conv2D or
// DepthwiseConv2dNative; k3 is the output channels (or the channel multiplier for a
// depthwise one); act is the fused activation after BiasAdd ("" for BiasAdd alone).
type convSpec struct {
	op           string
	kh, kw, k3   int
	stride       int
	padding, act string
	amp          float64 // weight amplitude
	f16          bool    // store the filter quantized to float16
}

// addConv adds the convolution name on input (whose value the reference knows as x) with
// seeded weights and returns the reference output.
func addConv(t *testing.T, g *tfGraph, r *rand.Rand, name, input string, x img, s convSpec) img {
	t.Helper()
	fshape := []int{s.kh, s.kw, x.c, s.k3}
	f := randF(r, s.kh*s.kw*x.c*s.k3, s.amp)
	if s.f16 {
		g.constF16(t, name+"/filter", fshape, f)
	} else {
		g.constF(name+"/filter", fshape, f)
	}
	inputs := []string{input, name + "/filter"}
	y := refConv(x, f, s.kh, s.kw, s.k3, s.stride, s.padding, s.op == "DepthwiseConv2dNative")
	var fused []string
	if s.op == "_FusedConv2D" {
		b := randF(r, y.c, 0.5)
		g.constF(name+"/bias", []int{y.c}, b)
		inputs = append(inputs, name+"/bias")
		y = refBias(y, b)
		fused = append(fused, "BiasAdd")
		switch s.act {
		case "Relu":
			y = refRelu(y)
		case "Relu6":
			mustClip(t, y)
			y = refRelu6(y)
		case "Prelu":
			alpha := randF(r, y.c, 1)
			g.constF16(t, name+"/alpha", []int{1, 1, y.c}, alpha)
			inputs = append(inputs, name+"/alpha")
			y = refPrelu(y, alpha)
		}
		if s.act != "" {
			fused = append(fused, s.act)
		}
	}
	g.node(name, s.op, inputs, convAttr(s.stride, s.padding, fused...))
	return y
}

// mustClip fails unless x, the input of a Relu6, has values above 6 and in (0, 6): a case
// without both would not tell Relu6 from Relu or from the identity.
func mustClip(t *testing.T, x img) {
	t.Helper()
	var above, inside bool
	for _, v := range x.d {
		above = above || v > 6
		inside = inside || (v > 0 && v < 6)
	}
	if !above || !inside {
		t.Fatalf("Relu6 input does not span (0, 6) and above 6")
	}
}

// opCase is one op-level conversion test: build adds nodes after the Placeholder "input"
// (whose value is x) and returns the reference value of every Identity output.
type opCase struct {
	name  string
	h, w  int
	build func(t *testing.T, g *tfGraph, r *rand.Rand, x img) map[string][]float32
}

// oneConv is a case made of a single convolution on the input, as the output "Identity".
func oneConv(name string, h, w int, s convSpec) opCase {
	return opCase{name, h, w, func(t *testing.T, g *tfGraph, r *rand.Rand, x img) map[string][]float32 {
		y := addConv(t, g, r, "conv", "input", x, s)
		g.node("Identity", "Identity", []string{"conv"}, nil)
		return map[string][]float32{"Identity": y.d}
	}}
}

var opCases = []opCase{
	oneConv("fused conv 3x3 SAME stride 1 relu", 6, 5, convSpec{"_FusedConv2D", 3, 3, 4, 1, "SAME", "Relu", 1, false}),
	// 8 rows: SAME pads 0 before and 1 after (TensorFlow's odd pixel at the end); 7 columns:
	// 1 and 1.
	oneConv("fused conv 3x3 SAME stride 2 even/odd size", 8, 7, convSpec{"_FusedConv2D", 3, 3, 5, 2, "SAME", "", 1, false}),
	// 7 rows, 9 columns with a 4x4 kernel: SAME pads 1 before and 2 after on both axes.
	oneConv("fused conv 4x4 SAME stride 2 odd size", 7, 9, convSpec{"_FusedConv2D", 4, 4, 3, 2, "SAME", "", 1, false}),
	oneConv("conv 2x3 VALID stride 1", 5, 6, convSpec{"Conv2D", 2, 3, 4, 1, "VALID", "", 1, false}),
	oneConv("conv 3x2 VALID stride 2", 9, 8, convSpec{"Conv2D", 3, 2, 2, 2, "VALID", "", 1, false}),
	oneConv("conv 1x1", 4, 3, convSpec{"Conv2D", 1, 1, 6, 1, "VALID", "", 1, false}),
	// Weights up to 3 over 27 products: many sums above 6, clipped.
	oneConv("fused conv relu6", 6, 6, convSpec{"_FusedConv2D", 3, 3, 4, 1, "SAME", "Relu6", 3, false}),
	oneConv("fused conv prelu float16", 6, 7, convSpec{"_FusedConv2D", 3, 3, 4, 2, "SAME", "Prelu", 1, true}),
	oneConv("depthwise 3x3 SAME stride 1 multiplier 1", 6, 5, convSpec{"DepthwiseConv2dNative", 3, 3, 1, 1, "SAME", "", 1, false}),
	oneConv("depthwise 3x3 SAME stride 2 multiplier 2", 8, 6, convSpec{"DepthwiseConv2dNative", 3, 3, 2, 2, "SAME", "", 1, false}),
	oneConv("depthwise 5x5 SAME stride 2 odd size multiplier 2", 7, 9, convSpec{"DepthwiseConv2dNative", 5, 5, 2, 2, "SAME", "", 1, true}),
	{"residual add relu relu6 prelu", 6, 5, func(t *testing.T, g *tfGraph, r *rand.Rand, x img) map[string][]float32 {
		a := addConv(t, g, r, "a", "input", x, convSpec{"_FusedConv2D", 3, 3, 4, 1, "SAME", "", 1, false})
		b := addConv(t, g, r, "b", "a", a, convSpec{"DepthwiseConv2dNative", 3, 3, 1, 1, "SAME", "", 1, false})
		g.node("sum", "AddV2", []string{"a", "b"}, nil)
		sum := refAdd(a, b)
		alpha := randF(r, 4, 1)
		g.constF("alpha", []int{1, 1, 4}, alpha)
		g.node("prelu", "Prelu", []string{"sum", "alpha"}, nil)
		g.node("relu", "Relu", []string{"sum"}, nil)
		// Scaled up by a second conv so that Relu6 clips.
		c := addConv(t, g, r, "c", "sum", sum, convSpec{"Conv2D", 1, 1, 4, 1, "VALID", "", 3, false})
		mustClip(t, c)
		g.node("relu6", "Relu6", []string{"c"}, nil)
		g.node("Identity", "Identity", []string{"prelu"}, nil)
		g.node("Identity_1", "Identity", []string{"relu"}, nil)
		g.node("Identity_2", "Identity", []string{"relu6"}, nil)
		return map[string][]float32{
			"Identity":   refPrelu(sum, alpha).d,
			"Identity_1": refRelu(sum).d,
			"Identity_2": refRelu6(c).d,
		}
	}},
	// BlazeFace's downsampling block: MaxPool 2x2/2, channel padding, added to a strided conv.
	{"maxpool channel pad add", 8, 6, func(t *testing.T, g *tfGraph, r *rand.Rand, x img) map[string][]float32 {
		a := addConv(t, g, r, "a", "input", x, convSpec{"Conv2D", 3, 3, 4, 1, "SAME", "", 1, false})
		pool := map[string]any{"ksize": tfInts(1, 2, 2, 1), "strides": tfInts(1, 2, 2, 1), "padding": tfS("VALID"), "data_format": tfS("NHWC")}
		g.node("pool", "MaxPool", []string{"a"}, pool)
		p := refMaxPool2(a)
		g.constI("pad/paddings", []int{4, 2}, 0, 0, 0, 0, 0, 0, 0, 2)
		g.node("pad", "Pad", []string{"pool", "pad/paddings"}, nil)
		b := addConv(t, g, r, "b", "a", a, convSpec{"_FusedConv2D", 3, 3, 6, 2, "SAME", "Relu", 1, false})
		g.node("sum", "AddV2", []string{"pad", "b"}, nil)
		// SAME on an even size pads nothing and is accepted.
		pool["padding"] = tfS("SAME")
		g.node("pool_same", "MaxPool", []string{"a"}, pool)
		g.node("Identity", "Identity", []string{"sum"}, nil)
		g.node("Identity_1", "Identity", []string{"pool_same"}, nil)
		return map[string][]float32{"Identity": refAdd(refPadChannels(p, 2), b).d, "Identity_1": p.d}
	}},
	{"maxpool VALID odd size", 7, 5, func(t *testing.T, g *tfGraph, r *rand.Rand, x img) map[string][]float32 {
		a := addConv(t, g, r, "a", "input", x, convSpec{"Conv2D", 1, 1, 3, 1, "VALID", "", 1, false})
		g.node("pool", "MaxPool", []string{"a"}, map[string]any{"ksize": tfInts(1, 2, 2, 1), "strides": tfInts(1, 2, 2, 1), "padding": tfS("VALID")})
		g.node("Identity", "Identity", []string{"pool"}, nil)
		return map[string][]float32{"Identity": refMaxPool2(a).d}
	}},
	// BlazeFace's and FaceMesh's heads: 4-D maps flattened to [1, -1, c] in NHWC order (one
	// target shape constant, one folded from Shape/StridedSlice/Pack), concatenated along
	// the anchors, and a Sigmoid on the result; plus a 4-D output.
	{"reshape concat sigmoid outputs", 8, 6, func(t *testing.T, g *tfGraph, r *rand.Rand, x img) map[string][]float32 {
		a := addConv(t, g, r, "a", "input", x, convSpec{"_FusedConv2D", 3, 3, 2, 1, "SAME", "", 1, false})
		b := addConv(t, g, r, "b", "input", x, convSpec{"_FusedConv2D", 3, 3, 2, 2, "SAME", "", 1, false})
		g.constI("ra/shape", []int{3}, 1, -1, 2)
		g.node("ra", "Reshape", []string{"a", "ra/shape"}, nil)
		g.node("rb/Shape", "Shape", []string{"b"}, nil)
		g.constI("rb/begin", []int{1}, 0)
		g.constI("rb/end", []int{1}, 1)
		g.constI("rb/step", []int{1}, 1)
		g.node("rb/batch", "StridedSlice", []string{"rb/Shape", "rb/begin", "rb/end", "rb/step"},
			map[string]any{"shrink_axis_mask": map[string]any{"i": "1"}, "begin_mask": map[string]any{"i": "0"}})
		g.constI("rb/minus1", nil, -1)
		g.constI("rb/two", nil, 2)
		g.node("rb/shape", "Pack", []string{"rb/batch", "rb/minus1", "rb/two"}, map[string]any{"axis": map[string]any{"i": "0"}})
		g.node("rb", "Reshape", []string{"b", "rb/shape"}, nil)
		g.constI("cat/axis", nil, 1)
		g.node("cat", "ConcatV2", []string{"ra", "rb", "cat/axis"}, nil)
		g.node("sig", "Sigmoid", []string{"cat"}, nil)
		cat := append(append([]float32(nil), a.d...), b.d...)
		// Node order as in facemesh.json (Identity_1 first).
		g.node("Identity_1", "Identity", []string{"sig"}, nil)
		g.node("Identity", "Identity", []string{"cat"}, nil)
		g.node("Identity_2", "Identity", []string{"b", "^a"}, nil) // a control input carries no data
		return map[string][]float32{"Identity": cat, "Identity_1": refSigmoid(cat), "Identity_2": b.d}
	}},
}

// TestConvertOps converts tiny TensorFlow.js graphs, runs them with OpenCV and compares every
// output with a naive NHWC implementation of TensorFlow's ops, within 1e-4 of the output's
// largest magnitude.
func TestConvertOps(t *testing.T) {
	for i, tc := range opCases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(i)))
			x := newImg(tc.h, tc.w, 3)
			copy(x.d, randF(r, len(x.d), 1))
			g := &tfGraph{}
			g.placeholder("input")
			want := tc.build(t, g, r, x)
			got := runGraph(t, g.write(t), x)
			names := slices.Sorted(func(yield func(string) bool) {
				for k := range got {
					if !yield(k) {
						return
					}
				}
			})
			wantNames := slices.Sorted(func(yield func(string) bool) {
				for k := range want {
					if !yield(k) {
						return
					}
				}
			})
			if !slices.Equal(names, wantNames) {
				t.Fatalf("outputs %v, want %v", names, wantNames)
			}
			for _, name := range wantNames {
				assertClose(t, name, got[name], want[name])
			}
		})
	}
}

// TestConvertErrors checks that graphs the converter cannot translate faithfully are refused
// with an error naming the node, before anything reaches OpenCV (which aborts the process on
// a bad model).
func TestConvertErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(t *testing.T, g *tfGraph)
		want  []string // substrings of the error
	}{
		{"unsupported op", func(t *testing.T, g *tfGraph) {
			g.node("head/act", "Tanh", []string{"input"}, nil)
		}, []string{"head/act", "Tanh", "unsupported op"}},
		{"prelu alpha length", func(t *testing.T, g *tfGraph) {
			g.constF("w", []int{1, 1, 3, 4}, make([]float32, 12))
			g.node("conv", "Conv2D", []string{"input", "w"}, convAttr(1, "VALID"))
			g.constF("alpha", []int{1, 1, 3}, []float32{1, 2, 3})
			g.node("act", "Prelu", []string{"conv", "alpha"}, nil)
		}, []string{"act", "Prelu", "3 values for 4 channels"}},
		{"fused prelu alpha length", func(t *testing.T, g *tfGraph) {
			g.constF("w", []int{1, 1, 3, 4}, make([]float32, 12))
			g.constF("b", []int{4}, make([]float32, 4))
			g.constF("alpha", []int{1, 1, 5}, make([]float32, 5))
			g.node("conv", "_FusedConv2D", []string{"input", "w", "b", "alpha"}, convAttr(1, "SAME", "BiasAdd", "Prelu"))
		}, []string{"conv", "_FusedConv2D", "5 values for 4 channels"}},
		{"filter input channels", func(t *testing.T, g *tfGraph) {
			g.constF("w", []int{3, 3, 4, 2}, make([]float32, 72))
			g.node("conv", "Conv2D", []string{"input", "w"}, convAttr(1, "SAME"))
		}, []string{"conv", "Conv2D", "does not fit input"}},
		{"depthwise filter channels", func(t *testing.T, g *tfGraph) {
			g.constF("w", []int{3, 3, 2, 1}, make([]float32, 18))
			g.node("dw", "DepthwiseConv2dNative", []string{"input", "w"}, convAttr(1, "SAME"))
		}, []string{"dw", "DepthwiseConv2dNative", "does not fit input"}},
		{"reshape not divisible", func(t *testing.T, g *tfGraph) {
			g.constI("shape", []int{3}, 1, -1, 5) // 4*4*3 = 48 values
			g.node("flat", "Reshape", []string{"input", "shape"}, nil)
		}, []string{"flat", "Reshape", "cannot reshape"}},
		{"reshape wrong size", func(t *testing.T, g *tfGraph) {
			g.constI("shape", []int{3}, 1, 16, 4)
			g.node("flat", "Reshape", []string{"input", "shape"}, nil)
		}, []string{"flat", "Reshape", "cannot reshape"}},
		{"reshape two unknowns", func(t *testing.T, g *tfGraph) {
			g.constI("shape", []int{3}, 1, -1, -1)
			g.node("flat", "Reshape", []string{"input", "shape"}, nil)
		}, []string{"flat", "Reshape", "cannot reshape"}},
		{"reshape negative size", func(t *testing.T, g *tfGraph) {
			g.constI("shape", []int{2}, -48, -1) // -48 * -1 = 48 values must not pass
			g.node("flat", "Reshape", []string{"input", "shape"}, nil)
		}, []string{"flat", "Reshape", "cannot reshape"}},
		{"maxpool SAME that pads", func(t *testing.T, g *tfGraph) {
			g.constI("pad/paddings", []int{4, 2}, 0, 0, 0, 1, 0, 0, 0, 0) // 5x4
			g.node("pad", "Pad", []string{"input", "pad/paddings"}, nil)
			g.node("pool", "MaxPool", []string{"pad"}, map[string]any{"ksize": tfInts(1, 2, 2, 1), "strides": tfInts(1, 2, 2, 1), "padding": tfS("SAME")})
		}, []string{"pool", "MaxPool", "SAME padding that pads"}},
		{"negative padding", func(t *testing.T, g *tfGraph) {
			g.constI("pad/paddings", []int{4, 2}, 0, 0, 0, 0, -1, 0, 0, 0)
			g.node("pad", "Pad", []string{"input", "pad/paddings"}, nil)
		}, []string{"pad", "Pad", "non-negative padding"}},
		{"batch padding", func(t *testing.T, g *tfGraph) {
			g.constI("pad/paddings", []int{4, 2}, 0, 1, 0, 0, 0, 0, 0, 0)
			g.node("pad", "Pad", []string{"input", "pad/paddings"}, nil)
		}, []string{"pad", "Pad", "non-negative padding"}},
		{"concat axis out of range", func(t *testing.T, g *tfGraph) {
			g.constI("shape", []int{3}, 1, -1, 3)
			g.node("r", "Reshape", []string{"input", "shape"}, nil)
			g.constI("axis", nil, 3)
			g.node("cat", "ConcatV2", []string{"r", "r", "axis"}, nil)
		}, []string{"cat", "ConcatV2", "axis"}},
		{"concat shapes differ", func(t *testing.T, g *tfGraph) {
			g.constI("s1", []int{3}, 1, -1, 3)
			g.node("r1", "Reshape", []string{"input", "s1"}, nil)
			g.constI("s2", []int{3}, 1, -1, 6)
			g.node("r2", "Reshape", []string{"input", "s2"}, nil)
			g.constI("axis", nil, 1)
			g.node("cat", "ConcatV2", []string{"r1", "r2", "axis"}, nil)
		}, []string{"cat", "ConcatV2", "shape"}},
		{"conv kernel larger than input", func(t *testing.T, g *tfGraph) {
			g.constF("w", []int{5, 5, 3, 2}, make([]float32, 150))
			g.node("conv", "Conv2D", []string{"input", "w"}, convAttr(1, "VALID"))
		}, []string{"conv", "Conv2D"}},
		{"undefined input", func(t *testing.T, g *tfGraph) {
			g.node("relu", "Relu", []string{"nowhere"}, nil)
		}, []string{"relu", "Relu", `"nowhere" is not defined`}},
		{"no output", func(t *testing.T, g *tfGraph) {
			g.node("relu", "Relu", []string{"input"}, nil)
		}, []string{"no Identity output"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := &tfGraph{}
			g.placeholder("input")
			tc.build(t, g)
			if tc.name != "no output" {
				g.node("Identity", "Identity", []string{g.nodes[len(g.nodes)-1]["name"].(string)}, nil)
			}
			m, err := loadGraphModel(g.write(t))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = toONNX(m, 4, 4)
			if err == nil {
				t.Fatalf("converted; want an error with %q", tc.want)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}
