package train

import (
	"fmt"
	"strings"
	"testing"
)

// A resume keeps the run's thread count unless another one is asked for, which it uses
// with a warning (on the CPU the result then differs in the last bits).
func TestResumeThreads(t *testing.T) {
	for _, tc := range []struct {
		name               string
		ranWith, requested int
		want               int
		warns              bool
	}{
		{"default keeps the run's count", 2, 0, 2, false},
		{"same count", 2, 2, 2, false},
		{"other count", 2, 1, 1, true},
		{"run without a recorded count", 0, 0, 0, false},
		{"run without a recorded count, explicit", 0, 3, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log strings.Builder
			got := resumeThreads(tc.ranWith, tc.requested, func(f string, a ...any) { fmt.Fprintf(&log, f, a...) })
			if got != tc.want {
				t.Fatalf("resumeThreads(%d, %d) = %d, want %d", tc.ranWith, tc.requested, got, tc.want)
			}
			if warned := strings.Contains(log.String(), "warning: resuming with"); warned != tc.warns {
				t.Fatalf("warning %v, want %v (log %q)", warned, tc.warns, log.String())
			}
		})
	}
}
