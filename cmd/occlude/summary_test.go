package main

import (
	"bytes"
	"testing"

	"github.com/occfer/occfer/occlusion"
)

// TestPrintSummary: the summary line lists the statuses when there are some and reads
// cleanly when a run was interrupted before its first image finished.
func TestPrintSummary(t *testing.T) {
	for _, tc := range []struct {
		name string
		sum  occlusion.Summary
		want string
	}{
		{"statuses", occlusion.Summary{Items: 12, Processed: 10, Resumed: 2, ByStatus: map[string]int{"no-face": 1, "detected": 11}, Failed: 0, PerSecond: 2.5},
			"occlude: 12 images (10 processed now, 2 kept from before), detected 11, no-face 1; 0 failed; 2.5 images/s\n"},
		{"interrupted before the first image", occlusion.Summary{Items: 12},
			"occlude: 12 images (0 processed now, 0 kept from before); 0 failed; 0.0 images/s\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			printSummary(&b, tc.sum)
			if b.String() != tc.want {
				t.Errorf("summary\n%q\nwant\n%q", b.String(), tc.want)
			}
		})
	}
}
