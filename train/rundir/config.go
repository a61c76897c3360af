package rundir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train/loader"
)

// ConfigVersion changes when the meaning of a Config field changes.
const ConfigVersion = 1

// DatasetRef records one dataset a run read: where, which split, how many images were used
// and skipped, and a content hash so a resume (or a reader of the run) can tell whether the
// data changed.
type DatasetRef struct {
	Name    string   `json:"name"`           // report name: folder base name, or NAME of NAME=PATH
	Path    string   `json:"path"`           // absolute path
	List    string   `json:"list,omitempty"` // subset list (NAME=PATH@LIST): absolute path
	Layout  string   `json:"layout"`
	Classes []string `json:"classes,omitempty"` // the dataset's class names, in its label order
	Split   string   `json:"split"`             // "train", "val", "test", "" (whole tree)
	Images  int      `json:"images"`
	Skipped int      `json:"skipped"` // corrupt images and unlabelled or missing entries
	Hash    string   `json:"hash"`
	HashOf  string   `json:"hash_of"`
}

// OptimSettings are the optimiser and schedule (spec section 10).
type OptimSettings struct {
	Name        string  `json:"name"` // "adam"
	LR          float64 `json:"lr"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"` // L2 added to the gradient, as torch.optim.Adam
	Schedule    string  `json:"schedule"`     // "constant" or "exp"
	Gamma       float64 `json:"gamma"`        // exp: lr(epoch e, 0-based) = LR * Gamma^e
}

// LRAt returns the learning rate of a 0-based epoch.
func (o OptimSettings) LRAt(epoch int) float64 {
	if o.Schedule == "exp" {
		lr := o.LR
		for i := 0; i < epoch; i++ {
			lr *= o.Gamma // repeated multiply, as ExponentialLR does, not math.Pow
		}
		return lr
	}
	return o.LR
}

// Validate checks the optimiser settings: every number finite and in its range.
func (o OptimSettings) Validate() error {
	if o.Name != "adam" {
		return fmt.Errorf("unknown optimiser %q (want adam)", o.Name)
	}
	if !(o.LR > 0) || math.IsInf(o.LR, 0) {
		return fmt.Errorf("learning rate %g must be finite and > 0", o.LR)
	}
	if !(o.Beta1 >= 0 && o.Beta1 < 1 && o.Beta2 >= 0 && o.Beta2 < 1) || !(o.Eps > 0) || math.IsInf(o.Eps, 0) {
		return fmt.Errorf("adam betas (%g,%g) must be in [0,1) and eps %g finite and > 0", o.Beta1, o.Beta2, o.Eps)
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		return fmt.Errorf("weight decay %g must be finite and >= 0", o.WeightDecay)
	}
	switch o.Schedule {
	case "constant":
	case "exp":
		if !(o.Gamma > 0 && o.Gamma <= 1) {
			return fmt.Errorf("exp schedule gamma %g must be in (0,1]", o.Gamma)
		}
	default:
		return fmt.Errorf("unknown LR schedule %q (want constant or exp)", o.Schedule)
	}
	return nil
}

// Bounds of the counts in a Config: far above any real run, they catch typos (an extra
// digit) and hostile configs before a run allocates batches or loops for years.
const (
	MaxEpochs    = 100_000
	MaxBatchSize = 65_536 // with 224x224 inputs, 39 GB of float32 per batch
	MaxPrefetch  = 256    // batches prepared ahead
	MaxCacheMB   = 1 << 24
	MaxThreads   = 4096
)

// Validate checks every setting of a run before any work starts, the runtime ones included:
// the model (ffranet.Config.Validate), label options, optimiser, augmentation, and the
// counts (epochs, batch sizes, workers, threads, cache, prefetch) within their bounds. The
// error names the config.json field (and the ffra train flag, which has the same meaning).
func (c Config) Validate() error {
	if err := c.Model.Validate(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := c.Labels.Validate(); err != nil {
		return err
	}
	if err := c.Optim.Validate(); err != nil {
		return err
	}
	switch c.PretrainedMode {
	case "", PretrainedPartial:
	default:
		return fmt.Errorf("unknown pretrained_mode %q (\"\" or %q)", c.PretrainedMode, PretrainedPartial)
	}
	if c.PretrainedMode != "" && c.Pretrained == "" {
		return fmt.Errorf("--pretrained-partial needs --pretrained FILE")
	}
	if err := c.Augment.Validate(); err != nil {
		return fmt.Errorf("augmentation: %w", err)
	}
	maxWorkers := cli.MaxWorkers()
	for _, n := range []struct {
		name      string // config.json field (ffra train flag)
		v, lo, hi int
	}{
		{"limit (--limit)", c.Limit, 0, math.MaxInt32},
		{"epochs (--epochs)", c.Epochs, 1, MaxEpochs},
		{"batch_size (--batch-size)", c.BatchSize, 1, MaxBatchSize},
		{"runtime.eval_batch (--eval-batch)", c.Runtime.EvalBatch, 1, MaxBatchSize},
		{"runtime.workers (--workers; 0: one per CPU)", c.Runtime.Workers, 0, maxWorkers},
		{"runtime.threads (--threads; 0: the CPUs available)", c.Runtime.Threads, 0, MaxThreads},
		{"runtime.cache_mb (--cache-mb)", c.Runtime.CacheMB, 0, MaxCacheMB},
		{"runtime.prefetch (--prefetch)", c.Runtime.Prefetch, 0, MaxPrefetch},
	} {
		if n.v < n.lo || n.v > n.hi {
			name, flag, _ := strings.Cut(n.name, " ")
			return fmt.Errorf("%s %d %s must be in [%d,%d]", name, n.v, flag, n.lo, n.hi)
		}
	}
	return nil
}

// Config is config.json: every setting of a run. Fields under Runtime are how the run was
// carried out (worker count, cache size, device, threads) and are excluded from Hash; of
// them only the device and the thread count change results, and only in the last bits.
type Config struct {
	Version int `json:"version"`
	// Classes are the model's outputs in order. A fresh run takes them from the training
	// dataset when empty; given, the dataset's labels are mapped to them by name.
	Classes []string `json:"classes"`
	// Labels say how the datasets' labels are read (class order of digit folders, FERPlus
	// mode and class count); Limit caps the training images (0: all), drawn with Seed.
	Labels         dataset.LabelOptions `json:"labels"`
	Limit          int                  `json:"limit,omitempty"`
	Train          DatasetRef           `json:"train"`
	Test           []DatasetRef         `json:"test"`   // evaluated every epoch, in this order
	Select         string               `json:"select"` // test set whose accuracy picks the best checkpoint
	Model          ffranet.Config       `json:"model"`
	Pretrained     string               `json:"pretrained,omitempty"`      // backbone weights imported before epoch 1
	PretrainedHash string               `json:"pretrained_hash,omitempty"` // sha256 of that file
	PretrainedMode string               `json:"pretrained_mode,omitempty"` // "" (backbone rule) or PretrainedPartial
	PretrainedLoad *PretrainLoad        `json:"pretrained_load,omitempty"` // what the import did
	Optim          OptimSettings        `json:"optim"`
	Epochs         int                  `json:"epochs"`
	BatchSize      int                  `json:"batch_size"`
	Seed           uint64               `json:"seed"`
	Augment        loader.Aug           `json:"augment"`
	Runtime        Runtime              `json:"runtime"`
	Hash           string               `json:"hash"` // HashOf(everything above except Runtime and Hash)
}

// PretrainedPartial is the --pretrained-partial mode: load whatever fits by name and shape
// (model.ImportOptions.Partial) instead of refusing a file with foreign names, other shapes or
// under 90% of the backbone.
const PretrainedPartial = "partial"

// PretrainLoad counts what --pretrained did (model.LoadReport).
type PretrainLoad struct {
	Loaded         int `json:"loaded"`          // model variables taken from the file
	LeftAtInit     int `json:"left_at_init"`    // model variables left at their seeded init (head, FFRA module, ...)
	Ignored        int `json:"ignored"`         // file entries not used (head, BN counters, and with partial the misfits)
	Backbone       int `json:"backbone"`        // the model's backbone variables
	BackboneLoaded int `json:"backbone_loaded"` // of which loaded
}

// Runtime holds settings that may differ between a run and its resume.
type Runtime struct {
	Device  string `json:"device"`
	Workers int    `json:"workers"`
	// Threads is libtorch's intra-op thread count (ffra --threads; 0 in a request means the
	// CPUs available, config.json records the count used). On the CPU the thread count changes
	// results in the last bits, so a resume keeps the run's count unless told otherwise.
	Threads    int    `json:"threads"`
	CacheMB    int    `json:"cache_mb"`
	Prefetch   int    `json:"prefetch"`
	EvalBatch  int    `json:"eval_batch"`
	GoVersion  string `json:"go_version"`
	StartedUTC string `json:"started_utc"`
}

// ComputeHash returns the hash of the result-determining settings: two runs with the same
// hash and the same dataset hashes train the same model.
func (c Config) ComputeHash() (string, error) {
	c.Runtime = Runtime{}
	c.Hash = ""
	// Dataset and list paths may move; their content hashes stay.
	c.Train.Path, c.Train.List = "", ""
	c.Test = append([]DatasetRef(nil), c.Test...) // copy: do not clear the caller's paths
	for i := range c.Test {
		c.Test[i].Path, c.Test[i].List = "", ""
	}
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("hash config: %w", err)
	}
	s := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(s[:]), nil
}
