// Command occfer runs the whole product from one config file: the clean dataset, its occluded
// variants (occlude), FFRA-Net training and evaluation (ffra), and a contact sheet.
// Conventions shared with occlude and ffra: docs/cli.md.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
	Config   string
	Data     string   // --data: the dataset of a config that names none
	Out      string   // -o: the work folder, replacing the config's "out"
	Epochs   int      // --epochs: every run's epochs (smoke tests)
	Limit    int      // --limit: at most N training images per run
	Subsets  []string // --subset NAME=SET@LIST: extra protocol test sets
	Seeds    []uint   // --seeds: the protocol's seeds
	Settings string   // --settings: JSON laid over every protocol run's settings
}

// newRunCmd is `occfer run`. runF, when set, replaces the work.
func newRunCmd(runF func(context.Context, *runOptions) error) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run CONFIG.json",
		Short: "Run a pipeline config: make or read the clean set, occlude it, train, evaluate",
		Long: `Run a pipeline config (see README "Pipeline config"). Every step is deterministic in the
config's seed and resumes: running the same config again verifies and keeps what is done, and
an interrupted run continues where it stopped, ending with the same bytes.

A config with a "protocol" trains many runs (a matrix over architecture, training set, fusion,
lambda and seed, laid out as the FFRA-Net paper's tables), each in its own folder OUT/runs/<id>
that is kept when finished and resumed when stopped (also before its first checkpoint), and
writes OUT/tables.md, OUT/tables.json and the lambda sweep as PNG, each cell (mean ± std over
the seeds) beside the paper's published number. --data gives the dataset to a config that names
none (configs/paper-rafdb.json, configs/paper-ferplus.json); --epochs and --limit shrink every
run for a smoke test.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Config = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPipeline(cmd.Context(), *o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Data, "data", "", "dataset `PATH` for a config whose \"source\" names none")
	f.StringVarP(&o.Out, "out", "o", "", "work folder `OUT` (default: the config's \"out\")")
	f.IntVar(&o.Epochs, "epochs", 0, "epochs of every training run (0: the config's); for smoke tests")
	f.IntVar(&o.Limit, "limit", 0, "at most `N` training images per run (0: the config's); for smoke tests")
	f.UintSliceVar(&o.Seeds, "seeds", nil, "the protocol's seeds, e.g. 1,2,3 (default: the config's)")
	f.StringVar(&o.Settings, "settings", "", "`JSON` run settings laid over every protocol run's (e.g. '{\"model\":{\"input_size\":112}}')")
	f.StringArrayVar(&o.Subsets, "subset", nil, "extra protocol test set `NAME=SET@LIST` (SET: clean, an occlude step or a folder; LIST: e.g. RAN's rafdb_occlusion_list.txt); repeatable")
	cli.StopsCleanly(cmd)
	return cmd
}

// runPipeline loads and runs the config. An interrupted run says how to continue: running the
// same config again.
func runPipeline(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	var seeds []uint64
	for _, s := range o.Seeds {
		seeds = append(seeds, uint64(s))
	}
	cfg, err := pipeline.LoadConfigWith(o.Config, pipeline.Overrides{Data: o.Data, Out: o.Out, Epochs: o.Epochs,
		Limit: o.Limit, Subsets: o.Subsets, Seeds: seeds, Settings: o.Settings})
	if err != nil {
		return err
	}
	rep, err := pipeline.Run(ctx, cfg, stderr)
	if err != nil {
		if cli.Interrupted(ctx) {
			return fmt.Errorf("%w; what is finished is kept: continue with: occfer run %s", err, strings.Join(o.args(), " "))
		}
		return err
	}
	printReport(stdout, rep)
	if rep.Protocol != nil {
		md, err := os.ReadFile(filepath.Join(cfg.Out, pipeline.TablesMarkdown))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nprotocol: %d runs; tables in %s\n\n%s", rep.Protocol.Runs, cfg.Out, md)
	}
	return nil
}

// args is the command line that continues an interrupted run.
func (o runOptions) args() []string {
	a := []string{o.Config}
	if o.Data != "" {
		a = append(a, "--data", o.Data)
	}
	if o.Out != "" {
		a = append(a, "-o", o.Out)
	}
	if o.Epochs > 0 {
		a = append(a, "--epochs", fmt.Sprint(o.Epochs))
	}
	if o.Limit > 0 {
		a = append(a, "--limit", fmt.Sprint(o.Limit))
	}
	if o.Settings != "" {
		a = append(a, "--settings", "'"+o.Settings+"'")
	}
	if len(o.Seeds) > 0 {
		s := make([]string, len(o.Seeds))
		for i, v := range o.Seeds {
			s[i] = fmt.Sprint(v)
		}
		a = append(a, "--seeds", strings.Join(s, ","))
	}
	for _, s := range o.Subsets {
		a = append(a, "--subset", s)
	}
	return a
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
