package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/internal/safepath"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/plot"
	"github.com/spf13/cobra"
)

type camOptions struct {
	Checkpoint string
	Inputs     []string // IMAGE or DIR
	Out        string
	Device     string
	Threads    int
	Class      string
	Alpha      float64
	Weights    weightsFlags
}

// newCamCmd is `ffra cam`. runF, when set, replaces the work.
func newCamCmd(runF func(context.Context, *camOptions) error) *cobra.Command {
	o := &camOptions{}
	cmd := &cobra.Command{
		Use:   "cam CKPT IMAGE|DIR... -o DIR",
		Short: "Class activation maps (FFRA-Net Fig. 6) as PNG overlays",
		Long: `For each image, compute the class activation map of the predicted class (or --class):
the fc weights of that class times the last convolutional feature map, summed over channels,
negative evidence clamped to 0, upsampled bilinearly to the image, jet-coloured and blended
over it (--alpha). Writes DIR/<image stem>_cam.png: the image, the overlay, and a caption
with the class and its probability.

The feature map is layer4's output for FFRA-Net and the ResNets, features.18's (the last
1x1 conv + BN + ReLU6) for MobileNetV2. VGG-16's classifier is not linear in the pooled
features, so its map is Grad-CAM (Selvaraju et al. 2017) on features.29, the ReLU of
conv5_3 before the last max pool (14x14 at 224). CKPT is an ffra checkpoint, or a PyTorch
state_dict with --arch (see ffra import).`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Checkpoint, o.Inputs = args[0], args[1:]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCam(cmd.Context(), *o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "out", "o", "", "output folder `DIR` (created)")
	f.StringVar(&o.Device, "device", "auto", "auto, cpu, cuda or cuda:N")
	threadsFlag(f, &o.Threads)
	f.StringVar(&o.Class, "class", "", "explain this class instead of the predicted one")
	f.Float64Var(&o.Alpha, "alpha", 0.5, "weight of the heat map in the blend")
	o.Weights.add(f, false)
	if err := cmd.MarkFlagRequired("out"); err != nil {
		panic(err)
	}
	cli.StopsCleanly(cmd)
	return cmd
}

// runCam stops between images when ctx is cancelled.
func runCam(ctx context.Context, o camOptions, stdout io.Writer) error {
	if err := setThreads(o.Threads); err != nil {
		return err
	}
	if err := safepath.CheckOutput(o.Out, o.Inputs...); err != nil {
		return err
	}
	p, paths, err := openForImages(o.Checkpoint, o.Inputs, o.Device, &o.Weights)
	if err != nil {
		return err
	}
	defer p.Close()
	class := -1
	if o.Class != "" {
		for i, c := range p.Classes {
			if strings.EqualFold(c, o.Class) {
				class = i
			}
		}
		if class < 0 {
			return fmt.Errorf("--class %q: the checkpoint's classes are %s", o.Class, strings.Join(p.Classes, ", "))
		}
	}
	skipped, written := 0, 0
	used := map[string]int{}
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped after %d of %d images (%d maps written): %w", written+skipped, len(paths), written, context.Cause(ctx))
		}
		img, err := loader.DecodeFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "skipped: %v\n", err)
			skipped++
			continue
		}
		c, err := p.ClassActivation(img, class)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		caption := fmt.Sprintf("%s %.1f%%", p.Classes[c.Class], 100*c.Probs[c.Class])
		fig, err := plot.CAMFigure(rgbImage(img), c.Map, c.W, c.H, o.Alpha, caption)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		data, err := plot.EncodePNG(fig)
		if err != nil {
			return err
		}
		stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		name := stem + "_cam.png"
		if n := used[name]; n > 0 { // same stem in two folders
			name = fmt.Sprintf("%s_%d_cam.png", stem, n)
		}
		used[stem+"_cam.png"]++
		if err := dataset.WriteFileAtomic(filepath.Join(o.Out, name), data); err != nil {
			return err
		}
		written++
		fmt.Fprintf(stdout, "%s -> %s (%s)\n", path, filepath.Join(o.Out, name), caption)
	}
	if skipped > 0 {
		return fmt.Errorf("%d of %d images could not be read (listed above); %d maps written", skipped, len(paths), written)
	}
	return nil
}
