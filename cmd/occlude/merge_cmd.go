package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/occlusion"
)

type mergeOptions struct {
	Out     string
	In      string
	Preview int
}

// newMergeCmd is `occlude merge OUT`. runF, when set, replaces the work.
func newMergeCmd(runF func(context.Context, *mergeOptions) error) *cobra.Command {
	o := &mergeOptions{}
	cmd := &cobra.Command{
		Use:   "merge OUT",
		Short: "Combine the manifest parts of a sharded run (all shards finished) into OUT/manifest.jsonl",
		Long: `merge checks that every shard 1..n left its manifest.shard-i-of-n.jsonl in OUT (copy the
shards' output folders together first if they ran on different machines), writes
manifest.jsonl - byte for byte what a single run would have written - draws the preview when
asked, and only then removes the parts, so a merge stopped part-way is redone by running it
again. Every record of the parts is checked (a path inside the input, an item of its shard, an
output in OUT with the recorded sha256); a record that fails names its part and line and the
shard to redo with --resume. On an OUT merged before, merge does nothing and says so (with
--preview it draws the preview from the manifest).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Out = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runMerge(*o, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&o.In, "in", "", "input dataset `IN` (only for --preview)")
	cmd.Flags().IntVar(&o.Preview, "preview", 0, "also write OUT/preview.png with `N` before/after pairs")
	return cmd
}

func runMerge(o mergeOptions, stderr io.Writer) error {
	if o.Preview > 0 && o.In == "" {
		return fmt.Errorf("--preview needs --in IN (the input dataset, for the before images)")
	}
	res, err := occlusion.Merge(o.Out, occlusion.MergeOptions{In: o.In, Preview: o.Preview})
	for _, p := range res.Untrusted {
		fmt.Fprintf(stderr, "occlude: not trusted (%s): %s\n", p.Code, p)
	}
	if err != nil {
		return err
	}
	if res.Already {
		fmt.Fprintf(stderr, "occlude: %s was merged before (no manifest parts left); nothing to merge\n", res.Manifest)
	} else {
		fmt.Fprintf(stderr, "occlude: merged %d parts into %s\n", res.Parts, res.Manifest)
	}
	if res.Preview != "" {
		fmt.Fprintln(stderr, "occlude: wrote", res.Preview)
	}
	return nil
}
