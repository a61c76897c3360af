package rundir

import (
	"math"
	"strings"
	"testing"

	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train/loader"
)

func validConfig() Config {
	return Config{Version: ConfigVersion, Model: ffranet.DefaultConfig(),
		Optim:  OptimSettings{Name: "adam", LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Schedule: "constant", Gamma: 0.9},
		Epochs: 200, BatchSize: 128, Seed: 1, Augment: loader.DefaultAug(),
		Runtime: Runtime{Device: "auto", Workers: 1, CacheMB: 1024, Prefetch: 4, EvalBatch: 128}}
}

// Every field of config.json is range-checked, NaN and infinities included, so a flag, a
// pipeline config or an edited run folder is refused before any work (issue 11).
func TestConfigValidate(t *testing.T) {
	if err := validConfig().Validate(); err != nil {
		t.Fatalf("the default recipe: %v", err)
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"lambda NaN", func(c *Config) { c.Model.Lambda = nan }, "model: lambda must be in [0,1], got NaN"},
		{"input size", func(c *Config) { c.Model.InputSize = 1 << 20 }, "model: input_size must be in [32,1024]"},
		{"classes", func(c *Config) { c.Model.NumClasses = 1e9 }, "model: num_classes must be in [1,1000]"},
		{"lr zero", func(c *Config) { c.Optim.LR = 0 }, "learning rate 0 must be finite and > 0"},
		{"lr NaN", func(c *Config) { c.Optim.LR = nan }, "learning rate NaN"},
		{"lr Inf", func(c *Config) { c.Optim.LR = inf }, "learning rate +Inf"},
		{"beta NaN", func(c *Config) { c.Optim.Beta2 = nan }, "adam betas (0.9,NaN)"},
		{"eps Inf", func(c *Config) { c.Optim.Eps = inf }, "eps +Inf finite and > 0"},
		{"wd NaN", func(c *Config) { c.Optim.WeightDecay = nan }, "weight decay NaN"},
		{"gamma NaN", func(c *Config) { c.Optim.Schedule, c.Optim.Gamma = "exp", nan }, "gamma NaN"},
		{"erase NaN", func(c *Config) { c.Augment.EraseP = nan }, "erase probability NaN"},
		{"jitter Inf", func(c *Config) { c.Augment.Contrast = inf }, "colour jitter contrast +Inf"},
		{"ratio Inf", func(c *Config) { c.Augment.RatioMax = inf }, "crop ratio range"},
		{"epochs 0", func(c *Config) { c.Epochs = 0 }, "epochs 0 (--epochs) must be in [1,100000]"},
		{"epochs huge", func(c *Config) { c.Epochs = 1e8 }, "epochs 100000000"},
		{"batch 0", func(c *Config) { c.BatchSize = 0 }, "batch_size 0 (--batch-size)"},
		{"batch huge", func(c *Config) { c.BatchSize = 1e8 }, "batch_size 100000000"},
		{"eval batch", func(c *Config) { c.Runtime.EvalBatch = -1 }, "runtime.eval_batch -1"},
		{"workers", func(c *Config) { c.Runtime.Workers = 1e7 }, "runtime.workers 10000000"},
		{"workers negative", func(c *Config) { c.Runtime.Workers = -1 }, "runtime.workers -1"},
		{"threads", func(c *Config) { c.Runtime.Threads = -2 }, "runtime.threads -2"},
		{"prefetch", func(c *Config) { c.Runtime.Prefetch = -1 }, "runtime.prefetch -1"},
		{"cache", func(c *Config) { c.Runtime.CacheMB = -5 }, "runtime.cache_mb -5"},
		{"limit", func(c *Config) { c.Limit = -1 }, "limit -1 (--limit)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := validConfig()
			c.edit(&cfg)
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
}
