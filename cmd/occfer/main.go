// Command occfer runs the whole product from one config file: the clean dataset, its occluded
// variants (occlude), FFRA-Net training and evaluation (ffra), and a contact sheet.
// Conventions shared with occlude and ffra: docs/cli.md.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/pipeline"
	"github.com/spf13/cobra"
)

func main() { cli.Main(newRootCmd) }

// newRootCmd is the whole command tree.
func newRootCmd() *cobra.Command {
	root := cli.Group(&cobra.Command{
		Use:           "occfer",
		Short:         "Occluded facial-expression datasets and FFRA-Net, as one reproducible pipeline",
		SilenceUsage:  true,
		SilenceErrors: true,
	})
	root.AddCommand(newRunCmd(nil))
	return root
}

type runOptions struct {
	Config string
}

// newRunCmd is `occfer run`. runF, when set, replaces the work.
func newRunCmd(runF func(context.Context, *runOptions) error) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run CONFIG.json",
		Short: "Run a pipeline config: make or read the clean set, occlude it, train, evaluate",
		Long: `Run a pipeline config (see README "Pipeline config"). Every step is deterministic in the
config's seed and resumes: running the same config again verifies and keeps what is done, and
an interrupted run continues where it stopped, ending with the same bytes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Config = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPipeline(cmd.Context(), *o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cli.StopsCleanly(cmd)
	return cmd
}

// runPipeline loads and runs the config. An interrupted run says how to continue: running the
// same config again.
func runPipeline(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	cfg, err := pipeline.LoadConfig(o.Config)
	if err != nil {
		return err
	}
	rep, err := pipeline.Run(ctx, cfg, stderr)
	if err != nil {
		if cli.Interrupted(ctx) {
			return fmt.Errorf("%w; what is finished is kept: continue with: occfer run %s", err, o.Config)
		}
		return err
	}
	printReport(stdout, rep)
	return nil
}

func printReport(out io.Writer, rep *pipeline.Report) {
	fmt.Fprintf(out, "%-14s %-11s %7s  %s\n", "dataset", "kind", "images", "status")
	for _, d := range rep.Datasets {
		st, _ := json.Marshal(d.ByStatus)
		if d.ByStatus == nil {
			st = []byte("-")
		}
		fmt.Fprintf(out, "%-14s %-11s %7d  %s\n", d.Name, d.Kind, d.Images, st)
	}
	if rep.Final == nil {
		return
	}
	fmt.Fprintf(out, "\ntrained on %s (%s)\n%-14s %9s %15s %7s\n", rep.Trained, rep.Run, "test set", "accuracy", "mean class acc", "images")
	names := make([]string, 0, len(rep.Final))
	for n := range rep.Final {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := rep.Final[n]
		fmt.Fprintf(out, "%-14s %8.2f%% %14.2f%% %7d\n", n, 100*m.Acc, 100*m.MeanClassAcc, m.Images)
	}
}
