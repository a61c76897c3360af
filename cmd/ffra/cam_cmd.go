package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/plot"
	"github.com/spf13/cobra"
)

func init() {
	var threads int
	var (
		device, outDir, className string
		alpha                     float64
	)
	cmd := &cobra.Command{
		Use:   "cam CKPT IMAGE|DIR... -o DIR",
		Short: "Class activation maps (FFRA-Net Fig. 6) as PNG overlays",
		Long: `For each image, compute the class activation map of the predicted class (or --class):
the fc weights of that class times the last convolutional feature map, summed over channels,
negative evidence clamped to 0, upsampled bilinearly to the image, jet-coloured and blended
over it (--alpha). Writes DIR/<image stem>_cam.png: the image, the overlay, and a caption
with the class and its probability.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := setThreads(threads); err != nil {
				return err
			}
			if outDir == "" {
				return fmt.Errorf("-o DIR is required")
			}
			p, paths, err := openForImages(args, device)
			if err != nil {
				return err
			}
			defer p.Close()
			class := -1
			if className != "" {
				for i, c := range p.Classes {
					if strings.EqualFold(c, className) {
						class = i
					}
				}
				if class < 0 {
					return fmt.Errorf("--class %q: the checkpoint's classes are %s", className, strings.Join(p.Classes, ", "))
				}
			}
			skipped, written := 0, 0
			used := map[string]int{}
			for _, path := range paths {
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
				fig, err := plot.CAMFigure(rgbImage(img), c.Map, c.W, c.H, alpha, caption)
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
				if err := dataset.WriteFileAtomic(filepath.Join(outDir, name), data); err != nil {
					return err
				}
				written++
				fmt.Fprintf(cmd.OutOrStdout(), "%s -> %s (%s)\n", path, filepath.Join(outDir, name), caption)
			}
			if skipped > 0 {
				return fmt.Errorf("%d of %d images could not be read (listed above); %d maps written", skipped, len(paths), written)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&outDir, "out", "o", "", "output folder (created)")
	f.StringVar(&device, "device", "auto", "auto, cpu, cuda or cuda:N")
	threadsFlag(f, &threads)
	f.StringVar(&className, "class", "", "explain this class instead of the predicted one")
	f.Float64Var(&alpha, "alpha", 0.5, "weight of the heat map in the blend")
	rootCmd.AddCommand(cmd)
}
