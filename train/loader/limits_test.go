package loader

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"runtime"
	"strings"
	"testing"
)

// pngDeclaring is a valid 1x1 gray PNG whose header is rewritten to declare w x h pixels.
func pngDeclaring(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// A 70-byte PNG declaring 30000x30000 pixels is refused from its header: Go's decoder would
// allocate the 900 MB canvas first (issue 11: images are capped before they are decoded).
func TestDecodeRefusesHugeCanvas(t *testing.T) {
	data := pngDeclaring(t, 30000, 30000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeBytes(data)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "30000x30000 is larger than the 67108864-pixel limit") {
		t.Fatalf("err %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes to refuse it", got)
	}
}
