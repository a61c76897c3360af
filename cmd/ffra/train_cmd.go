package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/rundir"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// runtimeFlags may differ between a run and its --resume: they do not change results.
var runtimeFlags = map[string]bool{
	"device": true, "workers": true, "threads": true, "cache-mb": true, "prefetch": true, "eval-batch": true,
	"resume": true, "stop-after": true, "quiet": true,
}

func init() {
	def := train.DefaultConfig()
	var (
		val                         []string
		out, resume, arch, testName string
		cropScale, cropRatio        string
		eraseScale                  string
		noAug, quiet                bool
		stopAfter                   int
	)
	cfg := def
	cmd := &cobra.Command{
		Use:   "train DATA [--val [NAME=]PATH ...]",
		Short: "Train FFRA-Net (or ResNet-18) on a RAF-DB tree or train/ + test/ class folders",
		Long: `Train FFRA-Net with the paper's recipe by default (Adam, lr 1e-4, batch 128, 200 epochs,
input 224, ResNet-18 backbone, lambda 0.6, constant LR). DATA is a RAF-DB tree (official
train/test split from EmoLabel/list_patition_label.txt) or a folder with train/<class>/ and
test/<class>/ subfolders. The test split of DATA is evaluated every epoch as "test" (see
--test-name); each --val set too, under its folder name or NAME of NAME=PATH.

The run folder (--out) receives config.json, metrics.jsonl, last/ and best/ checkpoints,
report.json, curves.png and confusion_<set>.png. --resume RUNDIR continues an interrupted run
and ends exactly where an uninterrupted one would.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if resume != "" {
				if len(args) > 0 {
					return fmt.Errorf("--resume takes the data paths from %s/config.json; give no DATA", resume)
				}
				return nil
			}
			if len(args) != 1 {
				return fmt.Errorf("want exactly one training DATA folder, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o := train.Options{Log: os.Stderr}
			if !quiet {
				o.Progress = os.Stderr
			}
			if resume != "" {
				var bad []string
				cmd.Flags().Visit(func(f *pflag.Flag) {
					if !runtimeFlags[f.Name] {
						bad = append(bad, "--"+f.Name)
					}
				})
				if len(bad) > 0 {
					return fmt.Errorf("%s cannot change on --resume: the run's config.json fixes every setting that affects results (allowed: --device, --workers, --threads, --cache-mb, --prefetch, --eval-batch, --stop-after, --quiet)", strings.Join(bad, ", "))
				}
				o.Resume, o.Out = true, resume
			} else {
				if err := applyArch(cmd, &cfg, arch); err != nil {
					return err
				}
				var err error
				if cfg.Augment.ScaleMin, cfg.Augment.ScaleMax, err = parsePair("--crop-scale", cropScale); err != nil {
					return err
				}
				if cfg.Augment.RatioMin, cfg.Augment.RatioMax, err = parsePair("--crop-ratio", cropRatio); err != nil {
					return err
				}
				if cfg.Augment.EraseScaleMin, cfg.Augment.EraseScaleMax, err = parsePair("--erase-scale", eraseScale); err != nil {
					return err
				}
				if noAug {
					cfg.Augment.Crop, cfg.Augment.Flip, cfg.Augment.EraseP = false, false, 0
					cfg.Augment.Brightness, cfg.Augment.Contrast, cfg.Augment.Saturation = 0, 0, 0
				}
				if !cmd.Flags().Changed("eval-batch") {
					cfg.Runtime.EvalBatch = cfg.BatchSize
				}
				for _, v := range val {
					s, err := train.ParseSetSpec(v)
					if err != nil {
						return err
					}
					o.Val = append(o.Val, s)
				}
				o.TrainPath, o.OwnTest = args[0], testName
				if out == "" {
					out = "runs/ffra-" + time.Now().UTC().Format("20060102-150405")
				}
				o.Out = out
			}
			cfg.Runtime.StartedUTC = time.Now().UTC().Format(time.RFC3339)
			o.Config, o.StopAfter = cfg, stopAfter
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := train.Run(ctx, o)
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("%w (interrupted; continue with: ffra train --resume %s)", err, o.Out)
				}
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), summaryLine(rep, o.Out))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&val, "val", nil, "extra test set evaluated every epoch, PATH or NAME=PATH (repeatable)")
	f.StringVar(&testName, "test-name", "test", "name of DATA's own test split in the reports (\"\" skips it)")
	f.StringVar(&cfg.Select, "select", "", "test set whose accuracy picks best/ (default: the first)")
	f.StringVarP(&out, "out", "o", "", "run folder (default runs/ffra-<UTC time>); must be new or empty")
	f.StringVar(&resume, "resume", "", "continue the run in RUNDIR from its last/ checkpoint")
	// Model.
	f.StringVar(&arch, "arch", "ffra", "ffra or resnet18 (resnet18 = both branches off)")
	f.BoolVar(&cfg.Model.MultiScale, "ms", true, "multi-scale branch (ablation: --ms=false)")
	f.BoolVar(&cfg.Model.LocalAttention, "la", true, "local-attention branch (ablation: --la=false)")
	f.StringVar(&cfg.Model.Fusion, "fusion", model.FusionWeighted, "branch fusion: weighted, add or concat")
	f.Float64Var(&cfg.Model.Lambda, "lambda", 0.6, "weight of the local-attention branch in weighted fusion")
	f.StringVar(&cfg.Model.Insert, "insert", model.InsertLayer3, "stage the module follows: layer3 or layer2")
	f.BoolVar(&cfg.Model.SharedLA, "shared-la", false, "one weight set shared by the four LA parts (spec A5)")
	f.BoolVar(&cfg.Model.ZeroInitLastBN, "zero-init-bn", false, "zero the last BN gamma of each branch part (module starts as identity)")
	f.IntVar(&cfg.Model.InputSize, "input-size", 224, "input side in pixels (224 or 112)")
	f.StringVar(&cfg.Pretrained, "pretrained", "", "backbone weights (.pth/.pt/.safetensors, e.g. MS-Celeb ResNet-18); fc and new modules stay at init")
	// Optimisation.
	f.IntVar(&cfg.Epochs, "epochs", def.Epochs, "epochs")
	f.IntVarP(&cfg.BatchSize, "batch-size", "b", def.BatchSize, "training batch size")
	f.Float64Var(&cfg.Optim.LR, "lr", def.Optim.LR, "Adam learning rate")
	f.Float64Var(&cfg.Optim.WeightDecay, "wd", 0, "L2 weight decay added to the gradient (torch.optim.Adam); the spec suggests 1e-4")
	f.Float64Var(&cfg.Optim.Beta1, "beta1", def.Optim.Beta1, "Adam beta1")
	f.Float64Var(&cfg.Optim.Beta2, "beta2", def.Optim.Beta2, "Adam beta2")
	f.Float64Var(&cfg.Optim.Eps, "eps", def.Optim.Eps, "Adam epsilon")
	f.StringVar(&cfg.Optim.Schedule, "schedule", "constant", "LR schedule: constant, or exp (lr * gamma^epoch, ExponentialLR)")
	f.Float64Var(&cfg.Optim.Gamma, "gamma", def.Optim.Gamma, "decay per epoch of the exp schedule")
	f.Uint64Var(&cfg.Seed, "seed", def.Seed, "seed of weight init, data order and augmentation")
	// Augmentation.
	f.BoolVar(&cfg.Augment.Crop, "crop", true, "RandomResizedCrop")
	f.StringVar(&cropScale, "crop-scale", "0.08,1", "RandomResizedCrop area range MIN,MAX")
	f.StringVar(&cropRatio, "crop-ratio", "0.75,1.3333333", "RandomResizedCrop aspect range MIN,MAX")
	f.BoolVar(&cfg.Augment.Flip, "flip", true, "random horizontal flip")
	f.Float64Var(&cfg.Augment.Brightness, "brightness", 0, "colour jitter brightness strength (0: off)")
	f.Float64Var(&cfg.Augment.Contrast, "contrast", 0, "colour jitter contrast strength (0: off)")
	f.Float64Var(&cfg.Augment.Saturation, "saturation", 0, "colour jitter saturation strength (0: off)")
	f.Float64Var(&cfg.Augment.EraseP, "erase", 0, "RandomErasing probability (SCN: 0.5; 0: off)")
	f.StringVar(&eraseScale, "erase-scale", "0.02,0.25", "RandomErasing area range MIN,MAX")
	f.BoolVar(&noAug, "no-augment", false, "switch every augmentation off")
	// Runtime.
	f.StringVar(&cfg.Runtime.Device, "device", "auto", "auto, cpu, cuda or cuda:N")
	f.IntVar(&cfg.Runtime.Workers, "workers", def.Runtime.Workers, "decoding/augmentation goroutines (results do not depend on it)")
	f.IntVar(&cfg.Runtime.Threads, "threads", 0, "libtorch intra-op threads on the CPU (0: the CPUs available; on --resume: the run's own count)")
	f.IntVar(&cfg.Runtime.CacheMB, "cache-mb", def.Runtime.CacheMB, "memory cap for decoded images; the rest are decoded per batch")
	f.IntVar(&cfg.Runtime.Prefetch, "prefetch", def.Runtime.Prefetch, "batches prepared ahead of the model")
	f.IntVar(&cfg.Runtime.EvalBatch, "eval-batch", def.Runtime.EvalBatch, "evaluation batch size (default: --batch-size)")
	f.IntVar(&stopAfter, "stop-after", 0, "stop after N epochs in this process (resumable); 0: run to the end")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar / progress lines")
	rootCmd.AddCommand(cmd)
}

// applyArch maps --arch onto the branch switches.
func applyArch(cmd *cobra.Command, cfg *rundir.Config, arch string) error {
	switch arch {
	case "ffra":
		cfg.Model.Variant = "ffra"
		if !cfg.Model.MultiScale || !cfg.Model.LocalAttention || cfg.Model.Fusion != model.FusionWeighted ||
			cfg.Model.Insert != model.InsertLayer3 || cfg.Model.SharedLA || cfg.Model.ZeroInitLastBN {
			cfg.Model.Variant = "ffra-custom"
		}
	case "resnet18":
		if (cmd.Flags().Changed("ms") && cfg.Model.MultiScale) || (cmd.Flags().Changed("la") && cfg.Model.LocalAttention) {
			return fmt.Errorf("--arch resnet18 has no branches; drop --ms/--la")
		}
		cfg.Model.Variant, cfg.Model.MultiScale, cfg.Model.LocalAttention = "resnet18", false, false
	default:
		return fmt.Errorf("unknown --arch %q (ffra or resnet18)", arch)
	}
	return nil
}

// parsePair parses "A,B" floats.
func parsePair(flag, s string) (float64, float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return 0, 0, fmt.Errorf("%s %q: want MIN,MAX", flag, s)
	}
	a, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s %q: want two numbers MIN,MAX", flag, s)
	}
	return a, b, nil
}

func summaryLine(rep *train.Report, out string) string {
	var b strings.Builder
	if rep.Interrupted {
		fmt.Fprintf(&b, "stopped after epoch %d (continue with --resume %s)", rep.Epochs, out)
	} else {
		fmt.Fprintf(&b, "done: %d epochs", rep.Epochs)
	}
	if rep.BestEpoch > 0 {
		m := rep.Best[rep.Select]
		fmt.Fprintf(&b, "; best epoch %d: %s acc %.2f%% mean-class %.2f%%", rep.BestEpoch, rep.Select, 100*m.Acc, 100*m.MeanClassAcc)
	}
	fmt.Fprintf(&b, "; run folder %s", out)
	return b.String()
}
