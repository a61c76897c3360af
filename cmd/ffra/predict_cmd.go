package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/loader"
	"github.com/spf13/cobra"
)

// openForImages opens the checkpoint args[0] and expands the IMAGE|DIR arguments after it,
// the common start of predict and cam.
func openForImages(args []string, device string) (*train.Predictor, []string, error) {
	paths, err := imageInputs(args[1:])
	if err != nil {
		return nil, nil, err
	}
	p, err := train.OpenPredictor(args[0], device)
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
		d, err := dataset.Open(a, dataset.OpenOptions{})
		if err != nil {
			return nil, err
		}
		for _, it := range d.Items {
			paths = append(paths, it.Abs)
		}
	}
	return paths, nil
}

func init() {
	var threads int
	var (
		device string
		batch  int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "predict CKPT IMAGE|DIR...",
		Short: "Predicted expression and class probabilities for each image",
		Long: `Predict the expression of pre-aligned face images (as the model was trained on: RAF-DB
aligned crops or synth output), resized to the checkpoint's input size. Unreadable images
are reported on stderr, skipped and counted; the exit status is non-zero when any was.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := setThreads(threads); err != nil {
				return err
			}
			p, paths, err := openForImages(args, device)
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
			w := cmd.OutOrStdout()
			if !asJSON {
				fmt.Fprintf(w, "%-40s %-10s", "image", "label")
				for _, c := range p.Classes {
					fmt.Fprintf(w, " %9.9s", c)
				}
				fmt.Fprintln(w)
			}
			for start := 0; start < len(paths); start += batch {
				var imgs []*loader.RGB
				var names []string
				for _, path := range paths[start:min(start+batch, len(paths))] {
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
					if asJSON {
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
			if asJSON {
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
		},
	}
	f := cmd.Flags()
	f.StringVar(&device, "device", "auto", "auto, cpu, cuda or cuda:N")
	threadsFlag(f, &threads)
	f.IntVarP(&batch, "batch-size", "b", 64, "images per forward pass")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	rootCmd.AddCommand(cmd)
}
