package audit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/internal/limits"
)

// A mask whose PNG header claims a canvas of 10^10 pixels (a hand-edited OUT) is refused by
// its header (issue 11), before the decoder allocates it.
func TestLoadMaskHugeHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR: length (8..12), "IHDR" (12..16), width (16..20), height (20..24), ..., CRC (29..33).
	binary.BigEndian.PutUint32(b[16:], 100000)
	binary.BigEndian.PutUint32(b[20:], 100000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	p := filepath.Join(t.TempDir(), "mask.png")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadMask(p); !errors.Is(err, limits.ErrTooLarge) {
		t.Fatalf("LoadMask of a 100000x100000 header: %v", err)
	}
}
