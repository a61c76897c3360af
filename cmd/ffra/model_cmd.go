package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/spf13/cobra"
)

// newModelCmd is `ffra model` and its subcommands.
func newModelCmd() *cobra.Command {
	cmd := cli.Group(&cobra.Command{
		Use:   "model",
		Short: "Inspect FFRA-Net variants",
	})
	cmd.AddCommand(newSummaryCmd(nil))
	return cmd
}

type summaryOptions struct {
	Variant   string
	InputSize int
	JSON      bool
}

// newSummaryCmd is `ffra model summary`; the work is model.Summary. runF, when set, replaces
// the work.
func newSummaryCmd(runF func(*summaryOptions) error) *cobra.Command {
	o := &summaryOptions{}
	cmd := &cobra.Command{
		Use:   "summary",
		Short: "List modules, output shapes, parameters and MACs of a model variant",
		Long: "Builds the variant on the CPU and runs one sample through it.\nVariants: " +
			strings.Join(ffranet.Variants(), ", ") + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runSummary(*o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Variant, "variant", "ffra", "model variant ("+strings.Join(ffranet.Variants(), ", ")+")")
	f.IntVar(&o.InputSize, "input-size", 224, "square input side in pixels")
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	return cmd
}

func runSummary(o summaryOptions, out io.Writer) error {
	cfg, err := ffranet.ConfigFor(o.Variant)
	if err != nil {
		return err
	}
	cfg.InputSize = o.InputSize
	s, err := model.Summary(cfg, o.InputSize)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "module\tkind\toutput\tparams\tMMACs\t\n")
	for _, r := range s.Modules {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%.2f\t\n", r.Name, r.Kind, r.Output, r.Params, float64(r.MACs)/1e6)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s @%d: %d trainable params (%d buffer values), %.4f GMACs\n",
		o.Variant, o.InputSize, s.Params, s.Buffers, float64(s.MACs)/1e9)
	return nil
}
