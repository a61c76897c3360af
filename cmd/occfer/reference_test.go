package main

import (
	"flag"
	"testing"

	"github.com/occfer/occfer/internal/cli"
)

var update = flag.Bool("update", false, "rewrite this tool's reference in docs/cli.md from the commands")

// docs/cli.md's reference of this tool is what the commands say (usage, help, flags, defaults).
func TestCLIReference(t *testing.T) {
	if err := cli.CheckReference("../../docs/cli.md", newRootCmd(), *update); err != nil {
		t.Fatal(err)
	}
}
