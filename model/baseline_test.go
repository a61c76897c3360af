package model

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/occfer/occfer/internal/scores"
	"github.com/occfer/occfer/model/ffranet"
)

// TestBaselineShapesAndSummary: logits and feature maps of each baseline at 112, and the
// summary's totals at 224 with torchvision's 1000 classes against torchvision's documented
// figures (params exact; GFLOPS as torchvision's docs count them, multiply-adds of convs and
// linears, to their 2 decimals).
func TestBaselineShapesAndSummary(t *testing.T) {
	for _, tc := range []struct {
		arch   string
		feat   []int64 // at 112
		layer  string
		gmacs  float64 // torchvision 0.14 docs, 224 input, 1000 classes
		params int64
	}{
		{ffranet.ArchResNet50, []int64{2, 2048, 4, 4}, "layer4", 4.09, 25_557_032},
		{ffranet.ArchVGG16, []int64{2, 512, 7, 7}, "features.29", 15.47, 138_357_544},
		{ffranet.ArchMobileNetV2, []int64{2, 1280, 4, 4}, "features.18", 0.30, 3_504_872},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			m := mustNew(t, tc.arch, 1)
			x := randomInput(t, 2, 112, 7)
			defer drop(x)
			logits, feat, err := m.PredictFeatures(x)
			if err != nil {
				t.Fatal(err)
			}
			defer drop(logits, feat)
			if got := shapeOf(t, logits); !slices.Equal(got, []int64{2, 7}) {
				t.Errorf("logits %v", got)
			}
			if got := shapeOf(t, feat); !slices.Equal(got, tc.feat) {
				t.Errorf("features %v, want %v", got, tc.feat)
			}
			if m.FeatureLayer() != tc.layer {
				t.Errorf("feature layer %s, want %s", m.FeatureLayer(), tc.layer)
			}
			cfg := m.Config()
			cfg.NumClasses = 1000
			s, err := Summary(cfg, 224)
			if err != nil {
				t.Fatal(err)
			}
			if s.Params != tc.params {
				t.Errorf("summary: %d params, torchvision %d", s.Params, tc.params)
			}
			if g := float64(s.MACs) / 1e9; math.Abs(g-tc.gmacs) > 0.005 {
				t.Errorf("summary: %.4f GMACs, torchvision documents %.2f", g, tc.gmacs)
			}
			t.Logf("%s @224, 1000 classes: %d params, %.4f GMACs", tc.arch, s.Params, float64(s.MACs)/1e9)
		})
	}
}

// TestClassActivationMaps: for a global-average-pool + linear head the CAM's mean plus the
// class bias is the class logit; Grad-CAM's channel weights on such a head are exactly
// W[k]/(h*w) (so the autograd path VGG-16 uses is right); VGG-16's map has its feature size.
func TestClassActivationMaps(t *testing.T) {
	for _, arch := range []string{"resnet18", ffranet.ArchMobileNetV2} {
		m := mustNew(t, arch, 2)
		x := randomInput(t, 1, 112, 3)
		a, err := m.ClassActivation(x, 4)
		drop(x)
		if err != nil {
			t.Fatal(err)
		}
		if a.Method != MethodCAM || a.Class != 4 || a.W != 4 || a.H != 4 {
			t.Fatalf("%s: %+v", arch, a)
		}
		var mean float64
		for _, v := range a.Map {
			mean += float64(v)
		}
		mean /= float64(len(a.Map))
		bias := values(t, m.net.linearHead().b)[4]
		if d := math.Abs(mean + float64(bias) - float64(a.Logits[4])); d > 1e-4*math.Max(1, math.Abs(float64(a.Logits[4]))) {
			t.Errorf("%s: CAM mean + bias = %g, logit %g", arch, mean+float64(bias), a.Logits[4])
		}
	}

	m := mustNew(t, "resnet18", 2)
	x := randomInput(t, 1, 112, 3)
	defer drop(x)
	_, feat, err := m.PredictFeatures(x)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(feat)
	alpha, err := m.gradCAMWeights(feat, 5)
	if err != nil {
		t.Fatal(err)
	}
	w := values(t, m.net.linearHead().w)[5*512 : 6*512]
	for c := range alpha {
		if d := math.Abs(float64(alpha[c]) - float64(w[c])/16); d > 1e-7 {
			t.Fatalf("grad-cam weight of channel %d: %g, W/(h*w) = %g", c, alpha[c], w[c]/16)
		}
	}
	g, _ := m.vars["fc.weight"].Grad(false)
	if ok, _ := g.Defined(); ok {
		t.Error("grad-cam left a gradient on fc.weight")
	}

	vgg := mustNew(t, ffranet.ArchVGG16, 2)
	xv := randomInput(t, 1, 112, 3)
	defer drop(xv)
	a, err := vgg.ClassActivation(xv, -1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != MethodGradCAM || a.Layer != "features.29" || a.W != 7 || a.H != 7 || a.Class != scores.Argmax(a.Logits) {
		t.Fatalf("vgg16: %s %s %dx%d class %d", a.Method, a.Layer, a.W, a.H, a.Class)
	}
	if maxAbs(a.Map) == 0 {
		t.Fatal("vgg16 grad-cam map is all zero")
	}
}

// TestDropoutMasksResume: VGG-16 and MobileNetV2 train with dropout whose masks come from the
// init seed and the forward count, which checkpoints carry: a model reloaded from a checkpoint
// draws the masks the original draws next, and eval mode has no dropout.
func TestDropoutMasksResume(t *testing.T) {
	for _, arch := range []string{ffranet.ArchMobileNetV2, ffranet.ArchVGG16} {
		t.Run(arch, func(t *testing.T) {
			cfg := mustConfig(t, arch)
			cfg.InputSize = 64
			m, err := New(cfg, gotch.CPU, 9)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			x := randomInput(t, 4, 64, 1)
			defer drop(x)
			train := func(m *Model) []float32 {
				var out []float32
				if err := noGrad(func() error {
					y, err := m.Forward(x, true)
					if err == nil {
						out = values(t, y)
						drop(y)
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return out
			}
			first := train(m)
			path := filepath.Join(t.TempDir(), "ck.safetensors")
			if err := m.SaveCheckpoint(path, classNames(7), nil); err != nil {
				t.Fatal(err)
			}
			next := train(m)
			again, _, err := LoadCheckpoint(path, gotch.CPU)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if d, _ := maxAbsDiff(next, train(again)); d != 0 {
				t.Fatalf("reloaded model's training forward differs by %g", d)
			}
			if d, _ := maxAbsDiff(first, next); d == 0 {
				t.Fatal("two training forwards drew the same dropout masks")
			}
			if d, _ := maxAbsDiff(evalLogits(t, m, x), evalLogits(t, m, x)); d != 0 {
				t.Fatal("eval mode is not deterministic")
			}
		})
	}
}
