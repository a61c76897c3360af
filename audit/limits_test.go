package audit

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/limits/limitstest"
)

// A mask whose PNG header claims a canvas of 10^10 pixels (a hand-edited OUT) is refused by
// its header (issue 11), before the decoder allocates it.
func TestLoadMaskHugeHeader(t *testing.T) {
	b := limitstest.PNGDeclaring(t, 100000, 100000)
	p := filepath.Join(t.TempDir(), "mask.png")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadMask(p); !errors.Is(err, limits.ErrTooLarge) {
		t.Fatalf("LoadMask of a 100000x100000 header: %v", err)
	}
}
