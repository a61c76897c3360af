package main

import (
	"fmt"
	"io"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/synth"
	"github.com/spf13/cobra"
)

type synthOptions struct {
	Out string
	synth.Options
}

// newSynthCmd is `ffra synth`; all behaviour lives in package synth. runF, when set, replaces
// the work.
func newSynthCmd(runF func(*synthOptions) error) *cobra.Command {
	o := &synthOptions{}
	cmd := &cobra.Command{
		Use:   "synth OUT",
		Short: "Generate a procedural 7-class expression dataset in the RAF-DB layout, with 68-point landmarks",
		Long: `Draws faces of the seven RAF-DB basic expressions into OUT as a RAF-DB "basic" tree:
EmoLabel/list_patition_label.txt, Image/aligned/<stem>_aligned.jpg and landmarks68.jsonl.
The same seed gives the same bytes for any --workers. Rerunning into an earlier output with
the same options resumes it; any other non-empty OUT is refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Out = args[0]
			if runF != nil {
				return runF(o)
			}
			return runSynth(*o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Train, "train", 700, "training images (classes balanced)")
	f.IntVar(&o.Test, "test", 210, "test images (classes balanced)")
	f.Uint64Var(&o.Seed, "seed", 1, "random seed")
	f.IntVar(&o.Size, "size", 100, "image side in pixels")
	f.IntVar(&o.Workers, "workers", 0, "parallel workers (0: one per CPU); never changes the output")
	return cmd
}

func runSynth(o synthOptions, stdout io.Writer) error {
	var err error
	if o.Workers, err = cli.Workers("--workers", o.Workers); err != nil {
		return err
	}
	sum, err := synth.Generate(o.Out, o.Options)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d train, %d test images (%d written, %d kept)\n", o.Out, o.Train, o.Test, sum.Written, sum.Reused)
	return nil
}
