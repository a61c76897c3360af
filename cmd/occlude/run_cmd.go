package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/occfer/occfer/occlusion"
)

var runFlags struct {
	kind, style, color, texture, templates string
	seed                                   uint64
	workers                                int
	resume, strict, aligned, writeMasks    bool
	shard                                  string
	preview                                int
	noFace, faces                          string
	landmarks, predictor, rafImages        string
	alignedLandmarks                       string
	occluders, area                        string
	occluderTypes                          []string
	quiet                                  bool
	minScore, minSecondScore               float64
	profileCascade                         string
}

func init() {
	f := rootCmd.Flags()
	r := &runFlags
	f.StringVar(&r.kind, "kind", "", "occlusion: mask, sunglasses or random (required)")
	f.StringVar(&r.style, "style", "", "template style filter, e.g. surgical, n95, cloth, aviator (default: any)")
	f.StringVar(&r.color, "color", "", "template colour filter (default: any)")
	f.StringVar(&r.texture, "texture", "", "template texture filter (default: any)")
	f.StringVar(&r.templates, "templates", "assets", "template folder (relative: under the working directory, then next to the executable)")
	f.Uint64Var(&r.seed, "seed", 0, "run seed: every random choice is derived from it and the image's relative path")
	f.IntVar(&r.workers, "workers", 0, "parallel workers (default: number of CPUs); never changes the output")
	f.BoolVar(&r.resume, "resume", false, "continue an interrupted run in OUT: verified finished images are skipped")
	f.StringVar(&r.shard, "shard", "", "process shard `i/n` only (1-based); combine the shards with: occlude merge OUT")
	f.IntVar(&r.preview, "preview", 0, "write OUT/preview.png with N before/after pairs")
	f.BoolVar(&r.strict, "strict", false, "stop with an error at the first unreadable or failed image (or bad label line)")
	f.StringVar(&r.noFace, "no-face", "copy", "images without a face: copy (unchanged, marked no-face) or skip")
	f.StringVar(&r.faces, "faces", "all", "faces to occlude per image: all or largest")
	f.BoolVar(&r.aligned, "aligned", false, "declare every image a pre-aligned face crop (RAF-DB Image/aligned always is)")
	f.StringVar(&r.alignedLandmarks, "aligned-landmarks", "detect", "aligned crops without file landmarks: detect (HOG at native scale, else the calibrated box) or box (calibrated box only, no detection: fast, for trusted aligned crops); the manifest status says which (detected or aligned-fallback)")
	f.StringVar(&r.rafImages, "raf-images", "", "RAF-DB image folder: aligned, original or both (default: aligned when present)")
	f.StringVar(&r.landmarks, "landmarks", "", "68-point landmarks file, JSONL or CSV (default: IN/landmarks68.jsonl when present)")
	f.StringVar(&r.predictor, "predictor", "", "dlib shape_predictor_68_face_landmarks.dat (default: /usr/share/dlib/...)")
	f.BoolVar(&r.writeMasks, "write-masks", false, "also write OUT/occlusion_masks/<rel>.png (255 = occluded)")
	f.StringVar(&r.occluders, "occluders", "1-3", "random: occluders per face, MIN-MAX")
	f.StringVar(&r.area, "area", "0.05-0.25", "random: occluder area as a fraction of the face box, MIN-MAX")
	f.StringSliceVar(&r.occluderTypes, "occluder-types", nil, "random: types to draw (default all: "+strings.Join(occlusion.AllOccluders, ",")+")")
	f.BoolVarP(&r.quiet, "quiet", "q", false, "no progress output")
	f.Float64Var(&r.minScore, "min-score", 0, "drop HOG face detections scoring below this (dlib's threshold is 0; turned real faces score from 0.004)")
	f.Float64Var(&r.minSecondScore, "min-second-score", occlusion.DefaultMinSecondScore, "drop HOG detections other than the image's best scoring below this (0: keep all)")
	f.StringVar(&r.profileCascade, "profile-cascade", "", "OpenCV profile-face cascade, the second detector for photos where HOG finds no face (default: /usr/share/opencv4/haarcascades/haarcascade_profileface.xml from opencv-data; none: off)")
}

func runOcclude(cmd *cobra.Command, args []string) error {
	r := &runFlags
	if r.kind == "" {
		return fmt.Errorf("--kind is required (mask, sunglasses or random)")
	}
	cfg := occlusion.Config{
		In: args[0], Out: args[1], Kind: occlusion.Kind(r.kind),
		Style: r.style, Color: r.color, Texture: r.texture, TemplatesDir: r.templates,
		Seed: r.seed, Workers: r.workers, Resume: r.resume, Preview: r.preview, Strict: r.strict,
		NoFace: occlusion.NoFacePolicy(r.noFace), Faces: occlusion.MultiFace(r.faces),
		Aligned: r.aligned, AlignedLandmarks: occlusion.AlignedLandmarks(r.alignedLandmarks), RAFImages: r.rafImages, LandmarksFile: r.landmarks,
		PredictorPath: r.predictor, WriteMasks: r.writeMasks,
		MinScore: r.minScore, MinSecondScore: r.minSecondScore, ProfileCascade: r.profileCascade,
	}
	if r.minSecondScore == 0 {
		cfg.MinSecondScore = -1 // the flag's 0 means off; the Config's 0 means the default
	}
	if r.shard != "" {
		sh, err := occlusion.ParseShard(r.shard)
		if err != nil {
			return err
		}
		cfg.Shard = sh
	}
	if r.kind == string(occlusion.KindRandom) {
		var err error
		if cfg.Random.MinCount, cfg.Random.MaxCount, err = parseIntRange("--occluders", r.occluders); err != nil {
			return err
		}
		if cfg.Random.MinArea, cfg.Random.MaxArea, err = parseFloatRange("--area", r.area); err != nil {
			return err
		}
		cfg.Random.Types = r.occluderTypes
	}
	if !r.quiet {
		cfg.Progress = os.Stderr
		cfg.ProgressBar = isatty.IsTerminal(os.Stderr.Fd())
	}
	return runConfig(cfg)
}

// runConfig runs cfg, stopping cleanly on Ctrl-C or SIGTERM, and prints the summary.
func runConfig(cfg occlusion.Config) error {
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

func parseIntRange(flag, s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s %q: want MIN-MAX whole numbers, e.g. 1-3", flag, s)
	}
	return lo, hi, nil
}

func parseFloatRange(flag, s string) (float64, float64, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s %q: want MIN-MAX fractions, e.g. 0.05-0.25", flag, s)
	}
	return lo, hi, nil
}
