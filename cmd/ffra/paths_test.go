package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ffra cam never writes into a folder it reads images from; the check comes before the
// checkpoint is loaded or the folder created.
func TestCamOutInsideInputRefused(t *testing.T) {
	img, err := os.ReadFile("../../testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "faces")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "a.png"), img, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{data, "-o", filepath.Join(data, "cams")},
		{filepath.Join(data, "a.png"), "-o", data},
	} {
		_, err := runFFRA(t, append([]string{"cam", filepath.Join(dir, "missing.safetensors")}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "choose a folder outside the input") {
			t.Errorf("cam %v: %v", args, err)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "cams")); !os.IsNotExist(err) {
		t.Error("a refused cam run created its output folder")
	}
}
