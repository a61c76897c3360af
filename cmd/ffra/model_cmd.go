package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/occfer/occfer/model"
	"github.com/spf13/cobra"
)

// modelCmd wires `ffra model summary`; the work is model.Summary.
func modelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "Inspect FFRA-Net variants",
	}
	var (
		variant   string
		inputSize int
		asJSON    bool
	)
	summary := &cobra.Command{
		Use:   "summary",
		Short: "List modules, output shapes, parameters and MACs of a model variant",
		Long: "Builds the variant on the CPU and runs one sample through it.\nVariants: " +
			strings.Join(model.Variants(), ", ") + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := model.ConfigFor(variant)
			if err != nil {
				return err
			}
			cfg.InputSize = inputSize
			s, err := model.Summary(cfg, inputSize)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
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
				variant, inputSize, s.Params, s.Buffers, float64(s.MACs)/1e9)
			return nil
		},
	}
	f := summary.Flags()
	f.StringVar(&variant, "variant", "ffra", "model variant ("+strings.Join(model.Variants(), ", ")+")")
	f.IntVar(&inputSize, "input-size", 224, "square input side in pixels")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(summary)
	return cmd
}

func init() { rootCmd.AddCommand(modelCmd()) }
