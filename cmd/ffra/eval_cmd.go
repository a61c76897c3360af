package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/loader"
	"github.com/spf13/cobra"
)

type evalOptions struct {
	Checkpoint string
	Data       []string // PATH or NAME=PATH
	Device     string
	Threads    int
	Batch      int
	Workers    int
	CacheMB    int
	JSON       bool
	Labels     dataset.LabelOptions
	Problems   string // --problems FILE
	Weights    weightsFlags
}

// newEvalCmd is `ffra eval`. runF, when set, replaces the work.
func newEvalCmd(runF func(context.Context, *evalOptions) error) *cobra.Command {
	o := &evalOptions{}
	cmd := &cobra.Command{
		Use:   "eval CKPT DATA...",
		Short: "Accuracy, mean per-class accuracy and confusion matrix of a checkpoint on test sets",
		Long: `Evaluate a checkpoint (a .safetensors file, a checkpoint folder, or a run folder, whose
best/ checkpoint is used) on one or more test sets. Each DATA is PATH or NAME=PATH; its test
split is used when it has one (RAF-DB and FERPlus trees, test/ folders), else all its labelled
images, else its validation split. PATH@LIST (or NAME=PATH@LIST) is the subset of PATH that a
name list selects, from any split: the RAN lists (Occlusion-RAF-DB, Pose-RAF-DB, Occlusion- and
Pose-FERPlus) or one relative path or stem per line; listed names that match no image are
reported with the list's file and line. A test set's classes are matched to the checkpoint's by
name; a set with images of a class the checkpoint lacks is an error naming the class.
CKPT may also be a PyTorch .pth/.pt state_dict (or a safetensors one without ffra's metadata)
given with --arch and its classes, imported as ffra import would.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Checkpoint, o.Data = args[0], args[1:]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runEval(cmd.Context(), *o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Device, "device", "auto", "auto, cpu, cuda or cuda:N")
	threadsFlag(f, &o.Threads)
	f.IntVarP(&o.Batch, "batch-size", "b", 128, "evaluation batch size")
	f.IntVar(&o.Workers, "workers", 0, "decoding goroutines (0: one per CPU)")
	f.IntVar(&o.CacheMB, "cache-mb", loader.DefaultCacheBytes>>20, "memory cap for decoded images")
	f.BoolVar(&o.JSON, "json", false, "print JSON (per set: accuracy, mean class accuracy, per-class accuracy, confusion matrix)")
	labelFlags(f, &o.Labels, false)
	f.StringVar(&o.Problems, "problems", "", "write every skipped entry of every set to `FILE` as JSON lines (the table counts them)")
	o.Weights.add(f, false)
	cli.StopsCleanly(cmd)
	return cmd
}

func runEval(ctx context.Context, o evalOptions, w io.Writer) error {
	if err := setThreads(o.Threads); err != nil {
		return err
	}
	workers, err := cli.Workers("--workers", o.Workers)
	if err != nil {
		return err
	}
	if err := checkBatch(o.Batch); err != nil {
		return err
	}
	var specs []train.SetSpec
	for _, a := range o.Data {
		s, err := train.ParseSetSpec(a)
		if err != nil {
			return err
		}
		specs = append(specs, s)
	}
	p, err := train.OpenPredictor(o.Checkpoint, o.Device, o.Weights.spec())
	if err != nil {
		return err
	}
	defer p.Close()
	res, sets, err := train.EvaluateSets(ctx, p, specs, train.EvalOptions{BatchSize: o.Batch,
		Data: train.DataOptions{Workers: workers, CacheBytes: int64(o.CacheMB) << 20, Labels: o.Labels, Log: os.Stderr,
			AllProblems: o.Problems != ""}})
	if err != nil {
		return err
	}
	if o.Problems != "" {
		if err := train.WriteProblems(o.Problems, sets); err != nil {
			return err
		}
	}
	if o.JSON {
		type entry struct {
			*train.EvalResult
			Path    string `json:"path"`
			List    string `json:"list,omitempty"`
			Skipped int    `json:"skipped"`
		}
		var out []entry
		for i, r := range res {
			out = append(out, entry{r, sets[i].Ref.Path, sets[i].Ref.List, sets[i].Ref.Skipped})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "checkpoint %s\n\n", p.Path)
	fmt.Fprintf(w, "%-16s %7s %9s %15s %8s %8s\n", "set", "images", "accuracy", "mean-class-acc", "loss", "skipped")
	for i, r := range res {
		fmt.Fprintf(w, "%-16s %7d %8.2f%% %14.2f%% %8.4f %8d\n", r.Name, r.Images, 100*r.Acc, 100*r.MeanClass, r.Loss, sets[i].Ref.Skipped)
	}
	for _, r := range res {
		fmt.Fprintf(w, "\n%s (rows: true class, columns: predicted)\n%s", r.Name, r.Confusion.Table())
		if len(r.Missing) > 0 {
			fmt.Fprintf(w, "no images of: %s (left out of the mean class accuracy)\n", strings.Join(r.Missing, ", "))
		}
	}
	return nil
}

// checkBatch refuses a batch size below 1 (-b 0 would never advance, -b -1 would panic).
func checkBatch(n int) error {
	if n < 1 {
		return fmt.Errorf("--batch-size %d: want at least 1", n)
	}
	return nil
}
