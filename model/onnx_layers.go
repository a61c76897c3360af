package model

import "github.com/occfer/occfer/internal/onnx"

// ONNX emitters of the layers every network shares. Each takes the name of its input value
// and returns the name of its output.

func (c *conv2d) onnx(e *onnxEmitter, x string) string {
	in := []string{x, e.param(c.name+".weight", c.w)}
	if c.hasBias {
		in = append(in, e.param(c.name+".bias", c.b))
	}
	return e.node("Conv", c.name, in, onnx.Ints("kernel_shape", c.kern, c.kern), onnx.Ints("strides", c.stride, c.stride),
		onnx.Ints("pads", c.pad, c.pad, c.pad, c.pad), onnx.Ints("dilations", 1, 1), onnx.Int("group", c.groups))
}

func (n *batchNorm2d) onnx(e *onnxEmitter, x string) string {
	return e.node("BatchNormalization", n.name, []string{x, e.param(n.name+".weight", n.w), e.param(n.name+".bias", n.b),
		e.param(n.name+".running_mean", n.mean), e.param(n.name+".running_var", n.varianc)}, onnx.Float32("epsilon", 1e-5))
}

func (l *linear) onnx(e *onnxEmitter, x string) string {
	return e.node("Gemm", l.name, []string{x, e.param(l.name+".weight", l.w), e.param(l.name+".bias", l.b)}, onnx.Int("transB", 1))
}

func onnxRelu(e *onnxEmitter, x, hint string) string { return e.node("Relu", hint, []string{x}) }

// onnxRelu6 is ReLU6 as Relu(x) - Relu(x - 6): OpenCV 4.6 reads Clip only in its opset-6
// form (bounds as attributes), which opset 11+ no longer has, and Min only between two
// computed tensors. The two agree exactly for x <= 6; above, to a rounding of x - 6.
func onnxRelu6(e *onnxEmitter, x, hint string) string {
	over := onnxRelu(e, e.node("Sub", hint+".minus6", []string{x, e.b.Scalar(hint+".six", 6)}), hint+".over6")
	return e.node("Sub", hint+".relu6", []string{onnxRelu(e, x, hint), over})
}

func onnxMaxPool(e *onnxEmitter, x, hint string, k, stride, pad int64) string {
	return e.node("MaxPool", hint, []string{x}, onnx.Ints("kernel_shape", k, k), onnx.Ints("strides", stride, stride),
		onnx.Ints("pads", pad, pad, pad, pad))
}

func onnxAdd(e *onnxEmitter, a, b, hint string) string { return e.node("Add", hint, []string{a, b}) }

// onnxSlice keeps [start, end) of each axis.
func onnxSlice(e *onnxEmitter, x, hint string, axes, starts, ends []int64) string {
	return e.node("Slice", hint, []string{x, e.b.Int64s(hint+".starts", starts...), e.b.Int64s(hint+".ends", ends...),
		e.b.Int64s(hint+".axes", axes...)})
}

// onnxGAPLinear is global average pool, flatten, fc.
func onnxGAPLinear(e *onnxEmitter, x string, fc *linear) string {
	p := e.node("GlobalAveragePool", "avgpool", []string{x})
	f := e.node("Flatten", "flatten", []string{p}, onnx.Int("axis", 1))
	return fc.onnx(e, f)
}

func onnxConvBN(e *onnxEmitter, c *conv2d, n *batchNorm2d, x string, withReLU bool) string {
	y := n.onnx(e, c.onnx(e, x))
	if withReLU {
		y = onnxRelu(e, y, n.name)
	}
	return y
}

func (s *stem) onnx(e *onnxEmitter, x string) string {
	y := onnxConvBN(e, s.conv1, s.bn1, x, true)
	return onnxMaxPool(e, y, "maxpool", 3, 2, 1)
}

func (blk *basicBlock) onnx(e *onnxEmitter, x string) string {
	y := onnxConvBN(e, blk.conv1, blk.bn1, x, true)
	y = onnxConvBN(e, blk.conv2, blk.bn2, y, false)
	short := x
	if blk.downNeeded {
		short = onnxConvBN(e, blk.downConv, blk.downBN, x, false)
	}
	return onnxRelu(e, onnxAdd(e, y, short, blk.name), blk.name)
}

func (blk *bottleneck) onnx(e *onnxEmitter, x string) string {
	y := onnxConvBN(e, blk.conv1, blk.bn1, x, true)
	y = onnxConvBN(e, blk.conv2, blk.bn2, y, true)
	y = onnxConvBN(e, blk.conv3, blk.bn3, y, false)
	short := x
	if blk.downConv != nil {
		short = onnxConvBN(e, blk.downConv, blk.downBN, x, false)
	}
	return onnxRelu(e, onnxAdd(e, y, short, blk.name), blk.name)
}

func (s *stage) onnx(e *onnxEmitter, x string) string {
	for _, blk := range s.blocks {
		x = blk.onnx(e, x)
	}
	return x
}

func (l *convBNAct) onnx(e *onnxEmitter, x string) string {
	y := onnxConvBN(e, l.conv, l.bn, x, false)
	if l.act {
		y = onnxRelu6(e, y, l.bn.name)
	}
	return y
}
