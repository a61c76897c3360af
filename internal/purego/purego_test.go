package purego

import (
	"os/exec"
	"strings"
	"testing"
)

// pureGo are the packages that must not depend, directly or through any import, on cgo code
// outside the standard library.
var pureGo = []string{
	"github.com/occfer/occfer/assets",
	"github.com/occfer/occfer/audit",
	"github.com/occfer/occfer/dataset",
	"github.com/occfer/occfer/face3d",
	"github.com/occfer/occfer/imageio/imagefile",
	"github.com/occfer/occfer/internal/benchenv",
	"github.com/occfer/occfer/internal/cli",
	"github.com/occfer/occfer/internal/freelist",
	"github.com/occfer/occfer/internal/clidoc",
	"github.com/occfer/occfer/internal/imgtext",
	"github.com/occfer/occfer/internal/limits",
	"github.com/occfer/occfer/internal/limits/limitstest",
	"github.com/occfer/occfer/internal/lockfile",
	"github.com/occfer/occfer/internal/onnx",
	"github.com/occfer/occfer/internal/procstat",
	"github.com/occfer/occfer/internal/progress",
	"github.com/occfer/occfer/internal/safepath",
	"github.com/occfer/occfer/internal/scores",
	"github.com/occfer/occfer/internal/safetensors",
	"github.com/occfer/occfer/internal/textfile",
	"github.com/occfer/occfer/landmarks/face68",
	"github.com/occfer/occfer/model/ffranet",
	"github.com/occfer/occfer/synth",
	"github.com/occfer/occfer/train/loader",
	"github.com/occfer/occfer/train/metrics",
	"github.com/occfer/occfer/train/plot",
	"github.com/occfer/occfer/train/rundir",
}

// cgoDeps lists pkg and the packages it imports, directly or not, that are outside the
// standard library and either contain cgo files or belong to gotch or gocv (whose Go-only
// packages still come with the C libraries' build requirements).
func cgoDeps(t *testing.T, pkg string) []string {
	t.Helper()
	// go test puts its own toolchain first on PATH, so "go" is the go that runs the tests.
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}", pkg)
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=1") // with cgo off, go list hides CgoFiles
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	var bad []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("go list printed %q", line)
		}
		path, std, cgoFiles := f[0], f[1] == "true", f[2] != "0"
		if std {
			continue
		}
		if cgoFiles || strings.HasPrefix(path, "github.com/sugarme/gotch") || strings.HasPrefix(path, "gocv.io/") {
			bad = append(bad, path)
		}
	}
	return bad
}

func TestPackagesNeedNoCgo(t *testing.T) {
	for _, pkg := range pureGo {
		t.Run(strings.TrimPrefix(pkg, "github.com/occfer/occfer/"), func(t *testing.T) {
			if bad := cgoDeps(t, pkg); len(bad) > 0 {
				t.Errorf("%s depends on cgo code: %s", pkg, strings.Join(bad, ", "))
			}
		})
	}
}

// TestCheckSeesCgo: the check does find the cgo packages it must keep out, so a pure package
// that came to import one of them would fail above.
func TestCheckSeesCgo(t *testing.T) {
	cases := []struct{ pkg, want string }{
		{"github.com/occfer/occfer/model", "github.com/sugarme/gotch"},
		{"github.com/occfer/occfer/imageio", "gocv.io/x/gocv"},
		{"github.com/occfer/occfer/landmarks", "github.com/occfer/occfer/landmarks"},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.pkg, "github.com/occfer/occfer/"), func(t *testing.T) {
			bad := cgoDeps(t, c.pkg)
			found := false
			for _, b := range bad {
				found = found || b == c.want
			}
			if !found {
				t.Errorf("cgo dependencies of %s: %v, want %s among them", c.pkg, bad, c.want)
			}
		})
	}
}
