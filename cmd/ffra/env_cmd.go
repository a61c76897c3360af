package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/occfer/occfer/model"
	"github.com/spf13/cobra"
)

// newEnvCmd is `ffra env` (alias `ffra version`): the libtorch build and devices.
func newEnvCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "env",
		Aliases: []string{"version"},
		Short:   "Show the libtorch build, CUDA devices and gotch ops unavailable in this libtorch",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEnv(asJSON, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func runEnv(asJSON bool, out io.Writer) error {
	e := model.Environment()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	fmt.Fprintf(out, "libtorch     %s (%s build, C++11 ABI %d)\n", e.LibtorchVersion, e.Variant, e.CXX11ABI)
	fmt.Fprintf(out, "libtorch at  %s (libraries in %s)\n", e.LibtorchPath, e.LibtorchLib)
	fmt.Fprintf(out, "gotch        %s\n", e.GotchVersion)
	fmt.Fprintf(out, "CUDA devices %d\n", e.CUDADevices)
	fmt.Fprintf(out, "gotch ops not available in this libtorch (%d; calling one returns an error):\n", len(e.ReplacedOps))
	for _, op := range e.ReplacedOps {
		fmt.Fprintf(out, "  %s\n", op)
	}
	return nil
}
