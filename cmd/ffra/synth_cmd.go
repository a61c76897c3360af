package main

import (
	"fmt"

	"github.com/occfer/occfer/synth"
	"github.com/spf13/cobra"
)

// synthCmd wires `ffra synth` to synth.Generate; all behaviour lives in package synth.
func synthCmd() *cobra.Command {
	var opts synth.Options
	cmd := &cobra.Command{
		Use:   "synth OUT",
		Short: "Generate a procedural 7-class expression dataset in the RAF-DB layout, with 68-point landmarks",
		Long: `Draws faces of the seven RAF-DB basic expressions into OUT as a RAF-DB "basic" tree:
EmoLabel/list_patition_label.txt, Image/aligned/<stem>_aligned.jpg and landmarks68.jsonl.
The same seed gives the same bytes for any --workers. Rerunning into an earlier output with
the same options resumes it; any other non-empty OUT is refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sum, err := synth.Generate(args[0], opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d train, %d test images (%d written, %d kept)\n",
				args[0], opts.Train, opts.Test, sum.Written, sum.Reused)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Train, "train", 700, "training images (classes balanced)")
	f.IntVar(&opts.Test, "test", 210, "test images (classes balanced)")
	f.Uint64Var(&opts.Seed, "seed", 1, "random seed")
	f.IntVar(&opts.Size, "size", 100, "image side in pixels")
	f.IntVar(&opts.Workers, "workers", 0, "parallel workers (0: one per CPU); does not change the output")
	return cmd
}

func init() { rootCmd.AddCommand(synthCmd()) }
