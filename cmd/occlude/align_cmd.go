package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/occlusion"
)

// newAlignCmd is occlude align: RAF-DB-style aligned crops of raw photographs, made by the
// occlusion runner with kind align (occlusion.AlignTransform). runF, when set, replaces the
// work (tests read the options with it).
func newAlignCmd(runF func(context.Context, *runOptions) error) *cobra.Command {
	o := &runOptions{Settings: occlusion.Settings{Kind: occlusion.KindAlign, NoFace: occlusion.NoFaceSkip, AlignSize: occlusion.DefaultAlignSize}}
	cmd := &cobra.Command{
		Use:   "align IN OUT [--size 100] [--landmarks FILE]",
		Short: "Make RAF-DB-style aligned face crops of raw photographs",
		Long: `align writes, for every image of IN, an aligned crop of its largest face to OUT (same relative
path and format): the similarity that takes the two eye centres and the mouth centre (the centroid
of the outer lip) onto the aligned template of a 100x100 RAF-DB-style crop (eyes level, eye
midpoint at (50, 38), mouth centre at (50, 75); scaled for --size). The landmarks come from
--landmarks FILE (or IN/landmarks68.jsonl), else from the landmarker (MediaPipe's BlazeFace and
FaceMesh, or with --landmarker dlib, dlib's detector and 68-point predictor); they are carried, transformed, into OUT/landmarks68.jsonl. Label files are copied, OUT/manifest.jsonl
records every image (status, source, crop landmarks, the transform from the input); images without
a face are reported, counted and not written. Outputs are written atomically; --resume continues
an interrupted run.

The crops are inputs of occlude (with --aligned, or as RAF-DB Image/aligned) and ffra predict.

Examples:
  occlude align photos/ aligned/
  occlude align frames/ aligned/ --size 112 --landmarks frames/landmarks68.jsonl`,
		Args: cli.PathArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.In, o.Out = args[0], args[1]
			// AlignSize's zero value means DefaultAlignSize, so an explicit --size 0 would
			// silently give 100-pixel crops: refuse it (negative sizes fail validation).
			if cmd.Flags().Changed("size") && o.Settings.AlignSize == 0 {
				return errors.New("--size 0: want 16..4096 pixels")
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runOcclude(cmd.Context(), *o, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	s := &o.Settings
	f.IntVar(&s.AlignSize, "size", s.AlignSize, "side of the square crops in pixels")
	f.StringVar(&s.LandmarksFile, "landmarks", "", "68-point landmarks `FILE`, JSONL or CSV (default: IN/landmarks68.jsonl when present, else detection)")
	f.StringVar(&s.PredictorPath, "predictor", "", "dlib shape_predictor_68_face_landmarks.dat `FILE` (default: /usr/share/dlib/...)")
	landmarkerFlags(f, s)
	f.StringVar((*string)(&s.NoFace), "no-face", string(s.NoFace), "images without a face: skip (not written, recorded) or copy (unchanged)")
	f.StringVar(&s.RAFImages, "raf-images", "", "RAF-DB image folder: aligned, original or both (default: aligned when present)")
	f.BoolVar(&s.Strict, "strict", false, "stop with an error at the first unreadable or failed image")
	f.IntVar(&o.Workers, "workers", 0, "parallel workers (0: one per CPU); never changes the output")
	f.BoolVar(&o.Resume, "resume", false, "continue an interrupted run in OUT")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress output")
	cli.StopsCleanly(cmd)
	return cmd
}
