// Command occfer runs the whole product from one config file: the clean dataset, its occluded
// variants (occlude), FFRA-Net training and evaluation (ffra), and a contact sheet.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/occfer/occfer/pipeline"
	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:           "occfer",
		Short:         "Occluded facial-expression datasets and FFRA-Net, as one reproducible pipeline",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(runCmd())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "occfer:", err)
		os.Exit(1)
	}
}

func runCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "run CONFIG.json",
		Short: "Run a pipeline config: make or read the clean set, occlude it, train, evaluate",
		Long: `Run a pipeline config (see README "Pipeline config"). Every step is deterministic in the
config's seed and resumes: running the same config again verifies and keeps what is done, and
an interrupted run continues where it stopped, ending with the same bytes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := pipeline.LoadConfig(args[0])
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := pipeline.Run(ctx, cfg, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			printReport(cmd, rep)
			return nil
		},
	}
}

func printReport(cmd *cobra.Command, rep *pipeline.Report) {
	out := cmd.OutOrStdout()
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
