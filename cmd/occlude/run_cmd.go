package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/occfer/occfer/occlusion"
)

var runFlags struct {
	settings      occlusion.Settings
	workers       int
	resume, quiet bool
	shard         string
}

func init() {
	f := rootCmd.Flags()
	r := &runFlags
	s := &r.settings
	*s = occlusion.DefaultSettings()
	s.Seed = 0
	f.StringVar((*string)(&s.Kind), "kind", "", "occlusion: mask, sunglasses or random (required)")
	f.StringVar(&s.Style, "style", "", "template style filter, e.g. surgical, n95, cloth, aviator (default: any)")
	f.StringVar(&s.Color, "color", "", "template colour filter (default: any)")
	f.StringVar(&s.Texture, "texture", "", "template texture filter (default: any)")
	f.StringVar(&s.TemplatesDir, "templates", "", "template folder added to the built-in templates; one named like a built-in template replaces it")
	f.Uint64Var(&s.Seed, "seed", s.Seed, "run seed: every random choice is derived from it and the image's relative path")
	f.IntVar(&r.workers, "workers", 0, "parallel workers (default: number of CPUs); never changes the output")
	f.BoolVar(&r.resume, "resume", false, "continue an interrupted run in OUT: verified finished images are skipped")
	f.StringVar(&r.shard, "shard", "", "process shard `i/n` only (1-based); combine the shards with: occlude merge OUT")
	f.IntVar(&s.Preview, "preview", 0, "write OUT/preview.png with N before/after pairs")
	f.BoolVar(&s.Strict, "strict", false, "stop with an error at the first unreadable or failed image (or bad label line)")
	f.StringVar((*string)(&s.NoFace), "no-face", string(s.NoFace), "images without a face: copy (unchanged, marked no-face) or skip")
	f.StringVar((*string)(&s.Faces), "faces", string(s.Faces), "faces to occlude per image: all or largest")
	f.BoolVar(&s.Aligned, "aligned", false, "declare every image a pre-aligned face crop (RAF-DB Image/aligned always is)")
	f.StringVar((*string)(&s.AlignedLandmarks), "aligned-landmarks", string(s.AlignedLandmarks), "aligned crops without file landmarks: detect (HOG at native scale, else the calibrated box) or box (calibrated box only, no detection: fast, for trusted aligned crops); the manifest status says which (detected or aligned-fallback)")
	f.StringVar(&s.RAFImages, "raf-images", "", "RAF-DB image folder: aligned, original or both (default: aligned when present)")
	f.StringVar(&s.LandmarksFile, "landmarks", "", "68-point landmarks file, JSONL or CSV (default: IN/landmarks68.jsonl when present)")
	f.StringVar(&s.PredictorPath, "predictor", "", "dlib shape_predictor_68_face_landmarks.dat (default: /usr/share/dlib/...)")
	f.BoolVar(&s.WriteMasks, "write-masks", false, "also write OUT/occlusion_masks/<rel>.png (255 = occluded)")
	f.Var(&s.Occluders, "occluders", "random: occluders per face")
	f.Var(&s.Area, "area", "random: occluder area as a fraction of the face box")
	f.StringSliceVar(&s.OccluderTypes, "occluder-types", nil, "random: types to draw (default all: "+strings.Join(occlusion.AllOccluders, ",")+")")
	f.BoolVarP(&r.quiet, "quiet", "q", false, "no progress output")
}

func runOcclude(cmd *cobra.Command, args []string) error {
	r := &runFlags
	if r.settings.Kind == "" {
		return fmt.Errorf("--kind is required (mask, sunglasses or random)")
	}
	cfg := occlusion.Config{In: args[0], Out: args[1], Settings: r.settings, Workers: r.workers, Resume: r.resume}
	if r.shard != "" {
		sh, err := occlusion.ParseShard(r.shard)
		if err != nil {
			return err
		}
		cfg.Shard = sh
	}
	if !r.quiet {
		cfg.Progress = os.Stderr
		cfg.ProgressBar = isatty.IsTerminal(os.Stderr.Fd())
	}
	// Ctrl-C / SIGTERM cancel the context: no new images start, the ones in flight finish
	// and are journaled, and Run returns ErrInterrupted (exit 130, "rerun with --resume").
	// The handler is then removed, so a second Ctrl-C quits at once (a later --resume
	// cleans any temporary file that leaves).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		s := <-sigs
		signal.Stop(sigs)
		fmt.Fprintf(os.Stderr, "\nocclude: %v: finishing the images in flight (Ctrl-C again to quit now)\n", s)
		cancel()
	}()
	sum, err := occlusion.Run(ctx, cfg)
	printSummary(sum)
	return err
}

func printSummary(s occlusion.Summary) {
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
	fmt.Fprintf(os.Stderr, "occlude: %d images (%d processed now, %d kept from before), %s; %d failed; %.1f images/s\n",
		s.Items, s.Processed, s.Resumed, strings.Join(parts, ", "), s.Failed, s.PerSecond)
	for _, f := range s.Failures {
		fmt.Fprintf(os.Stderr, "occlude: failed: %s\n", f)
	}
	if s.Failed > len(s.Failures) {
		fmt.Fprintf(os.Stderr, "occlude: ... and %d more failed images (see the manifest)\n", s.Failed-len(s.Failures))
	}
	for i, p := range s.Problems {
		if i == 10 {
			fmt.Fprintf(os.Stderr, "occlude: ... and %d more input problems\n", len(s.Problems)-10)
			break
		}
		fmt.Fprintf(os.Stderr, "occlude: input problem: %s\n", p)
	}
	if s.Manifest != "" {
		fmt.Fprintf(os.Stderr, "occlude: manifest %s\n", s.Manifest)
	}
}
