// Package limitstest holds the fixtures that tests of the size limits share (package
// limits; issue 11: images are capped before they are decoded). It is imported by tests only.
package limitstest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"testing"
)

// PNGDeclaring returns a valid 1x1 gray PNG whose IHDR chunk is rewritten to declare w x h
// pixels, its CRC recomputed: a file of about 70 bytes that a decoder which trusts the header
// would allocate a w*h canvas for.
func PNGDeclaring(t testing.TB, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR: length (8..12), "IHDR" (12..16), width (16..20), height (20..24), ..., CRC (29..33).
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}
