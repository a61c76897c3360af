package model

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// CheckpointFormat is stored in the safetensors metadata under "format".
const CheckpointFormat = "occfer-ffra/1"

// Checkpoint is what a checkpoint carries besides the weights.
type Checkpoint struct {
	Config  ffranet.Config    `json:"config"`
	Classes []string          `json:"classes"`
	Extra   map[string]string `json:"extra,omitempty"` // free-form (epoch, metrics, ...)
}

// SaveCheckpoint writes the model as safetensors with PyTorch state_dict names
// (including each BN's num_batches_tracked, so torch's strict
// load_state_dict accepts it) and the config and class names in
// __metadata__ ("config" and "classes" as JSON, "format", plus extra keys).
func (m *Model) SaveCheckpoint(path string, classes []string, extra map[string]string) (err error) {
	defer recoverInto(&err, "save checkpoint")
	if len(classes) != m.cfg.NumClasses {
		return fmt.Errorf("save checkpoint: %d class names for a %d-class model", len(classes), m.cfg.NumClasses)
	}
	cfgJSON, err := json.Marshal(m.cfg)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	clsJSON, err := json.Marshal(classes)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	meta := map[string]string{}
	for k, v := range extra {
		meta[k] = v
	}
	meta["format"] = CheckpointFormat
	meta["config"] = string(cfgJSON)
	meta["classes"] = string(clsJSON)
	meta["num_batches_tracked"] = strconv.FormatInt(m.batchesTracked, 10)
	meta["seed"] = strconv.FormatUint(m.seed, 10)

	tensors := map[string]*ts.Tensor{}
	for name, t := range m.vars {
		tensors[name] = t
	}
	var counters []*ts.Tensor
	defer func() { drop(counters...) }()
	for _, bn := range m.bnNames() {
		c, err := ts.OfSlice([]int64{m.batchesTracked})
		if err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
		counters = append(counters, c)
		scalar, err := c.Squeeze(false) // 0-dim, as in PyTorch
		if err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
		counters = append(counters, scalar)
		tensors[bn+".num_batches_tracked"] = scalar
	}
	if err := writeSafetensors(path, tensors, meta); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint rebuilds a model saved by SaveCheckpoint on dev. The file
// must hold exactly the model's variables (ImportFull). A file without this
// package's metadata (a PyTorch state_dict) is an *ErrNotCheckpoint: import it
// with ImportFile.
func LoadCheckpoint(path string, dev gotch.Device) (*Model, *Checkpoint, error) {
	tensors, meta, err := ReadStateDict(path)
	if err != nil {
		return nil, nil, err
	}
	defer dropAll(tensors)
	ck, err := checkpointMeta(path, meta)
	if err != nil {
		return nil, nil, err
	}
	seed, _ := strconv.ParseUint(meta["seed"], 10, 64) // absent in older checkpoints: 0
	m, err := New(ck.Config, dev, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := m.LoadStateDict(tensors, ImportFull); err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if n, err := strconv.ParseInt(meta["num_batches_tracked"], 10, 64); err == nil {
		m.batchesTracked = n
	}
	return m, ck, nil
}

// ErrNotCheckpoint is a weights file without this package's metadata: a
// PyTorch state_dict (.pth/.pt) or a foreign safetensors file.
type ErrNotCheckpoint struct {
	Path   string
	Format string // the metadata's format, "" when there is none
}

func (e *ErrNotCheckpoint) Error() string {
	what := "a PyTorch state_dict"
	if e.Format != "" {
		what = fmt.Sprintf("metadata format %q", e.Format)
	}
	return fmt.Sprintf("%s is not an ffra checkpoint (%s, want format %q): import it naming its architecture", e.Path, what, CheckpointFormat)
}

func checkpointMeta(path string, meta map[string]string) (*Checkpoint, error) {
	if meta["format"] != CheckpointFormat {
		return nil, &ErrNotCheckpoint{Path: path, Format: meta["format"]}
	}
	ck := &Checkpoint{Extra: map[string]string{}}
	if err := json.Unmarshal([]byte(meta["config"]), &ck.Config); err != nil {
		return nil, fmt.Errorf("%s: checkpoint config: %w", path, err)
	}
	if err := ck.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%s: checkpoint config: %w", path, err)
	}
	if err := json.Unmarshal([]byte(meta["classes"]), &ck.Classes); err != nil {
		return nil, fmt.Errorf("%s: checkpoint classes: %w", path, err)
	}
	if len(ck.Classes) != ck.Config.NumClasses {
		return nil, fmt.Errorf("%s: checkpoint has %d class names for %d classes", path, len(ck.Classes), ck.Config.NumClasses)
	}
	for k, v := range meta {
		switch k {
		case "format", "config", "classes", "num_batches_tracked", "seed":
		default:
			ck.Extra[k] = v
		}
	}
	return ck, nil
}
