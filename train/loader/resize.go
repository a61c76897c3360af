package loader

import "math"

// Box is a crop rectangle in source pixel coordinates (may be fractional).
type Box struct{ X, Y, W, H float64 }

// taps holds, for every output coordinate, the first source index and the normalised weights
// of the source pixels that contribute to it.
type taps struct {
	start []int
	w     [][]float32
}

// makeTaps computes a triangle (bilinear) filter from the source span [x0, x0+span) of a line
// of n pixels onto out pixels. Like PIL's resize, the filter support widens with the
// down-scaling factor, so shrinking antialiases instead of skipping pixels, and enlarging is
// plain bilinear interpolation with half-pixel centres (PyTorch align_corners=False).
func makeTaps(n int, x0, span float64, out int) taps {
	scale := span / float64(out)
	fscale := math.Max(scale, 1)
	support := fscale // triangle filter radius 1, stretched
	t := taps{start: make([]int, out), w: make([][]float32, out)}
	for i := 0; i < out; i++ {
		center := x0 + (float64(i)+0.5)*scale
		lo := int(math.Floor(center - support + 0.5))
		hi := int(math.Ceil(center + support - 0.5))
		lo = max(lo, 0)
		hi = min(hi, n-1)
		if hi < lo { // box entirely outside the image: clamp to the nearest pixel
			c := min(max(int(center), 0), n-1)
			lo, hi = c, c
		}
		ws := make([]float32, hi-lo+1)
		var sum float64
		for j := lo; j <= hi; j++ {
			d := math.Abs((float64(j) + 0.5 - center) / fscale)
			v := math.Max(0, 1-d)
			ws[j-lo] = float32(v)
			sum += v
		}
		if sum == 0 { // exactly between taps at the border: take the nearest pixel
			c := min(max(int(center), lo), hi)
			for k := range ws {
				ws[k] = 0
			}
			ws[c-lo] = 1
			sum = 1
		}
		for k := range ws {
			ws[k] = float32(float64(ws[k]) / sum)
		}
		t.start[i], t.w[i] = lo, ws
	}
	return t
}

// ResizeCHW resamples the box of src to size x size and writes planar R,G,B float32 in [0,1]
// into dst (len 3*size*size). flip mirrors the output horizontally. scratch is reused between
// calls to avoid allocating per image; it is grown as needed and returned.
func ResizeCHW(src *RGB, box Box, size int, flip bool, dst, scratch []float32) []float32 {
	tx := makeTaps(src.W, box.X, box.W, size)
	ty := makeTaps(src.H, box.Y, box.H, size)
	// Horizontal pass over the source rows that the vertical taps touch.
	r0 := ty.start[0]
	r1 := r0
	for i := range ty.start {
		r1 = max(r1, ty.start[i]+len(ty.w[i]))
	}
	rows := r1 - r0
	need := rows * size * 3
	if cap(scratch) < need+size*3 {
		scratch = make([]float32, need+size*3)
	}
	tmp := scratch[:need]
	for r := 0; r < rows; r++ {
		srow := src.Pix[(r0+r)*src.W*3:]
		trow := tmp[r*size*3:]
		for x := 0; x < size; x++ {
			var a, b, c float32
			s := tx.start[x] * 3
			for k, w := range tx.w[x] {
				p := s + k*3
				a += w * float32(srow[p])
				b += w * float32(srow[p+1])
				c += w * float32(srow[p+2])
			}
			trow[x*3], trow[x*3+1], trow[x*3+2] = a, b, c
		}
	}
	// Vertical pass: accumulate whole interleaved rows (sequential memory, no per-pixel
	// tap loop), then scatter into planar output scaled to [0,1].
	row := size * 3
	if cap(scratch) < need+row {
		grown := make([]float32, need+row)
		copy(grown, tmp)
		scratch, tmp = grown, grown[:need]
	}
	acc := scratch[need : need+row]
	plane := size * size
	const inv = 1.0 / 255
	for y := 0; y < size; y++ {
		base := (ty.start[y] - r0) * row
		ws := ty.w[y]
		w0 := ws[0]
		src0 := tmp[base : base+row]
		for i := range acc {
			acc[i] = w0 * src0[i]
		}
		for k := 1; k < len(ws); k++ {
			w := ws[k]
			srck := tmp[base+k*row : base+(k+1)*row]
			for i := range acc {
				acc[i] += w * srck[i]
			}
		}
		o := y * size
		for x := 0; x < size; x++ {
			ox := x
			if flip {
				ox = size - 1 - x
			}
			dst[o+ox] = clamp01(acc[x*3] * inv)
			dst[plane+o+ox] = clamp01(acc[x*3+1] * inv)
			dst[2*plane+o+ox] = clamp01(acc[x*3+2] * inv)
		}
	}
	return scratch
}

func clamp01(v float32) float32 { return min(max(v, 0), 1) }
