package model

import (
	"fmt"

	"github.com/occfer/occfer/internal/onnx"
)

func (n *resNet50) onnx(e *onnxEmitter, x string) string {
	y := n.stem.onnx(e, x)
	for _, st := range n.layers {
		y = st.onnx(e, y)
	}
	return onnxGAPLinear(e, y, n.fc)
}

func (n *mobileNetV2) onnx(e *onnxEmitter, x string) string {
	y := n.first.onnx(e, x)
	for _, blk := range n.blocks {
		in := y
		for _, l := range blk.layers {
			y = l.onnx(e, y)
		}
		if blk.res {
			y = onnxAdd(e, y, in, blk.name)
		}
	}
	y = n.last.onnx(e, y)
	return onnxGAPLinear(e, y, n.fc) // dropout is the identity in eval mode
}

func (n *vggNet) onnx(e *onnxEmitter, x string) string {
	y := x
	for i, c := range n.convs {
		if c == nil {
			y = onnxMaxPool(e, y, n.names[i], 2, 2, 0)
			continue
		}
		y = onnxRelu(e, c.onnx(e, y), n.names[i])
	}
	// AdaptiveAvgPool2d(7) then flatten then classifier.0: at 224 the pool is the identity;
	// otherwise it is linear, so it is folded into classifier.0's weights.
	f := e.shape(n.names[len(n.names)-1])
	y = e.node("Flatten", "flatten", []string{y}, onnx.Int("axis", 1))
	if f[1] == 7 && f[2] == 7 {
		y = n.fc1.onnx(e, y)
	} else {
		w, err := foldAdaptivePool(n.fc1, f[0], f[1], f[2])
		if err != nil && e.err == nil {
			e.err = err
		}
		y = e.node("Gemm", n.fc1.name, []string{y, e.floats(n.fc1.name+".weight_pooled", []int64{n.fc1.out, f[0] * f[1] * f[2]}, w),
			e.param(n.fc1.name+".bias", n.fc1.b)}, onnx.Int("transB", 1))
	}
	y = onnxRelu(e, y, n.fc1.name)
	y = onnxRelu(e, n.fc2.onnx(e, y), n.fc2.name)
	return n.fc3.onnx(e, y)
}

// foldAdaptivePool returns classifier.0's weight for an [c,h,w] feature map that
// AdaptiveAvgPool2d((7,7)) would have pooled: W'[o, ch, a, b] = sum_ij W[o, ch, i, j] Ph[i,a] Pw[j,b]
// with P[i,a] = 1/|bin i| when a is in PyTorch's bin i = [floor(i*n/7), ceil((i+1)*n/7)).
func foldAdaptivePool(fc *linear, c, h, w int64) ([]float32, error) {
	wt, dims, err := hostTensor(fc.w)
	if err != nil {
		return nil, err
	}
	if len(dims) != 2 || dims[1] != c*49 {
		return nil, fmt.Errorf("%s.weight %v does not take a [%d,7,7] map", fc.name, dims, c)
	}
	ph, pw := poolMatrix(h), poolMatrix(w)
	out := make([]float32, dims[0]*c*h*w)
	for o := int64(0); o < dims[0]; o++ {
		for ch := int64(0); ch < c; ch++ {
			src := wt[(o*c+ch)*49 : (o*c+ch+1)*49]
			dst := out[(o*c+ch)*h*w : (o*c+ch+1)*h*w]
			for a := int64(0); a < h; a++ {
				for b := int64(0); b < w; b++ {
					var s float64
					for i := 0; i < 7; i++ {
						if ph[i][a] == 0 {
							continue
						}
						for j := 0; j < 7; j++ {
							s += float64(src[i*7+j]) * ph[i][a] * pw[j][b]
						}
					}
					dst[a*w+b] = float32(s)
				}
			}
		}
	}
	return out, nil
}

// poolMatrix is AdaptiveAvgPool's 7 x n averaging matrix.
func poolMatrix(n int64) [7][]float64 {
	var p [7][]float64
	for i := int64(0); i < 7; i++ {
		lo, hi := i*n/7, ((i+1)*n+6)/7
		p[i] = make([]float64, n)
		for a := lo; a < hi; a++ {
			p[i][a] = 1 / float64(hi-lo)
		}
	}
	return p
}
