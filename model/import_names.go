package model

import (
	"strings"

	"github.com/occfer/occfer/model/ffranet"
)

// Name rules of weight import: how a file's state_dict names map onto an
// architecture's, and which of its entries are backbone, head or new module.

// dataParallelPrefix is what torch.nn.DataParallel / DistributedDataParallel
// put before every name; MS-Celeb FER checkpoints (spec section 8) carry it.
const dataParallelPrefix = "module."

// modelName maps a file's state_dict key to this package's name.
func modelName(key string) string { return strings.TrimPrefix(key, dataParallelPrefix) }

// headPrefix is the classifier sized to the classes: never taken from a
// pretrained file (torchvision's ImageNet head has 1000 outputs).
func headPrefix(cfg ffranet.Config) string {
	switch cfg.Arch {
	case ffranet.ArchVGG16:
		return "classifier.6."
	case ffranet.ArchMobileNetV2:
		return "classifier.1."
	default: // the ResNets and FFRA-Net
		return "fc."
	}
}

// isHead reports whether name is part of the model's classifier.
func isHead(cfg ffranet.Config, name string) bool { return strings.HasPrefix(name, headPrefix(cfg)) }

// isFileHead reports whether a file entry is a classifier head a pretrained
// file may carry: the architecture's own, or the face-embedding layer
// "feature." of MS-Celeb FER checkpoints (spec section 8) for ResNet-18.
func isFileHead(cfg ffranet.Config, name string) bool {
	if isHead(cfg, name) {
		return true
	}
	return cfg.Arch == ffranet.ArchFFRA && strings.HasPrefix(name, "feature.")
}

// isModule reports whether name belongs to the FFRA module (spec 3-5): new
// layers that no backbone file has.
func isModule(name string) bool {
	for _, p := range []string{"ms.", "la.", "fuse."} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// isBackbone reports whether a model variable is backbone: not the
// classifier and not the FFRA module.
func isBackbone(cfg ffranet.Config, name string) bool { return !isHead(cfg, name) && !isModule(name) }
