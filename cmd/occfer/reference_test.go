package main

import (
	"testing"

	"github.com/occfer/occfer/internal/clidoc"
)

// docs/cli.md's reference of this tool is what the commands say (usage, help, flags, defaults);
// -update rewrites it.
func TestCLIReference(t *testing.T) { clidoc.Check(t, newRootCmd()) }
