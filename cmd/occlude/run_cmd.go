package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/occlusion"
)

// runOptions are the settings of one occlude run: the occlusion settings (shared with the
// pipeline config and recorded in occlude.json) and the runtime choices.
type runOptions struct {
	In, Out  string
	Settings occlusion.Settings
	Workers  int
	Resume   bool
	Shard    string
	Quiet    bool
}

// newRunCmd is occlude's root command, which runs the occlusion. runF, when set, replaces the
// work (tests read the options with it).
func newRunCmd(runF func(context.Context, *runOptions) error) *cobra.Command {
	o := &runOptions{Settings: occlusion.DefaultSettings()}
	cmd := &cobra.Command{
		Use:   "occlude --kind mask|sunglasses|random IN OUT [flags]",
		Short: "Synthesise occluded facial-expression datasets (face masks, sunglasses, random occluders)",
		Long: `occlude writes an occluded copy of a facial-expression dataset: OUT mirrors IN (same
relative paths, label files and annotations copied), OUT/manifest.jsonl records every image
(landmark source, 68 landmarks, template, transform, coverage, occluders, status).

Examples:
  occlude --kind mask RAF-DB/basic FM_RAF-DB
  occlude --kind sunglasses --style aviator RAF-DB/basic SG_RAF-DB
  occlude --kind random --occluders 1,3 --area 0.05,0.25 RAF-DB/basic RO_RAF-DB --write-masks
  occlude --kind mask IN OUT --shard 1/4   (x4, then: occlude merge OUT)
  occlude --kind mask IN OUT --resume      (continue an interrupted run)`,
		Args:          cli.PathArgs(cobra.ExactArgs(2)),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.In, o.Out = args[0], args[1]
			// A range's zero value means its default, so an explicit 0,0 would silently
			// become 1,3 or 0.05,0.25: refuse it.
			if cmd.Flags().Changed("area") && o.Settings.Area == (cli.FloatRange{}) {
				return errors.New("--area 0,0: want 0 < MIN <= MAX <= 1 (fractions of the face box)")
			}
			if cmd.Flags().Changed("occluders") && o.Settings.Occluders == (cli.IntRange{}) {
				return errors.New("--occluders 0,0: want 1 <= MIN <= MAX")
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runOcclude(cmd.Context(), *o, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	s := &o.Settings
	f.StringVar((*string)(&s.Kind), "kind", "", "occlusion: mask, sunglasses or random")
	f.StringVar(&s.Style, "style", "", "template style filter, e.g. surgical, n95, cloth, aviator (default: any)")
	f.StringVar(&s.Color, "color", "", "template colour filter (default: any)")
	f.StringVar(&s.Texture, "texture", "", "template texture filter (default: any)")
	f.StringVar(&s.TemplatesDir, "templates", "", "template `DIR` added to the built-in templates; one named like a built-in template replaces it")
	f.Uint64Var(&s.Seed, "seed", s.Seed, "run seed: every random choice is derived from it and the image's relative path")
	f.IntVar(&o.Workers, "workers", 0, "parallel workers (0: one per CPU); never changes the output")
	f.BoolVar(&o.Resume, "resume", false, "continue an interrupted run in OUT: verified finished images are skipped")
	f.StringVar(&o.Shard, "shard", "", "process shard `i/n` only (1-based), or slurm: the shard of this Slurm array task (SLURM_ARRAY_TASK_ID of --array MIN-MAX[:STEP]); combine the shards with: occlude merge OUT")
	f.IntVar(&s.Preview, "preview", 0, "write OUT/preview.png with `N` before/after pairs")
	f.BoolVar(&s.Strict, "strict", false, "stop with an error at the first unreadable or failed image (or bad label line)")
	f.StringVar((*string)(&s.NoFace), "no-face", string(s.NoFace), "images without a face: copy (unchanged, marked no-face) or skip")
	f.StringVar((*string)(&s.Faces), "faces", string(s.Faces), "faces to occlude per image: all or largest")
	f.BoolVar(&s.Aligned, "aligned", false, "declare every image a pre-aligned face crop (RAF-DB Image/aligned always is)")
	f.StringVar((*string)(&s.AlignedLandmarks), "aligned-landmarks", string(s.AlignedLandmarks), "aligned crops without file landmarks: detect (HOG at native scale, else the calibrated box) or box (calibrated box only, no detection: fast, for trusted aligned crops); the manifest status says which (detected or aligned-fallback)")
	f.StringVar(&s.RAFImages, "raf-images", "", "RAF-DB image folder: aligned, original or both (default: aligned when present)")
	f.StringVar(&s.LandmarksFile, "landmarks", "", "68-point landmarks `FILE`, JSONL or CSV (default: IN/landmarks68.jsonl when present)")
	f.StringVar(&s.PredictorPath, "predictor", "", "dlib shape_predictor_68_face_landmarks.dat `FILE` (default: /usr/share/dlib/...)")
	f.BoolVar(&s.WriteMasks, "write-masks", false, "also write OUT/occlusion_masks/<rel>.png (255 = occluded)")
	f.Float64Var(&s.MinScore, "min-score", s.MinScore, "drop HOG face detections scoring below this (dlib's threshold is 0; turned real faces score from 0.004)")
	f.Float64Var(&s.MinSecondScore, "min-second-score", s.MinSecondScore, "drop HOG detections other than the image's best scoring below this (negative: keep all)")
	f.StringVar(&s.ProfileCascade, "profile-cascade", "", "OpenCV profile-face cascade `FILE`, the second detector for photos where HOG finds no face (default: /usr/share/opencv4/haarcascades/haarcascade_profileface.xml from opencv-data; none: off)")
	landmarkerFlags(f, s)
	f.Var(&s.Occluders, "occluders", "random: occluders per face")
	f.Var(&s.Area, "area", "random: occluder area as a fraction of the face box")
	f.StringSliceVar(&s.OccluderTypes, "occluder-types", nil, "random: occluder `TYPES` to draw, comma-separated (default all: "+strings.Join(occlusion.AllOccluders, ",")+")")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress output")
	if err := cmd.MarkFlagRequired("kind"); err != nil {
		panic(err) // a programming error: the flag is declared above
	}
	cli.StopsCleanly(cmd)
	return cmd
}

// runOcclude runs o, reporting progress and the summary on stderr. A cancelled ctx stops it
// cleanly: no new images start, the ones in flight are finished and journaled, and the error
// wraps occlusion.ErrInterrupted.
func runOcclude(ctx context.Context, o runOptions, stderr io.Writer) error {
	workers, err := cli.Workers("--workers", o.Workers)
	if err != nil {
		return err
	}
	cfg := occlusion.Config{In: o.In, Out: o.Out, Settings: o.Settings, Workers: workers, Resume: o.Resume}
	switch o.Shard {
	case "":
	case "slurm":
		i, n, err := cli.SlurmShard(os.Getenv)
		if err != nil {
			return err
		}
		cfg.Shard = occlusion.Shard{I: i, N: n}
		fmt.Fprintf(stderr, "occlude: Slurm array task %s: shard %d/%d\n", os.Getenv("SLURM_ARRAY_TASK_ID"), i, n)
	default:
		if cfg.Shard, err = occlusion.ParseShard(o.Shard); err != nil {
			return err
		}
	}
	if !o.Quiet {
		cfg.Progress = stderr
		if f, ok := stderr.(*os.File); ok {
			cfg.ProgressBar = isatty.IsTerminal(f.Fd())
		}
	}
	sum, err := occlusion.Run(ctx, cfg)
	printSummary(stderr, sum)
	if errors.Is(err, occlusion.ErrInterrupted) {
		return fmt.Errorf("%w; continue with the same occlude command and --resume", err)
	}
	return err
}

func printSummary(w io.Writer, s occlusion.Summary) {
	if s.Items == 0 && s.Processed == 0 {
		return
	}
	var parts []string
	keys := make([]string, 0, len(s.ByStatus))
	for k := range s.ByStatus {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.ByStatus[k]))
	}
	counts := fmt.Sprintf("%d images (%d processed now, %d kept from before)", s.Items, s.Processed, s.Resumed)
	if len(parts) > 0 { // none when a run is interrupted before its first image
		counts += ", " + strings.Join(parts, ", ")
	}
	fmt.Fprintf(w, "occlude: %s; %d failed; %.1f images/s\n", counts, s.Failed, s.PerSecond)
	for _, f := range s.Failures {
		fmt.Fprintf(w, "occlude: failed: %s\n", f)
	}
	if s.Failed > len(s.Failures) {
		fmt.Fprintf(w, "occlude: ... and %d more failed images (see the manifest)\n", s.Failed-len(s.Failures))
	}
	total, shown := 0, 0
	for _, p := range s.Problems {
		total += p.Weight()
		if p.Count <= 1 && shown < 10 { // (a Count stands for problems not kept one by one)
			fmt.Fprintf(w, "occlude: input problem: %s\n", p)
			shown++
		}
	}
	if total > shown {
		fmt.Fprintf(w, "occlude: ... and %d more input problems\n", total-shown)
	}
	for i, p := range s.Untrusted {
		if i == 10 {
			fmt.Fprintf(w, "occlude: ... and %d more entries of OUT not trusted\n", len(s.Untrusted)-10)
			break
		}
		fmt.Fprintf(w, "occlude: not trusted (%s): %s\n", p.Code, p)
	}
	if s.Manifest != "" {
		fmt.Fprintf(w, "occlude: manifest %s\n", s.Manifest)
	}
}

// landmarkerFlags declares the flags that pick the face detector and landmarker (occlude and
// occlude align).
func landmarkerFlags(f *pflag.FlagSet, s *occlusion.Settings) {
	f.StringVar(&s.Landmarker, "landmarker", occlusion.LandmarkerMediaPipe, "what finds faces and their 68 landmarks: mediapipe (BlazeFace, dlib's detectors when it finds none, then FaceMesh; best on turned faces) or dlib (HOG detector and shape predictor)")
	f.StringVar(&s.MediaPipeDir, "mediapipe-dir", "", "`DIR` of the MediaPipe models (default: $OCCFER_MEDIAPIPE, else /usr/local/share/occfer/mediapipe; scripts/install-models.sh installs them)")
}
