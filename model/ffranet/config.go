// Package ffranet describes a network of ffra - an FFRA-Net variant, plain ResNet-18 or one of
// the FFRA-Net paper's torchvision baselines: the Config stored in every checkpoint and run
// folder, the named variants, defaults and validation. It is pure Go
// (no libtorch), so run folders, pipeline configs and CLI flags can be read and checked
// without linking the model (package model builds networks from a Config).
//
// Source: the FFRA-Net spec (shared docs ffra-spec.md: sections 3-5 the branches and fusion,
// 8 the zero init, 9 the insertion points and ablations).
package ffranet

import (
	"fmt"
	"sort"
	"strings"
)

// Fusion modes (spec section 5).
const (
	FusionWeighted = "weighted"
	FusionAdd      = "add"
	FusionConcat   = "concat"
)

// Insertion points (spec section 9, A1).
const (
	InsertLayer3 = "layer3"
	InsertLayer2 = "layer2"
)

// Architectures (Config.Arch). The empty value is FFRA-Net's ResNet-18 with its branches as
// Config sets them (both off: plain ResNet-18), so configs and checkpoints written before the
// baselines existed keep their meaning. The others are torchvision 0.14's networks with
// torchvision's state_dict names, initialisation and parameter counts, the classifier sized
// to Config.NumClasses (FFRA-Net paper, Table 4's baselines).
const (
	ArchFFRA        = ""             // ResNet-18 backbone + optional FFRA module (Variant ffra*, resnet18)
	ArchResNet50    = "resnet50"     // torchvision resnet50 (Bottleneck, v1.5: stride on the 3x3)
	ArchVGG16       = "vgg16"        // torchvision vgg16 (configuration D, no BatchNorm)
	ArchMobileNetV2 = "mobilenet_v2" // torchvision mobilenet_v2 (width 1.0)
)

// Config describes one network: an FFRA-Net variant, plain ResNet-18, or a
// torchvision baseline (Arch). It is stored in every checkpoint, so field
// names are part of the file format. The FFRA fields (branches, fusion,
// lambda, insert, shared_la, zero_init_last_bn, sa_groups) apply to ArchFFRA
// only; the baselines need both branches off.
type Config struct {
	Variant        string  `json:"variant"`           // the name it was built from (informative)
	Arch           string  `json:"arch,omitempty"`    // "" (FFRA-Net's ResNet-18), resnet50, vgg16 or mobilenet_v2
	NumClasses     int     `json:"num_classes"`       // fc outputs; 7 for RAF-DB basic
	InputSize      int     `json:"input_size"`        // square input side; 224 (default) or 112
	MultiScale     bool    `json:"multi_scale"`       // multi-scale branch (spec 3)
	LocalAttention bool    `json:"local_attention"`   // local attention branch (spec 4)
	Fusion         string  `json:"fusion"`            // weighted | add | concat (used when both branches are on)
	Lambda         float64 `json:"lambda"`            // weight of the LA branch in weighted fusion
	Insert         string  `json:"insert"`            // layer3 (default) | layer2: the stage the module follows
	SharedLA       bool    `json:"shared_la"`         // one P shared by the four LA parts (A5)
	ZeroInitLastBN bool    `json:"zero_init_last_bn"` // zero gamma of each P_i's BN: module starts as identity (spec 8)
	SAGroups       int     `json:"sa_groups"`         // shuffle attention groups G (8)
}

// variants maps the names accepted by ConfigFor to their settings.
var variants = map[string]func(*Config){
	"resnet18":       func(c *Config) { c.MultiScale, c.LocalAttention = false, false },
	"ffra":           func(c *Config) {},
	"ffra-add":       func(c *Config) { c.Fusion = FusionAdd },
	"ffra-concat":    func(c *Config) { c.Fusion = FusionConcat },
	"ffra-ms":        func(c *Config) { c.LocalAttention = false },
	"ffra-la":        func(c *Config) { c.MultiScale = false },
	"ffra-shared-la": func(c *Config) { c.SharedLA = true },
	"ffra-layer2":    func(c *Config) { c.Insert = InsertLayer2 },
	"ffra-zero-init": func(c *Config) { c.ZeroInitLastBN = true },
	ArchResNet50:     baseline(ArchResNet50),
	ArchVGG16:        baseline(ArchVGG16),
	ArchMobileNetV2:  baseline(ArchMobileNetV2),
}

// baseline sets a torchvision architecture: no FFRA branches.
func baseline(arch string) func(*Config) {
	return func(c *Config) { c.Arch, c.MultiScale, c.LocalAttention = arch, false, false }
}

// Variants returns the accepted variant names, sorted.
func Variants() []string {
	names := make([]string, 0, len(variants))
	for n := range variants {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DefaultConfig is the spec's FFRA-Net: both branches, weighted fusion with
// lambda 0.6, after layer3, 224 input, 7 classes.
func DefaultConfig() Config {
	return Config{
		Variant:        "ffra",
		NumClasses:     7,
		InputSize:      224,
		MultiScale:     true,
		LocalAttention: true,
		Fusion:         FusionWeighted,
		Lambda:         0.6,
		Insert:         InsertLayer3,
		SAGroups:       8,
	}
}

// ConfigFor returns the configuration of a named variant (see Variants).
func ConfigFor(variant string) (Config, error) {
	set, ok := variants[variant]
	if !ok {
		return Config{}, fmt.Errorf("unknown model variant %q (known: %s)", variant, strings.Join(Variants(), ", "))
	}
	c := DefaultConfig()
	c.Variant = variant
	set(&c)
	return c, nil
}

// MaxInputSize bounds the input side: the paper uses 224, and a side far above it only
// makes the data loader's batch buffers (batch x 3 x side x side float32) exhaust memory
// (--input-size 100000 ended the process with a Go out-of-memory crash, not an error).
const MaxInputSize = 1024

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	if c.NumClasses < 1 {
		return fmt.Errorf("num_classes must be >= 1, got %d", c.NumClasses)
	}
	if c.InputSize < 32 || c.InputSize > MaxInputSize {
		return fmt.Errorf("input_size must be in [32,%d], got %d", MaxInputSize, c.InputSize)
	}
	switch c.Arch {
	case ArchFFRA:
	case ArchResNet50, ArchVGG16, ArchMobileNetV2:
		if c.HasModule() {
			return fmt.Errorf("arch %s has no FFRA branches: multi_scale and local_attention must be false", c.Arch)
		}
	default:
		return fmt.Errorf("unknown arch %q (%s)", c.Arch, strings.Join(ArchNames(), ", "))
	}
	switch c.Fusion {
	case FusionWeighted, FusionAdd, FusionConcat:
	default:
		return fmt.Errorf("unknown fusion %q (weighted, add or concat)", c.Fusion)
	}
	if c.Lambda < 0 || c.Lambda > 1 {
		return fmt.Errorf("lambda must be in [0,1], got %g", c.Lambda)
	}
	switch c.Insert {
	case InsertLayer3, InsertLayer2:
	default:
		return fmt.Errorf("unknown insertion point %q (layer3 or layer2)", c.Insert)
	}
	if c.LocalAttention {
		ch := c.ModuleChannels()
		if c.SAGroups < 1 || ch%(2*int64(c.SAGroups)) != 0 {
			return fmt.Errorf("sa_groups %d does not divide %d channels into 2*G groups", c.SAGroups, ch)
		}
	}
	return nil
}

// ModuleChannels is C, the channel count of the feature map X the branches work on: 256
// after layer3, 128 after layer2.
func (c Config) ModuleChannels() int64 {
	if c.Insert == InsertLayer2 {
		return 128
	}
	return 256
}

// HasModule reports whether any branch is on; with none the model is ResNet-18.
func (c Config) HasModule() bool { return c.MultiScale || c.LocalAttention }

// ArchNames are the --arch names: the baselines of the FFRA-Net paper's
// Table 4 and FFRA-Net itself.
func ArchNames() []string {
	return []string{"resnet18", ArchResNet50, ArchVGG16, ArchMobileNetV2, "ffra"}
}

// ArchName is the --arch name of c: its Arch, or ffra / resnet18 for the
// ResNet-18 family (resnet18 when both branches are off).
func (c Config) ArchName() string {
	switch {
	case c.Arch != ArchFFRA:
		return c.Arch
	case c.HasModule():
		return "ffra"
	default:
		return "resnet18"
	}
}
