package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"

	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/loader"
	"github.com/spf13/cobra"
)

func init() {
	var threads int
	var (
		device         string
		batch, workers int
		cacheMB        int
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "eval CKPT DATA...",
		Short: "Accuracy, mean per-class accuracy and confusion matrix of a checkpoint on test sets",
		Long: `Evaluate a checkpoint (a .safetensors file, a checkpoint folder, or a run folder, whose
best/ checkpoint is used) on one or more test sets. Each DATA is PATH or NAME=PATH; its test
split is used when it has one (RAF-DB trees, test/ folders), else all its labelled images.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := setThreads(threads); err != nil {
				return err
			}
			var specs []train.SetSpec
			for _, a := range args[1:] {
				s, err := train.ParseSetSpec(a)
				if err != nil {
					return err
				}
				specs = append(specs, s)
			}
			p, err := train.OpenPredictor(args[0], device)
			if err != nil {
				return err
			}
			defer p.Close()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, sets, err := train.EvaluateSets(ctx, p, specs, train.EvalOptions{BatchSize: batch,
				Data: train.DataOptions{Workers: workers, CacheBytes: int64(cacheMB) << 20, Log: os.Stderr}})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				type entry struct {
					*train.EvalResult
					Path    string `json:"path"`
					Skipped int    `json:"skipped"`
				}
				var out []entry
				for i, r := range res {
					out = append(out, entry{r, sets[i].Ref.Path, sets[i].Ref.Skipped})
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
		},
	}
	f := cmd.Flags()
	f.StringVar(&device, "device", "auto", "auto, cpu, cuda or cuda:N")
	threadsFlag(f, &threads)
	f.IntVarP(&batch, "batch-size", "b", 128, "evaluation batch size")
	f.IntVar(&workers, "workers", runtime.GOMAXPROCS(0), "decoding goroutines")
	f.IntVar(&cacheMB, "cache-mb", loader.DefaultCacheBytes>>20, "memory cap for decoded images")
	f.BoolVar(&asJSON, "json", false, "print JSON (per set: accuracy, mean class accuracy, per-class accuracy, confusion matrix)")
	rootCmd.AddCommand(cmd)
}
