package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type dataOptions struct {
	Path     string
	JSON     bool
	Out      string // export a CSV dataset as PNG folders here
	Examples int
	Labels   dataset.LabelOptions
}

// labelFlags adds the flags that say how labels are read (dataset.LabelOptions); withMode adds
// --ferplus-mode, which only training uses.
func labelFlags(f *pflag.FlagSet, l *dataset.LabelOptions, withMode bool) {
	f.StringVar(&l.ClassOrder, "class-order", "", "meaning of digit class folders: "+strings.Join(dataset.ClassOrderNames(), ", ")+
		", or a comma list of class names numbered from 0 (docs/datasets-layouts.md)")
	f.IntVar(&l.FERPlusClasses, "ferplus-classes", 8, "FERPlus classes: 8, or 7 without contempt (contempt-majority images are dropped and counted)")
	if withMode {
		f.StringVar(&l.FERPlusMode, "ferplus-mode", dataset.ModeMajority, "FERPlus training labels: majority, probability (a label drawn from the votes each epoch) or crossentropy (the vote distribution as a soft target); val and test are read by majority (docs/datasets-ferplus.md)")
	}
}

// newDataCmd is `ffra data`. runF, when set, replaces the work.
func newDataCmd(runF func(*dataOptions) error) *cobra.Command {
	o := &dataOptions{}
	cmd := &cobra.Command{
		Use:   "data PATH [--json] [-o OUT]",
		Short: "Show what a dataset is read as: layout, classes, images per split and class, problems",
		Long: `Read PATH as ffra train and eval would and print its layout (rafdb, ferplus, ferplus-csv,
fer2013-csv, folders), its class names in label order, the labelled images per split (train,
val, test; a tree without split folders counts as test) and class, and the problems - label
lines that cannot be used, missing images, images a label rule drops - counted by reason with
the first few of each, naming file and line.

--json prints exactly {"layout": ..., "classes": [...], "splits": {"train": {"<class>": N,
...}, "val": {...}, "test": {...}}, "problems": [{"code", "count", "examples"}]}.

-o OUT writes the images of a CSV dataset (fer2013.csv, with or without fer2013new.csv) as PNG
files - FERPlus's FER2013Train/ FER2013Valid/ FER2013Test/ folders with label.csv, or
train|val|test/<class>/ folders - so that occlude, which reads image files, can use them. The
input tree is never written to.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Path = args[0]
			if runF != nil {
				return runF(o)
			}
			return runData(*o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	f.StringVarP(&o.Out, "out", "o", "", "write a CSV dataset's images as PNG folders to `OUT`")
	f.IntVar(&o.Examples, "examples", 5, "problems shown per reason")
	labelFlags(f, &o.Labels, true)
	return cmd
}

func runData(o dataOptions, w io.Writer) error {
	if o.Examples < 0 {
		return fmt.Errorf("--examples %d: want 0 or more", o.Examples)
	}
	d, err := dataset.Open(o.Path, dataset.OpenOptions{LabelOptions: o.Labels, NeedLabels: true})
	if err != nil {
		return err
	}
	if o.Out != "" {
		sum, err := dataset.Export(d, o.Out)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %d images, %d label files written\n", o.Out, sum.Images, sum.LabelFiles)
		return nil
	}
	s := dataset.Describe(d, o.Examples)
	if o.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return dataset.WriteText(w, d, s)
}
