// Package clidoc is the one TestCLIReference body of the tools under cmd/: it checks a
// tool's section of docs/cli.md against its commands (usage, help, flags, defaults) with
// cli.CheckReference, and rewrites it when the test binary runs with -update. It is
// imported by tests only, so the -update flag it registers never reaches a tool's binary.
package clidoc

import (
	"flag"
	"testing"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/internal/cli"
)

// update is a test-binary flag by design: `go test ./cmd/X -run TestCLIReference -update`.
var update = flag.Bool("update", false, "rewrite this tool's reference in docs/cli.md from the commands")

// Path is docs/cli.md as seen from a package directory cmd/TOOL, where go test runs.
const Path = "../../docs/cli.md"

// Check fails t when the reference of root in docs/cli.md differs from what the commands
// say; with -update it rewrites that reference instead.
func Check(t testing.TB, root *cobra.Command) {
	t.Helper()
	if err := cli.CheckReference(Path, root, *update); err != nil {
		t.Fatal(err)
	}
}
