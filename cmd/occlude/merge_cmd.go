package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/occlusion"
)

var mergeFlags struct {
	in      string
	preview int
}

var mergeCmd = &cobra.Command{
	Use:   "merge OUT",
	Short: "Combine the manifest parts of a sharded run (all shards finished) into OUT/manifest.jsonl",
	Long: `merge checks that every shard 1..n left its manifest.shard-i-of-n.jsonl in OUT (copy the
shards' output folders together first if they ran on different machines), writes
manifest.jsonl - byte for byte what a single run would have written - and removes the parts.`,
	Args: cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) error {
		if mergeFlags.preview > 0 && mergeFlags.in == "" {
			return fmt.Errorf("--preview needs --in IN (the input dataset, for the before images)")
		}
		p, err := occlusion.Merge(args[0], occlusion.MergeOptions{In: mergeFlags.in, Preview: mergeFlags.preview})
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "occlude: wrote", p)
		return nil
	},
}

func init() {
	mergeCmd.Flags().StringVar(&mergeFlags.in, "in", "", "input dataset (only for --preview)")
	mergeCmd.Flags().IntVar(&mergeFlags.preview, "preview", 0, "also write OUT/preview.png with N before/after pairs")
	rootCmd.AddCommand(mergeCmd)
}
