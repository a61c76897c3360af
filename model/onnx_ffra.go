package model

import (
	"fmt"

	"github.com/occfer/occfer/internal/onnx"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/sugarme/gotch/ts"
)

func (n *ffraNet) onnx(e *onnxEmitter, x string) string {
	y := n.stem.onnx(e, x)
	for _, st := range []*stage{n.layer1, n.layer2, n.layer3} {
		y = st.onnx(e, y)
		if st.name == n.cfg.Insert && n.cfg.HasModule() {
			y = n.onnxModule(e, y, e.shape(st.name))
		}
	}
	y = n.l4.onnx(e, y)
	return onnxGAPLinear(e, y, n.fc)
}

// onnxModule is the branches and their fusion (spec 5) on X of shape [C,h,w].
func (n *ffraNet) onnxModule(e *onnxEmitter, x string, shape []int64) string {
	var yms, yla string
	if n.ms != nil {
		yms = n.ms.onnx(e, x)
	}
	if n.la != nil {
		yla = n.la.onnx(e, x, shape)
	}
	var mixed string
	switch {
	case yms != "" && yla != "" && n.cfg.Fusion == ffranet.FusionConcat:
		cat := e.node("Concat", "fuse", []string{yla, yms}, onnx.Int("axis", 1))
		mixed = onnxConvBN(e, n.fuse.conv, n.fuse.bn, cat, false)
	case yms != "" && yla != "" && n.cfg.Fusion == ffranet.FusionWeighted:
		a := e.node("Mul", "fuse.la", []string{yla, e.b.Scalar("fuse.lambda", float32(n.cfg.Lambda))})
		b := e.node("Mul", "fuse.ms", []string{yms, e.b.Scalar("fuse.one_minus_lambda", float32(1-n.cfg.Lambda))})
		mixed = onnxAdd(e, a, b, "fuse")
	case yms != "" && yla != "":
		mixed = onnxAdd(e, yla, yms, "fuse")
	case yms != "":
		mixed = yms
	default:
		mixed = yla
	}
	return onnxAdd(e, mixed, x, "fuse.residual")
}

func (c *cbr) onnx(e *onnxEmitter, x string) string { return onnxConvBN(e, c.conv, c.bn, x, true) }

func (m *multiScale) onnx(e *onnxEmitter, x string) string {
	w := m.ch / 4
	var ys []string
	for i, c := range m.convs {
		xi := onnxSlice(e, x, fmt.Sprintf("ms.split.%d", i), []int64{1}, []int64{int64(i) * w}, []int64{int64(i+1) * w})
		if i > 0 {
			xi = onnxAdd(e, xi, ys[i-1], fmt.Sprintf("ms.convs.%d.input", i))
		}
		ys = append(ys, c.onnx(e, xi))
	}
	return e.node("Concat", "ms", ys, onnx.Int("axis", 1))
}

// onnx is spec 4: pad odd sizes bottom/right, four quadrants in raster order through the
// recurrence, re-assembled and cropped.
func (la *localAttention) onnx(e *onnxEmitter, x string, shape []int64) string {
	s := la.convS.onnx(e, x)
	h, w := shape[1], shape[2]
	if h%2 == 1 || w%2 == 1 {
		s = e.node("Pad", "la.pad", []string{s, e.b.Int64s("la.pad.pads", 0, 0, 0, 0, 0, 0, h%2, w%2)}, onnx.String("mode", "constant"))
	}
	ph, pw := (h+h%2)/2, (w+w%2)/2
	var ys []string
	for i := 0; i < 4; i++ {
		r, c := int64(i/2), int64(i%2)
		si := onnxSlice(e, s, fmt.Sprintf("la.split.%d", i), []int64{2, 3}, []int64{r * ph, c * pw}, []int64{(r + 1) * ph, (c + 1) * pw})
		if i > 0 {
			si = onnxAdd(e, si, ys[i-1], fmt.Sprintf("la.parts.%d.input", i))
		}
		part := la.parts[0]
		if len(la.parts) == 4 {
			part = la.parts[i]
		}
		ys = append(ys, part.sa.onnx(e, part.cbr.onnx(e, si), ph, pw))
	}
	top := e.node("Concat", "la.top", []string{ys[0], ys[1]}, onnx.Int("axis", 3))
	bottom := e.node("Concat", "la.bottom", []string{ys[2], ys[3]}, onnx.Int("axis", 3))
	out := e.node("Concat", "la", []string{top, bottom}, onnx.Int("axis", 2))
	if h%2 == 1 || w%2 == 1 {
		out = onnxSlice(e, out, "la.crop", []int64{2, 3}, []int64{0, 0}, []int64{h, w})
	}
	return out
}

// onnx writes shuffle attention on x [N,C,h,w] per channel in x's own layout (see
// ExportONNX): channel c is in group c/(C/G) at position j = c%(C/G); j < C/(2G) takes the
// channel gate sigmoid(cweight_j*mean + cbias_j), else the spatial gate
// sigmoid(sweight_k*(gn.weight_k*IN(x) + gn.bias_k) + sbias_k), k = j - C/(2G). So the gate
// is sigmoid(alpha_c*mean_c + scale_c*IN(x)_c + bias_c), the unused term's coefficient 0.
//
// OpenCV 4.6 applies InstanceNormalization's scale and bias to the first image of a batch
// only, cannot add an [N,C,1,1] tensor to an [N,C,h,w] one, and cannot add a per-channel
// constant to a computed tensor. So: the mean comes already spread over the map, from a
// depthwise conv whose (2h-1)x(2w-1) kernel of 1/(h*w) covers the whole map from every
// position (padding h-1, w-1); the instance norm is (x-mean) * (var+eps)^-0.5 with var the
// spread mean of (x-mean)^2 (two-pass, as GroupNorm); the per-channel affine maps are
// BatchNormalization with mean 0, variance 1, epsilon 0. channel_shuffle(., 2) is a 1x1 conv
// whose weight is a permutation.
func (sa *shuffleAttention) onnx(e *onnxEmitter, x string, h, w int64) string {
	vals := map[string][]float32{}
	for name, t := range map[string]*ts.Tensor{"cw": sa.cweight, "cb": sa.cbias, "sw": sa.sweight, "sb": sa.sbias, "gw": sa.gnW, "gb": sa.gnB} {
		v, _, err := hostTensor(t)
		if err != nil && e.err == nil {
			e.err = fmt.Errorf("%s: %w", sa.name, err)
		}
		vals[name] = v
	}
	if e.err != nil {
		return x
	}
	c, per, half := sa.ch, sa.ch/sa.groups, sa.half
	alpha, scale, bias := make([]float32, c), make([]float32, c), make([]float32, c)
	for ch := int64(0); ch < c; ch++ {
		j := ch % per
		if j < half {
			alpha[ch], bias[ch] = vals["cw"][j], vals["cb"][j]
			continue
		}
		k := j - half
		scale[ch] = vals["sw"][k] * vals["gw"][k]
		bias[ch] = vals["sw"][k]*vals["gb"][k] + vals["sb"][k]
	}
	n := sa.name
	kh, kw := 2*h-1, 2*w-1
	avg := make([]float32, c*kh*kw)
	for i := range avg {
		avg[i] = 1 / float32(h*w)
	}
	avgW := e.floats(n+".spread_mean.weight", []int64{c, 1, kh, kw}, avg)
	spreadMean := func(in, hint string) string {
		return e.node("Conv", hint, []string{in, avgW}, onnx.Ints("kernel_shape", kh, kw), onnx.Ints("pads", h-1, w-1, h-1, w-1), onnx.Int("group", c))
	}
	zeros, ones := make([]float32, c), make([]float32, c)
	for i := range ones {
		ones[i] = 1
	}
	zerosN, onesN := e.floats(n+".affine.zeros", []int64{c}, zeros), e.floats(n+".affine.ones", []int64{c}, ones)
	affine := func(in, hint string, mul, add []float32) string {
		return e.node("BatchNormalization", hint, []string{in, e.floats(hint+".scale", []int64{c}, mul), e.floats(hint+".bias", []int64{c}, add),
			zerosN, onesN}, onnx.Float32("epsilon", 0))
	}
	mean := spreadMean(x, n+".mean")
	d := e.node("Sub", n+".centred", []string{x, mean})
	v := spreadMean(e.node("Mul", n+".square", []string{d, d}), n+".var")
	inv := e.node("Pow", n+".inv_std", []string{e.node("Add", n+".var_eps", []string{v, e.b.Scalar(n+".eps", 1e-5)}), e.b.Scalar(n+".minus_half", -0.5)})
	norm := e.node("Mul", n+".gn", []string{d, inv})
	logit := onnxAdd(e, affine(norm, n+".spatial", scale, zeros), affine(mean, n+".channel", alpha, bias), n+".logit")
	y := e.node("Mul", n, []string{x, e.node("Sigmoid", n+".gate", []string{logit})})
	// channel_shuffle(y, 2): output channel 2i+s is input channel s*C/2 + i
	perm := make([]float32, c*c)
	for i := int64(0); i < c/2; i++ {
		for s := int64(0); s < 2; s++ {
			perm[(2*i+s)*c+s*(c/2)+i] = 1
		}
	}
	return e.node("Conv", n+".shuffle", []string{y, e.floats(n+".shuffle.weight", []int64{c, c, 1, 1}, perm)},
		onnx.Ints("kernel_shape", 1, 1))
}
