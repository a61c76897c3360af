// Command occlude turns a facial-expression dataset (RAF-DB or a tree laid out like it) into
// an occluded variant: face masks (FM_RAF-DB), sunglasses (SG_RAF-DB) or random occluders.
// Each subcommand lives in its own file; the work is done by package occlusion.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/occlusion"
)

var rootCmd = &cobra.Command{
	Use:   "occlude --kind mask|sunglasses|random IN OUT [flags]",
	Short: "Synthesise occluded facial-expression datasets (face masks, sunglasses, random occluders)",
	Long: `occlude writes an occluded copy of a facial-expression dataset: OUT mirrors IN (same
relative paths, label files and annotations copied), OUT/manifest.jsonl records every image
(landmark source, 68 landmarks, template, transform, coverage, occluders, status).

Examples:
  occlude --kind mask RAF-DB/basic FM_RAF-DB --seed 1
  occlude --kind sunglasses --style aviator RAF-DB/basic SG_RAF-DB
  occlude --kind random --occluders 1-3 --area 0.05-0.25 RAF-DB/basic RO_RAF-DB --write-masks
  occlude --kind mask IN OUT --shard 1/4   (x4, then: occlude merge OUT)
  occlude --kind mask IN OUT --resume      (continue an interrupted run)`,
	Args:          cobra.ExactArgs(2),
	SilenceUsage:  true,
	SilenceErrors: true,
	RunE:          runOcclude,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "occlude:", err)
		if errors.Is(err, occlusion.ErrInterrupted) {
			os.Exit(130)
		}
		os.Exit(1)
	}
}
