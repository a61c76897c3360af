package imagefile

// Orientation is an EXIF orientation value, 1-8 (EXIF 2.32, 4.6.4, tag 0x0112): which corner
// of the stored pixel grid is the picture's top-left. 1 is upright; 6 is what a phone held
// upright writes (the stored grid must turn 90 degrees clockwise).
type Orientation int

// Swaps reports whether applying o exchanges width and height (orientations 5-8).
func (o Orientation) Swaps() bool { return o >= 5 && o <= 8 }

// source maps a pixel (x, y) of the upright picture, w x h (already swapped where o swaps),
// to the stored pixel it comes from, in a stored grid sw x sh.
func (o Orientation) source(x, y, sw, sh int) (int, int) {
	switch o {
	case 2: // mirrored
		return sw - 1 - x, y
	case 3: // turned 180
		return sw - 1 - x, sh - 1 - y
	case 4: // flipped vertically
		return x, sh - 1 - y
	case 5: // transposed
		return y, x
	case 6: // stored turned 90 counter-clockwise: turn clockwise
		return y, sh - 1 - x
	case 7: // transverse
		return sw - 1 - y, sh - 1 - x
	case 8: // stored turned 90 clockwise: turn counter-clockwise
		return sw - 1 - y, x
	}
	return x, y
}

// Orient returns the pixels of a stored w x h image, interleaved with bpp bytes per pixel and
// rows of w*bpp bytes, turned upright by o, and the upright width and height. For
// orientation 1 (or an invalid value) pix itself is returned. occlude (any channel count and
// bit depth, as bytes) and ffra's loader (8-bit RGB) both turn images with this function.
func Orient(pix []byte, w, h, bpp int, o Orientation) ([]byte, int, int) {
	if o < 2 || o > 8 {
		return pix, w, h
	}
	ow, oh := w, h
	if o.Swaps() {
		ow, oh = h, w
	}
	out := make([]byte, len(pix))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := o.source(x, y, w, h)
			copy(out[(y*ow+x)*bpp:(y*ow+x+1)*bpp], pix[(sy*w+sx)*bpp:])
		}
	}
	return out, ow, oh
}
