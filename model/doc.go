// Package model is FFRA-Net (/work/shared/docs/ffra-spec.md, mirrored in
// docs/), its plain ResNet-18 baseline and the FFRA-Net paper's Table 4
// baselines (torchvision 0.14's resnet50, vgg16 and mobilenet_v2, with
// torchvision's state_dict names, init and parameter counts) on libtorch
// through gotch, with PyTorch-compatible weights: .pth/.pt import and
// safetensors checkpoints whose names are the spec's or torchvision's
// state_dict names (section 11).
//
// # API for the trainer (train/)
//
//	cfg, err := ffranet.ConfigFor("ffra")        // package model/ffranet; variants: ffranet.Variants() (ffra*, resnet18, resnet50, vgg16, mobilenet_v2)
//	cfg.InputSize = 112                          // optional; any field may be set, then New validates
//	dev, err := model.ParseDevice("auto")        // auto | cpu | cuda | cuda:N
//	m, err := model.New(cfg, dev, seed)          // weights per spec 8, drawn from a Go PCG(seed)
//	defer m.Close()
//	rep, err := m.LoadWeights("resnet18_msceleb.pth", model.ImportBackbone) // optional pretrained backbone
//	log.Print(rep)                               // "N loaded, M left at init, K ignored" (+ lists)
//
//	opt, err := nn.DefaultAdamConfig().Build(m.VarStore(), 1e-4) // gotch nn.Optimizer; set Wd on the config for weight decay
//	logits, err := m.Forward(x, true)            // x [B,3,H,W] float32 on dev; train mode (BN batch stats)
//	loss := ... cross entropy of logits ...      // caller's choice; drop intermediates
//	err = opt.ZeroGrad(); err = loss.Backward(); err = opt.Step()
//	logits.MustDrop(); loss.MustDrop()            // free per step: gotch otherwise waits for the Go GC
//
//	logits, err := m.Predict(x)                  // eval mode, no autograd (thread-safe w.r.t. grad mode)
//	logits, feats, err := m.PredictFeatures(x)   // + the last conv features before the head (m.FeatureLayer())
//	cam, err := m.ClassActivation(x1, k)         // CAM (linear heads) or Grad-CAM (VGG-16) of one image
//	err = m.SaveCheckpoint(path, classNames, map[string]string{"epoch": "12"})
//	m2, ck, err := model.LoadCheckpoint(path, dev) // ck.Config, ck.Classes, ck.Extra
//	s, err := model.Summary(cfg, 224)            // modules, output shapes, params, MACs
//
// Tensors passed in are never consumed; tensors returned belong to the caller.
// Nothing in this package panics across its boundary: gotch panics are
// recovered into errors.
//
// Grad mode: libtorch keeps it per OS thread and Go moves goroutines between
// threads, so gotch's ts.NoGrad can leave the wrong thread without autograd.
// Use Predict/PredictFeatures (which lock the goroutine to its thread) for
// evaluation instead of ts.NoGrad + Forward.
//
// Checkpoints are safetensors: tensors under PyTorch names (BN
// num_batches_tracked included, so torch's strict load_state_dict accepts
// them) and __metadata__ {"format": "occfer-ffra/1", "config": Config JSON,
// "classes": JSON list, plus extra keys}. Import ignores num_batches_tracked.
// The container itself (byte layout, strict checks on read) is
// internal/safetensors, shared with train's optimiser state.
package model
