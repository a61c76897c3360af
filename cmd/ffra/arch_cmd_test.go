package main

import (
	"strings"
	"testing"

	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train"
)

// TestApplyArch: --arch maps onto the model config; the baselines refuse FFRA-only flags and
// keep the input size and class count.
func TestApplyArch(t *testing.T) {
	for _, tc := range []struct {
		arch    string
		changed []string
		arch2   string // Config.Arch wanted
		variant string
		err     string
	}{
		{"ffra", nil, ffranet.ArchFFRA, "ffra", ""},
		{"resnet18", nil, ffranet.ArchFFRA, "resnet18", ""},
		{"resnet50", nil, ffranet.ArchResNet50, "resnet50", ""},
		{"vgg16", nil, ffranet.ArchVGG16, "vgg16", ""},
		{"mobilenet_v2", nil, ffranet.ArchMobileNetV2, "mobilenet_v2", ""},
		{"vgg16", []string{"fusion"}, "", "", "--arch vgg16 has no FFRA module; drop --fusion"},
		{"resnet50", []string{"lambda"}, "", "", "drop --lambda"},
		{"resnet34", nil, "", "", "unknown --arch \"resnet34\" (resnet18, resnet50, vgg16, mobilenet_v2, ffra)"},
	} {
		t.Run(tc.arch+strings.Join(tc.changed, ","), func(t *testing.T) {
			cfg := train.DefaultConfig()
			cfg.Model.InputSize = 112
			changed := map[string]bool{}
			for _, c := range tc.changed {
				changed[c] = true
			}
			err := applyArch(&cfg, tc.arch, changed)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Model.Arch != tc.arch2 || cfg.Model.Variant != tc.variant || cfg.Model.InputSize != 112 || cfg.Model.NumClasses != 7 {
				t.Fatalf("model config %+v", cfg.Model)
			}
			if err := cfg.Model.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
