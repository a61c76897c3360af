package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/rundir"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// runtimeFlags may differ between a run and its --resume: they do not change results.
var runtimeFlags = map[string]bool{
	"device": true, "workers": true, "threads": true, "cache-mb": true, "prefetch": true, "eval-batch": true,
	"resume": true, "out": true, "stop-after": true, "quiet": true, "problems": true,
}

// trainOptions are the settings of `ffra train`: Config holds every flag that is a field of the
// run's config.json, the rest are read by runTrain.
type trainOptions struct {
	Data                             string // DATA; empty with --resume
	Out                              string
	Resume                           bool
	Val                              []string // PATH or NAME=PATH
	TestName                         string
	Arch                             string
	CropScale, CropRatio, EraseScale cli.FloatRange
	NoAugment, Quiet                 bool
	PretrainedPartial                bool
	StopAfter                        int
	Problems                         string // --problems FILE
	Config                           rundir.Config
	// Changed names the flags given on the command line (set per execution).
	Changed map[string]bool
}

// newTrainCmd is `ffra train`. runF, when set, replaces the work.
func newTrainCmd(runF func(context.Context, *trainOptions) error) *cobra.Command {
	def := train.DefaultConfig()
	o := &trainOptions{Config: def}
	cmd := &cobra.Command{
		Use:   "train DATA [--val [NAME=]PATH[@LIST] ...] [-o RUN]",
		Short: "Train FFRA-Net (or a baseline: ResNet-18/50, VGG-16, MobileNetV2) on RAF-DB, FERPlus, FER2013 or class folders",
		Long: `Train FFRA-Net with the paper's recipe by default (Adam, lr 1e-4, batch 128, 200 epochs,
input 224, ResNet-18 backbone, lambda 0.6, constant LR). DATA is any tree ffra data reads: a
RAF-DB tree (official train/test split from EmoLabel/list_patition_label.txt), a FERPlus tree
(FER2013Train/ FER2013Valid/ FER2013Test/ with label.csv, or fer2013.csv + fer2013new.csv;
--ferplus-mode, --ferplus-classes), fer2013.csv, or train/<class>/ folders with val/ (valid/)
and test/ beside them (digit class folders need --class-order). The model's classes are
DATA's; checkpoints carry their names.

DATA's validation split is evaluated every epoch as "val" and its test split as "test" (see
--test-name); each --val set too, under its folder name or NAME of NAME=PATH; PATH@LIST is the
subset of PATH a name list selects (RAN's occlusion and pose lists). best/ is chosen by
--select: by default the validation split when DATA has one, else the first test set; the log
and report.json (selected_by) say which.

--arch picks the network: ffra (default), or the FFRA-Net paper's Table 4 baselines resnet18,
resnet50, vgg16 and mobilenet_v2 as torchvision defines them (torchvision's state_dict names,
so --pretrained takes torchvision's ImageNet files; the classifier sized to the classes).

--pretrained FILE loads a backbone before epoch 1 and prints what it loaded, left at init and
ignored (also stored in config.json). It fails before the run folder is created when a file
entry has another shape, when a name is not in the model (e.g. a ResNet-34 file for
ResNet-18), or when under 90% of the backbone's tensors load; --pretrained-partial loads
whatever fits instead.

The run folder (-o) receives config.json, metrics.jsonl, last/ and best/ checkpoints,
report.json, curves.png and confusion_<set>.png. ffra train --resume -o RUN continues an
interrupted run and ends exactly where an uninterrupted one would.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.Resume {
				if o.Out == "" && len(args) == 1 {
					return fmt.Errorf("--resume continues the run folder given with -o: ffra train --resume -o %s", args[0])
				}
				if len(args) > 0 {
					return fmt.Errorf("--resume takes the data paths from the run's config.json; give no DATA")
				}
				if o.Out == "" {
					return fmt.Errorf("--resume needs the run folder: ffra train --resume -o RUN")
				}
				return nil
			}
			if len(args) != 1 {
				return fmt.Errorf("want exactly one training DATA folder, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Data = ""
			if len(args) == 1 {
				o.Data = args[0]
			}
			o.Changed = map[string]bool{}
			cmd.Flags().VisitAll(func(f *pflag.Flag) { // (Visit would list an earlier execution's flags too)
				if f.Changed {
					o.Changed[f.Name] = true
				}
			})
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runTrain(cmd.Context(), *o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cfg := &o.Config
	f := cmd.Flags()
	f.StringArrayVar(&o.Val, "val", nil, "extra test set evaluated every epoch, `[NAME=]PATH[@LIST]` (repeatable)")
	f.StringVar(&o.TestName, "test-name", "test", "name of DATA's own test split in the reports (\"\" skips DATA's val and test splits)")
	f.StringVar(&cfg.Select, "select", "", "test set whose accuracy picks best/ (default: DATA's val split, else the first test set)")
	labelFlags(f, &cfg.Labels, true)
	f.IntVar(&cfg.Limit, "limit", 0, "train on at most N images (a seeded subset; 0: all), e.g. for a smoke test")
	f.StringVarP(&o.Out, "out", "o", "", "run folder `RUN` (default runs/ffra-<UTC time>); must be new or empty, or with --resume the run to continue")
	f.BoolVar(&o.Resume, "resume", false, "continue the run in -o RUN from its last/ checkpoint")
	// Model.
	f.StringVar(&o.Arch, "arch", "ffra", "network: "+strings.Join(ffranet.ArchNames(), ", ")+" (torchvision's; resnet18 = FFRA-Net with both branches off)")
	f.BoolVar(&cfg.Model.MultiScale, "ms", true, "multi-scale branch (ablation: --ms=false)")
	f.BoolVar(&cfg.Model.LocalAttention, "la", true, "local-attention branch (ablation: --la=false)")
	f.StringVar(&cfg.Model.Fusion, "fusion", ffranet.FusionWeighted, "branch fusion: weighted, add or concat")
	f.Float64Var(&cfg.Model.Lambda, "lambda", 0.6, "weight of the local-attention branch in weighted fusion")
	f.StringVar(&cfg.Model.Insert, "insert", ffranet.InsertLayer3, "stage the module follows: layer3 or layer2")
	f.BoolVar(&cfg.Model.SharedLA, "shared-la", false, "one weight set shared by the four LA parts (spec A5)")
	f.BoolVar(&cfg.Model.ZeroInitLastBN, "zero-init-bn", false, "zero the last BN gamma of each branch part (module starts as identity)")
	f.IntVar(&cfg.Model.InputSize, "input-size", 224, "input side in pixels (224 or 112)")
	f.StringVar(&cfg.Pretrained, "pretrained", "", "backbone weights `FILE` (.pth/.pt/.safetensors: torchvision ImageNet, MS-Celeb ResNet-18, an FFRA state_dict); the classifier and new modules stay at init; refused when a name is foreign, a shape differs or under 90% of the backbone loads")
	f.BoolVar(&o.PretrainedPartial, "pretrained-partial", false, "with --pretrained: load whatever fits by name and shape, leave the rest at init")
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
	// The command has always written 4/3 as 1.3333333 (the library default is 4.0/3): kept,
	// so the same flags give the same config.json.
	o.CropScale = cli.FloatRange{Min: 0.08, Max: 1}
	o.CropRatio = cli.FloatRange{Min: 0.75, Max: 1.3333333}
	o.EraseScale = cli.FloatRange{Min: 0.02, Max: 0.25}
	f.Var(&o.CropScale, "crop-scale", "RandomResizedCrop area range")
	f.Var(&o.CropRatio, "crop-ratio", "RandomResizedCrop aspect range")
	f.BoolVar(&cfg.Augment.Flip, "flip", true, "random horizontal flip")
	f.Float64Var(&cfg.Augment.Brightness, "brightness", 0, "colour jitter brightness strength (0: off)")
	f.Float64Var(&cfg.Augment.Contrast, "contrast", 0, "colour jitter contrast strength (0: off)")
	f.Float64Var(&cfg.Augment.Saturation, "saturation", 0, "colour jitter saturation strength (0: off)")
	f.Float64Var(&cfg.Augment.EraseP, "erase", 0, "RandomErasing probability (SCN: 0.5; 0: off)")
	f.Var(&o.EraseScale, "erase-scale", "RandomErasing area range")
	f.BoolVar(&o.NoAugment, "no-augment", false, "switch every augmentation off")
	// Runtime.
	f.StringVar(&cfg.Runtime.Device, "device", "auto", "auto, cpu, cuda or cuda:N")
	f.IntVar(&cfg.Runtime.Threads, "threads", 0, "libtorch intra-op threads on the CPU (0: the CPUs available; on --resume: the run's own count)")
	f.IntVar(&cfg.Runtime.Workers, "workers", 0, "decoding/augmentation goroutines (0: one per CPU); results do not depend on it")
	f.IntVar(&cfg.Runtime.CacheMB, "cache-mb", def.Runtime.CacheMB, "memory cap for decoded images; the rest are decoded per batch")
	f.IntVar(&cfg.Runtime.Prefetch, "prefetch", def.Runtime.Prefetch, "batches prepared ahead of the model")
	f.IntVar(&cfg.Runtime.EvalBatch, "eval-batch", def.Runtime.EvalBatch, "evaluation batch size (default: --batch-size)")
	f.IntVar(&o.StopAfter, "stop-after", 0, "stop after N epochs in this process (resumable); 0: run to the end")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress bar / progress lines")
	f.StringVar(&o.Problems, "problems", "", "write every skipped entry (label lines, missing and unreadable images) to `FILE` as JSON lines; report.json counts them and quotes the first of each reason")
	cli.StopsCleanly(cmd)
	return cmd
}

// runTrain trains (or resumes) the run o describes. It works on a copy of o.Config, so the
// options stay as the flags set them.
func runTrain(ctx context.Context, o trainOptions, stdout, stderr io.Writer) error {
	cfg := o.Config
	var err error
	if cfg.Runtime.Workers, err = cli.Workers("--workers", cfg.Runtime.Workers); err != nil {
		return err
	}
	opts := train.Options{Log: stderr, ProblemsFile: o.Problems}
	if !o.Quiet {
		opts.Progress = stderr
	}
	if o.Resume {
		var bad []string
		for name := range o.Changed {
			if !runtimeFlags[name] {
				bad = append(bad, "--"+name)
			}
		}
		sort.Strings(bad)
		if len(bad) > 0 {
			return fmt.Errorf("%s cannot change on --resume: the run's config.json fixes every setting that affects results (allowed: --device, --workers, --threads, --cache-mb, --prefetch, --eval-batch, --stop-after, --quiet, --problems)", strings.Join(bad, ", "))
		}
		opts.Resume, opts.Out = true, o.Out
	} else {
		if err := applyArch(&cfg, o.Arch, o.Changed); err != nil {
			return err
		}
		if o.PretrainedPartial {
			cfg.PretrainedMode = rundir.PretrainedPartial
		}
		cfg.Augment.ScaleMin, cfg.Augment.ScaleMax = o.CropScale.Min, o.CropScale.Max
		cfg.Augment.RatioMin, cfg.Augment.RatioMax = o.CropRatio.Min, o.CropRatio.Max
		cfg.Augment.EraseScaleMin, cfg.Augment.EraseScaleMax = o.EraseScale.Min, o.EraseScale.Max
		if o.NoAugment {
			cfg.Augment.Crop, cfg.Augment.Flip, cfg.Augment.EraseP = false, false, 0
			cfg.Augment.Brightness, cfg.Augment.Contrast, cfg.Augment.Saturation = 0, 0, 0
		}
		if cfg.Labels.FERPlusClasses == 8 {
			cfg.Labels.FERPlusClasses = 0 // the default: keep config.json free of it
		}
		if cfg.Labels.FERPlusMode == dataset.ModeMajority {
			cfg.Labels.FERPlusMode = ""
		}
		if !o.Changed["eval-batch"] {
			cfg.Runtime.EvalBatch = cfg.BatchSize
		}
		for _, v := range o.Val {
			s, err := train.ParseSetSpec(v)
			if err != nil {
				return err
			}
			opts.Val = append(opts.Val, s)
		}
		opts.TrainPath, opts.OwnTest = o.Data, o.TestName
		opts.Out = o.Out
		if opts.Out == "" {
			opts.Out = "runs/ffra-" + time.Now().UTC().Format("20060102-150405")
		}
	}
	cfg.Runtime.StartedUTC = time.Now().UTC().Format(time.RFC3339)
	opts.Config, opts.StopAfter = cfg, o.StopAfter
	rep, err := train.Run(ctx, opts)
	if err != nil {
		if cli.Interrupted(ctx) {
			return fmt.Errorf("%w; the last finished epoch is kept: continue with: ffra train --resume -o %s", err, opts.Out)
		}
		return err
	}
	fmt.Fprintln(stdout, summaryLine(rep, opts.Out))
	return nil
}

// ffraFlags are the flags that only FFRA-Net's module reads.
var ffraFlags = []string{"ms", "la", "fusion", "lambda", "insert", "shared-la", "zero-init-bn"}

// applyArch maps --arch onto the model config: the branch switches for ffra and resnet18, a
// torchvision baseline otherwise (input size and classes kept).
func applyArch(cfg *rundir.Config, arch string, changed map[string]bool) error {
	switch arch {
	case ffranet.ArchResNet50, ffranet.ArchVGG16, ffranet.ArchMobileNetV2:
		for _, f := range ffraFlags {
			if changed[f] {
				return fmt.Errorf("--arch %s has no FFRA module; drop --%s", arch, f)
			}
		}
		base, err := ffranet.ConfigFor(arch)
		if err != nil {
			return err
		}
		base.InputSize, base.NumClasses = cfg.Model.InputSize, cfg.Model.NumClasses
		cfg.Model = base
		return nil
	case "ffra":
		cfg.Model.Variant = "ffra"
		if !cfg.Model.MultiScale || !cfg.Model.LocalAttention || cfg.Model.Fusion != ffranet.FusionWeighted ||
			cfg.Model.Insert != ffranet.InsertLayer3 || cfg.Model.SharedLA || cfg.Model.ZeroInitLastBN {
			cfg.Model.Variant = "ffra-custom"
		}
	case "resnet18":
		if (changed["ms"] && cfg.Model.MultiScale) || (changed["la"] && cfg.Model.LocalAttention) {
			return fmt.Errorf("--arch resnet18 has no branches; drop --ms/--la")
		}
		cfg.Model.Variant, cfg.Model.MultiScale, cfg.Model.LocalAttention = "resnet18", false, false
	default:
		return fmt.Errorf("unknown --arch %q (%s)", arch, strings.Join(ffranet.ArchNames(), ", "))
	}
	return nil
}

func summaryLine(rep *train.Report, out string) string {
	var b strings.Builder
	if rep.Interrupted {
		fmt.Fprintf(&b, "stopped after epoch %d (continue with: ffra train --resume -o %s)", rep.Epochs, out)
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
