package procstat

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A 64 MB buffer that f touches and leaves allocated is in the peak: PeakRSS samples
// once more after f returns, so this holds however late the sampler runs.
func TestPeakRSSSeesAnAllocation(t *testing.T) {
	before, err := RSS()
	if err != nil {
		t.Fatal(err)
	}
	if before <= 0 {
		t.Fatalf("RSS %d", before)
	}
	var buf []byte
	peak := PeakRSS(func() {
		buf = make([]byte, 64<<20)
		for i := range buf {
			buf[i] = 1 // touch every page
		}
	})
	if peak < before+48<<20 {
		t.Fatalf("peak RSS %d MB, before %d MB: a touched 64 MB buffer not seen", peak>>20, before>>20)
	}
	_ = buf[len(buf)-1]
}

// CPUTime adds getrusage's user and system times (seconds + microseconds each).
// No test measures CPU time itself: on a busy machine it advances at any rate.
func TestRusageCPU(t *testing.T) {
	for _, tc := range []struct {
		name string
		ru   syscall.Rusage
		want time.Duration
	}{
		{"zero", syscall.Rusage{}, 0},
		{"user only", syscall.Rusage{Utime: syscall.Timeval{Sec: 2, Usec: 5}}, 2*time.Second + 5*time.Microsecond},
		{"user and system", syscall.Rusage{Utime: syscall.Timeval{Sec: 1, Usec: 500000}, Stime: syscall.Timeval{Sec: 0, Usec: 250}},
			1500250 * time.Microsecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rusageCPU(tc.ru); got != tc.want {
				t.Fatalf("rusageCPU = %v, want %v", got, tc.want)
			}
		})
	}
}

// AvailableCPUs counts the affinity mask: a child started under `taskset -c 0` sees one CPU.
func TestAvailableCPUsFollowsAffinity(t *testing.T) {
	if os.Getenv("PROCSTAT_PRINT_CPUS") == "1" {
		fmt.Println(AvailableCPUs())
		os.Exit(0)
	}
	if n := AvailableCPUs(); n < 1 || n > runtime.NumCPU() {
		t.Fatalf("AvailableCPUs() = %d, NumCPU %d", n, runtime.NumCPU())
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Skip("taskset not installed (util-linux)")
	}
	cmd := exec.Command(taskset, "-c", "0", os.Args[0], "-test.run", "^TestAvailableCPUsFollowsAffinity$")
	cmd.Env = append(os.Environ(), "PROCSTAT_PRINT_CPUS=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child under taskset -c 0: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "1" {
		t.Fatalf("under taskset -c 0: AvailableCPUs() = %q, want 1", got)
	}
}
