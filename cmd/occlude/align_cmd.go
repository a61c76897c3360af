package main

import (
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/occfer/occfer/occlusion"
)

// alignOptions are the flags of occlude align.
type alignOptions struct {
	size                         int
	landmarks, predictor, noFace string
	rafImages                    string
	workers                      int
	resume, strict, quiet        bool
}

func newAlignCmd() *cobra.Command {
	o := &alignOptions{}
	cmd := &cobra.Command{
		Use:   "align IN OUT [--size 100] [--landmarks FILE]",
		Short: "Make RAF-DB-style aligned face crops of raw photographs",
		Long: `align writes, for every image of IN, an aligned crop of its largest face to OUT (same relative
path and format): the similarity that takes the two eye centres and the mouth centre (the centroid
of the outer lip) onto the aligned template of a 100x100 RAF-DB-style crop (eyes level, eye
midpoint at (50, 38), mouth centre at (50, 75); scaled for --size). The landmarks come from
--landmarks FILE (or IN/landmarks68.jsonl), else dlib's detector and 68-point predictor; they are
carried, transformed, into OUT/landmarks68.jsonl. Label files are copied, OUT/manifest.jsonl
records every image (status, source, crop landmarks, the transform from the input); images without
a face are reported, counted and not written. Outputs are written atomically; --resume continues
an interrupted run (exit 130 on Ctrl-C).

The crops are inputs of occlude (with --aligned, or as RAF-DB Image/aligned) and ffra predict.

Examples:
  occlude align photos/ aligned/
  occlude align frames/ aligned/ --size 112 --landmarks frames/landmarks68.jsonl`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfig(o.config(args[0], args[1]))
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.size, "size", occlusion.DefaultAlignSize, "side of the square crops in pixels")
	f.StringVar(&o.landmarks, "landmarks", "", "68-point landmarks file, JSONL or CSV (default: IN/landmarks68.jsonl when present, else detection)")
	f.StringVar(&o.predictor, "predictor", "", "dlib shape_predictor_68_face_landmarks.dat (default: /usr/share/dlib/...)")
	f.StringVar(&o.noFace, "no-face", "skip", "images without a face: skip (not written, recorded) or copy (unchanged)")
	f.StringVar(&o.rafImages, "raf-images", "", "RAF-DB image folder: aligned, original or both (default: aligned when present)")
	f.IntVar(&o.workers, "workers", 0, "parallel workers (0: all cores); never changes the output")
	f.BoolVar(&o.resume, "resume", false, "continue an interrupted run in OUT")
	f.BoolVar(&o.strict, "strict", false, "stop with an error at the first unreadable or failed image")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress output")
	return cmd
}

func init() { rootCmd.AddCommand(newAlignCmd()) }

func (o *alignOptions) config(in, out string) occlusion.Config {
	cfg := occlusion.Config{
		In: in, Out: out, Kind: occlusion.KindAlign, AlignSize: o.size,
		LandmarksFile: o.landmarks, PredictorPath: o.predictor, NoFace: occlusion.NoFacePolicy(o.noFace),
		RAFImages: o.rafImages, Workers: o.workers, Resume: o.resume, Strict: o.strict,
	}
	if !o.quiet {
		cfg.Progress = os.Stderr
		cfg.ProgressBar = isatty.IsTerminal(os.Stderr.Fd())
	}
	return cfg
}
