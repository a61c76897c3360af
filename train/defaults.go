package train

import (
	"runtime"

	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/rundir"
)

// DefaultConfig is the paper's recipe (spec section 10): FFRA-Net on ResNet-18, input 224,
// Adam lr 1e-4 (betas 0.9/0.999, eps 1e-8), batch 128, 200 epochs, constant LR, no weight
// decay (the paper states none; the spec's recommended 1e-4 is --wd 1e-4), cross-entropy,
// RandomResizedCrop + horizontal flip, ImageNet normalisation, seed 1.
func DefaultConfig() rundir.Config {
	return rundir.Config{
		Version: rundir.ConfigVersion,
		Model:   ffranet.DefaultConfig(),
		Optim: rundir.OptimSettings{Name: "adam", LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
			Schedule: "constant", Gamma: 0.9},
		Epochs:    200,
		BatchSize: 128,
		Seed:      1,
		Augment:   loader.DefaultAug(),
		Runtime: rundir.Runtime{Device: "auto", Workers: runtime.GOMAXPROCS(0), CacheMB: loader.DefaultCacheBytes >> 20,
			Prefetch: 4, EvalBatch: 128, GoVersion: runtime.Version()},
	}
}
