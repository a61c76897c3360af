package limitstest

import (
	"bytes"
	"image/png"
	"testing"
)

func TestPNGDeclaring(t *testing.T) {
	b := PNGDeclaring(t, 30000, 20000)
	cfg, err := png.DecodeConfig(bytes.NewReader(b)) // checks the IHDR CRC too
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 30000 || cfg.Height != 20000 {
		t.Fatalf("declares %dx%d, want 30000x20000", cfg.Width, cfg.Height)
	}
}
