package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// network is one architecture's layers.
type network interface {
	// forward returns logits [B,classes] and the feature map class activation
	// maps use ([B,C,h,w], see featureLayer); it does not consume x.
	forward(p *pass, x *ts.Tensor) (logits, features *ts.Tensor, err error)
	// headFrom runs the rest of the network on features (for Grad-CAM); it
	// does not consume them.
	headFrom(p *pass, features *ts.Tensor) (*ts.Tensor, error)
	// linearHead is the classifier applied to the global average of the
	// features, or nil when the head is not linear in them (VGG-16).
	linearHead() *linear
	// featureLayer names the module whose output the features are.
	featureLayer() string
	// onnx writes the eval-mode network from input x and returns the logits' name.
	onnx(e *onnxEmitter, x string) string
}

// finishForward ends every network's forward pass the same way: the head on features, and the
// logits with the features kept (Grad-CAM reads them); on an error the features are freed.
func finishForward(n network, p *pass, features *ts.Tensor) (logits, feats *ts.Tensor, err error) {
	logits, err = n.headFrom(p, features)
	if err != nil {
		drop(features)
		return nil, nil, err
	}
	return logits, features, nil
}

// buildNet creates cfg's variables in b and returns its layers.
func buildNet(b *builder, cfg ffranet.Config) (network, error) {
	switch cfg.Arch {
	case ffranet.ArchFFRA:
		return newFFRANet(b, cfg)
	case ffranet.ArchResNet50:
		return newResNet50(b, cfg)
	case ffranet.ArchVGG16:
		return newVGG16(b, cfg)
	case ffranet.ArchMobileNetV2:
		return newMobileNetV2(b, cfg)
	}
	return nil, fmt.Errorf("unknown architecture %q", cfg.Arch)
}

// VarSpec is one state_dict entry of an architecture.
type VarSpec struct {
	Name      string  `json:"name"`
	Shape     []int64 `json:"shape"`
	Trainable bool    `json:"trainable"` // false for BN running statistics
}

// Spec lists cfg's state_dict entries (num_batches_tracked excluded) in
// creation order without allocating or initialising anything, so a file can
// be checked against an architecture before a model is built.
func Spec(cfg ffranet.Config) ([]VarSpec, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("model config: %w", err)
	}
	b := newDryBuilder()
	if _, err := buildNet(b, cfg); err != nil {
		return nil, err
	}
	return b.specs, nil
}

// FeatureLayer names the module whose output ForwardFeatures returns (the
// layer class activation maps are computed on): layer4 for the ResNets and
// FFRA-Net, features.18 (the last 1x1 conv + BN + ReLU6) for MobileNetV2,
// features.29 (conv5_3's ReLU, before the last max pool) for VGG-16.
func (m *Model) FeatureLayer() string { return m.net.featureLayer() }
