package plot

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCgo keeps the figures free of cgo: train/plot is imported by tools that must build
// without libtorch or OpenCV (and with CGO_ENABLED=0), so no package it depends on may have
// cgo files.
func TestNoCgo(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{len .CgoFiles}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		n++
		if path, cgo, _ := strings.Cut(line, " "); cgo != "0" {
			t.Errorf("dependency %s has %s cgo files", path, cgo)
		}
	}
	if n < 20 { // gonum/plot alone brings dozens: an empty list means go list saw nothing
		t.Fatalf("go list reported %d packages", n)
	}
}
