package model

import (
	"math"
	"testing"

	"github.com/occfer/occfer/model/ffranet"
)

// specTotals is spec section 7: trainable parameters and GMACs at 224 and 112.
var specTotals = []struct {
	variant        string
	params         int64
	gmac224, gm112 float64
}{
	{"resnet18", 11_180_103, 1.8136, 0.4849},
	{"ffra", 14_280_135, 2.0737, 0.5587},
	{"ffra-add", 14_280_135, 2.0737, 0.5587},
	{"ffra-concat", 14_411_719, 2.0994, 0.5651},
	{"ffra-ms", 11_328_071, 1.8425, 0.4921},
	{"ffra-la", 14_132_167, 2.0448, 0.5515},
	{"ffra-shared-la", 12_508_839, 2.0737, 0.5587},
	{"ffra-layer2", 11_955_975, 2.0737, 0.5499},
	{"ffra-zero-init", 14_280_135, 2.0737, 0.5587},
}

func TestParamTotalsMatchSpec(t *testing.T) {
	for _, tc := range specTotals {
		t.Run(tc.variant, func(t *testing.T) {
			cfg, err := ffranet.ConfigFor(tc.variant)
			if err != nil {
				t.Fatal(err)
			}
			for _, size := range []int{224, 112} {
				s, err := Summary(cfg, size)
				if err != nil {
					t.Fatalf("summary at %d: %v", size, err)
				}
				if s.Params != tc.params {
					t.Errorf("%s: params %d, spec %d", tc.variant, s.Params, tc.params)
				}
				want := tc.gmac224
				if size == 112 {
					want = tc.gm112
				}
				// the spec rounds to 4 decimals of a GMAC
				if got := float64(s.MACs) / 1e9; math.Abs(got-want) > 0.00005 {
					t.Errorf("%s @%d: %.4f GMACs, spec %.4f", tc.variant, size, got, want)
				}
			}
		})
	}
}
