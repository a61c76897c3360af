package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAudit runs a mask run with masks on the astronaut and audits it: one frontal face,
// the mask passes, its yaw band from the pose the manifest records; the JSON report and the
// sheet are written; usage errors exit non-zero.
func TestAudit(t *testing.T) {
	in := photos(t, 1)
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := run(t, "--kind", "mask", "--templates", "../../assets", "--write-masks", "-q", in, out); code != 0 {
		t.Fatalf("occlude: exit %d: %s", code, stderr)
	}
	sheet := filepath.Join(t.TempDir(), "sheet.png")
	stdout, stderr, code := run(t, "audit", out, "--json", "--sheet", "3", "-o", sheet, "--in", in)
	if code != 0 {
		t.Fatalf("audit: exit %d: %s", code, stderr)
	}
	var rep struct {
		Kind  string
		Bands []struct {
			Band          string
			Faces, Passed int
		}
		Results []struct {
			In    string
			Faces []struct {
				Band         string
				Pass         bool
				Mouth, Spill float64
				Nose, Eyes   float64
				YawSource    string `json:"yaw_source"`
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, stdout)
	}
	if rep.Kind != "mask" || len(rep.Results) != 1 || len(rep.Results[0].Faces) != 1 {
		t.Fatalf("report: %+v", rep)
	}
	f := rep.Results[0].Faces[0]
	if !f.Pass || f.Band != "0-15" || f.YawSource != "manifest" || f.Mouth < 0.99 || f.Nose != 1 || f.Eyes > 0.01 {
		t.Errorf("astronaut face: %+v", f)
	}
	if all := rep.Bands[len(rep.Bands)-1]; all.Band != "all" || all.Faces != 1 || all.Passed != 1 {
		t.Errorf("all: %+v", all)
	}
	if b, err := os.ReadFile(sheet); err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("sheet: %v", err)
	}
	for _, args := range [][]string{
		{"audit", out, "--sheet", "3"},
		{"audit", filepath.Join(out, "nope")},
	} {
		if _, stderr, code := run(t, args...); code == 0 || stderr == "" {
			t.Errorf("occlude %v: exit %d, stderr %q; want an error", args, code, stderr)
		}
	}
}
