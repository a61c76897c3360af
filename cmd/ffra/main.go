// Command ffra trains, evaluates and inspects FFRA-Net (Chen et al. 2023) on libtorch.
// Each subcommand lives in its own file and registers itself on rootCmd in init().
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:           "ffra",
	Short:         "Train and evaluate FFRA-Net for occluded facial expression recognition",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ffra:", err)
		os.Exit(1)
	}
}
