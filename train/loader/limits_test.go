package loader

import (
	"runtime"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/limits/limitstest"
)

// A 70-byte PNG declaring 30000x30000 pixels is refused from its header: Go's decoder would
// allocate the 900 MB canvas first (issue 11: images are capped before they are decoded).
func TestDecodeRefusesHugeCanvas(t *testing.T) {
	data := limitstest.PNGDeclaring(t, 30000, 30000)
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
