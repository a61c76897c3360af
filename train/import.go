package train

import (
	"fmt"
	"strconv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/sugarme/gotch"
)

// ImportSpec describes a foreign weights file - a PyTorch .pth/.pt state_dict (or training
// checkpoint holding one; "module." prefixes stripped) or a safetensors state_dict without
// ffra's metadata: the network it belongs to and the classes of its outputs.
type ImportSpec struct {
	Arch       string   // a model variant: ffranet.Variants() (resnet18, ffra, ffra-concat, resnet50, vgg16, mobilenet_v2, ...)
	Classes    []string // class names in output order; nil: NumClasses, else the file's classifier
	NumClasses int      // with no Classes: the class count (0: from the file's classifier)
	InputSize  int      // input side the network is used at (0: 224)
	Partial    bool     // model.ImportOptions.Partial: model tensors may be missing (left at init)
}

// Config is the model configuration the spec names.
func (s ImportSpec) Config() (ffranet.Config, error) {
	cfg, err := ffranet.ConfigFor(s.Arch)
	if err != nil {
		return ffranet.Config{}, fmt.Errorf("--arch: %w", err)
	}
	cfg.InputSize = 224
	if s.InputSize != 0 {
		cfg.InputSize = s.InputSize
	}
	switch {
	case len(s.Classes) > 0:
		if s.NumClasses != 0 && s.NumClasses != len(s.Classes) {
			return ffranet.Config{}, fmt.Errorf("%d class names for --num-classes %d", len(s.Classes), s.NumClasses)
		}
		cfg.NumClasses = len(s.Classes)
	case s.NumClasses < 0:
		return ffranet.Config{}, fmt.Errorf("--num-classes %d: want at least 1", s.NumClasses)
	default:
		cfg.NumClasses = s.NumClasses // 0: from the file
	}
	return cfg, nil
}

// ImportWeights builds the spec's network on dev and loads the file into it: strictly (every
// model tensor found with its shape, nothing else in the file) unless spec.Partial. The class
// names are spec.Classes, else DefaultClassNames of the count.
func ImportWeights(path string, spec ImportSpec, dev gotch.Device) (*model.Model, []string, *model.LoadReport, error) {
	cfg, err := spec.Config()
	if err != nil {
		return nil, nil, nil, err
	}
	m, rep, err := model.ImportFile(path, cfg, model.ImportOptions{Partial: spec.Partial}, dev, 1)
	if err != nil {
		return nil, nil, nil, err
	}
	classes := spec.Classes
	if len(classes) == 0 {
		classes = DefaultClassNames(m.Config().NumClasses)
	}
	return m, classes, rep, nil
}

// DefaultClassNames names n outputs when the file does not: RAF-DB's seven basic expressions in
// label order (dataset.ClassNames) for 7, else class_0 .. class_{n-1}.
func DefaultClassNames(n int) []string {
	if n == len(dataset.ClassNames) {
		return append([]string(nil), dataset.ClassNames[:]...)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = "class_" + strconv.Itoa(i)
	}
	return out
}

// openWeights loads an ffra checkpoint, or a foreign weights file when spec names its network.
func openWeights(path string, dev gotch.Device, spec *ImportSpec) (*model.Model, *model.Checkpoint, error) {
	kind, err := model.SniffWeights(path)
	if err != nil {
		return nil, nil, err
	}
	if kind != "torch" { // safetensors: an ffra checkpoint unless its metadata says otherwise
		m, ck, err := model.LoadCheckpoint(path, dev)
		if err == nil {
			if spec != nil && spec.Arch != "" {
				if err := sameArch(path, spec.Arch, ck.Config); err != nil {
					m.Close()
					return nil, nil, err
				}
			}
			return m, ck, nil
		}
		if !model.IsNotCheckpoint(err) {
			return nil, nil, err
		}
	}
	if spec == nil || spec.Arch == "" {
		return nil, nil, fmt.Errorf("%s is a PyTorch state_dict, not an ffra checkpoint: name its network with --arch (and its classes with --classes), or convert it once with: ffra import %s -o CKPT.safetensors --arch ARCH", path, path)
	}
	m, classes, _, err := ImportWeights(path, *spec, dev)
	if err != nil {
		return nil, nil, err
	}
	return m, &model.Checkpoint{Config: m.Config(), Classes: classes, Extra: map[string]string{}}, nil
}

// sameArch refuses an --arch that contradicts the checkpoint's own config.
func sameArch(path, arch string, have ffranet.Config) error {
	want, err := ffranet.ConfigFor(arch)
	if err != nil {
		return fmt.Errorf("--arch: %w", err)
	}
	if want.ArchName() != have.ArchName() {
		return fmt.Errorf("%s is an ffra checkpoint of %s, not %s (its config names the network; drop --arch)", path, have.ArchName(), arch)
	}
	return nil
}
