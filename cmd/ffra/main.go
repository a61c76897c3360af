// Command ffra trains, evaluates and inspects FFRA-Net (Chen et al. 2023) on libtorch.
// Each subcommand lives in its own file, built by a constructor over its options struct with
// the work in a plain function. Conventions shared with occlude and occfer: docs/cli.md.
package main

import (
	"github.com/spf13/cobra"

	"github.com/occfer/occfer/internal/cli"
)

func main() { cli.Main(newRootCmd) }

// newRootCmd is the whole command tree.
func newRootCmd() *cobra.Command {
	root := cli.Group(&cobra.Command{
		Use:           "ffra",
		Short:         "Train and evaluate FFRA-Net for occluded facial expression recognition",
		SilenceUsage:  true,
		SilenceErrors: true,
	})
	root.AddCommand(newTrainCmd(nil), newEvalCmd(nil), newPredictCmd(nil), newCamCmd(nil),
		newDataCmd(nil), newImportCmd(nil), newExportCmd(nil), newModelCmd(), newSynthCmd(nil), newEnvCmd())
	return root
}
