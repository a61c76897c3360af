// Command occlude turns a facial-expression dataset (RAF-DB or a tree laid out like it) into
// an occluded variant: face masks (FM_RAF-DB), sunglasses (SG_RAF-DB) or random occluders.
// Each subcommand lives in its own file, built by a constructor over its options struct; the
// work is done by package occlusion. Conventions shared with ffra and occfer: docs/cli.md.
package main

import (
	"github.com/spf13/cobra"

	"github.com/occfer/occfer/internal/cli"
)

func main() { cli.Main(newRootCmd) }

// newRootCmd is the whole command tree: the run itself (occlude --kind K IN OUT) and its
// subcommands.
func newRootCmd() *cobra.Command {
	root := newRunCmd(nil)
	root.AddCommand(newMergeCmd(nil), newTemplatesCmd(), newAuditCmd(), newAlignCmd(nil))
	return root
}
