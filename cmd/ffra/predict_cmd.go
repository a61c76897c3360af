package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/loader"
	"github.com/spf13/cobra"
)

// openForImages opens the checkpoint and expands the IMAGE|DIR arguments, the common start of
// predict and cam.
func openForImages(ckpt string, inputs []string, device string, w *weightsFlags) (*train.Predictor, []string, error) {
	paths, err := imageInputs(inputs)
	if err != nil {
		return nil, nil, err
	}
	p, err := train.OpenPredictor(ckpt, device, w.spec())
	if err != nil {
		return nil, nil, err
	}
	return p, paths, nil
}

// imageInputs expands IMAGE and DIR arguments into image files (a folder: every image in
// it, recursively, in path order, via dataset.Open).
func imageInputs(args []string) ([]string, error) {
	var paths []string
	for _, a := range args {
		d, err := dataset.Open(a, dataset.OpenOptions{NeedFiles: true})
		if err != nil {
			return nil, err
		}
		for _, it := range d.Items {
			paths = append(paths, it.Abs)
		}
	}
	return paths, nil
}

type predictOptions struct {
	Checkpoint string
	Inputs     []string // IMAGE or DIR
	Device     string
	Threads    int
	Batch      int
	JSON       bool
	Weights    weightsFlags
}

// newPredictCmd is `ffra predict`. runF, when set, replaces the work.
func newPredictCmd(runF func(context.Context, *predictOptions) error) *cobra.Command {
	o := &predictOptions{}
	cmd := &cobra.Command{
		Use:   "predict CKPT IMAGE|DIR...",
		Short: "Predicted expression and class probabilities for each image",
		Long: `Predict the expression of pre-aligned face images (as the model was trained on: RAF-DB
aligned crops or synth output), resized to the checkpoint's input size. Unreadable images
are reported on stderr, skipped and counted; the exit status is non-zero when any was.
CKPT is an ffra checkpoint, or a PyTorch state_dict with --arch (see ffra import).`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Checkpoint, o.Inputs = args[0], args[1:]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPredict(cmd.Context(), *o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Device, "device", "auto", "auto, cpu, cuda or cuda:N")
	threadsFlag(f, &o.Threads)
	f.IntVarP(&o.Batch, "batch-size", "b", 64, "images per forward pass")
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	o.Weights.add(f, false)
	cli.StopsCleanly(cmd)
	return cmd
}

// runPredict stops between batches when ctx is cancelled.
func runPredict(ctx context.Context, o predictOptions, w io.Writer) error {
	if err := setThreads(o.Threads); err != nil {
		return err
	}
	if err := checkBatch(o.Batch); err != nil {
		return err
	}
	p, paths, err := openForImages(o.Checkpoint, o.Inputs, o.Device, &o.Weights)
	if err != nil {
		return err
	}
	defer p.Close()
	type result struct {
		Path  string             `json:"path"`
		Label string             `json:"label"`
		Prob  float32            `json:"probability"`
		Probs map[string]float32 `json:"probabilities"`
	}
	var results []result
	skipped := 0
	if !o.JSON {
		fmt.Fprintf(w, "%-40s %-10s", "image", "label")
		for _, c := range p.Classes {
			fmt.Fprintf(w, " %9.9s", c)
		}
		fmt.Fprintln(w)
	}
	for start := 0; start < len(paths); start += o.Batch {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped after %d of %d images: %w", start, len(paths), context.Cause(ctx))
		}
		var imgs []*loader.RGB
		var names []string
		for _, path := range paths[start:min(start+o.Batch, len(paths))] {
			img, err := loader.DecodeFile(path)
			if err != nil {
				fmt.Fprintf(os.Stderr, "skipped: %v\n", err)
				skipped++
				continue
			}
			imgs, names = append(imgs, img), append(names, path)
		}
		probs, err := p.Probabilities(imgs)
		if err != nil {
			return err
		}
		for i, pr := range probs {
			k := train.Argmax(pr)
			r := result{Path: names[i], Label: p.Classes[k], Prob: pr[k], Probs: map[string]float32{}}
			for c, v := range pr {
				r.Probs[p.Classes[c]] = v
			}
			if o.JSON {
				results = append(results, r)
				continue
			}
			fmt.Fprintf(w, "%-40s %-10s", names[i], r.Label)
			for _, v := range pr {
				fmt.Fprintf(w, " %9.4f", v)
			}
			fmt.Fprintln(w)
		}
	}
	if o.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	}
	if skipped > 0 {
		return fmt.Errorf("%d of %d images could not be read (listed above)", skipped, len(paths))
	}
	return nil
}
