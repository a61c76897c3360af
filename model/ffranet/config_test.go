package ffranet

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

func TestVariants(t *testing.T) {
	names := Variants()
	if !sort.StringsAreSorted(names) || len(names) != 12 {
		t.Fatalf("Variants() = %v, want 12 sorted names", names)
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			c, err := ConfigFor(n)
			if err != nil {
				t.Fatal(err)
			}
			if c.Variant != n {
				t.Errorf("Variant %q", c.Variant)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("variant %s does not validate: %v", n, err)
			}
			if got := c.HasModule(); got != strings.HasPrefix(n, "ffra") {
				t.Errorf("HasModule = %v", got)
			}
			if c.ArchName() != map[bool]string{true: "ffra", false: n}[strings.HasPrefix(n, "ffra")] {
				t.Errorf("ArchName %q", c.ArchName())
			}
		})
	}
	if c, _ := ConfigFor("ffra-layer2"); c.ModuleChannels() != 128 || c.Insert != InsertLayer2 {
		t.Errorf("ffra-layer2: insert %s, %d channels", c.Insert, c.ModuleChannels())
	}
	if _, err := ConfigFor("ffra-xl"); err == nil || !strings.Contains(err.Error(), `unknown model variant "ffra-xl"`) {
		t.Errorf("unknown variant: %v", err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no classes", func(c *Config) { c.NumClasses = 0 }, "num_classes must be >= 1"},
		{"tiny input", func(c *Config) { c.InputSize = 16 }, "input_size must be in [32,1024], got 16"},
		{"huge input", func(c *Config) { c.InputSize = 100000 }, "input_size must be in [32,1024], got 100000"},
		{"fusion", func(c *Config) { c.Fusion = "mean" }, `unknown fusion "mean"`},
		{"lambda", func(c *Config) { c.Lambda = 1.5 }, "lambda must be in [0,1]"},
		{"insert", func(c *Config) { c.Insert = "layer1" }, `unknown insertion point "layer1"`},
		{"sa groups", func(c *Config) { c.SAGroups = 3 }, "sa_groups 3 does not divide 256 channels"},
		{"arch", func(c *Config) { c.Arch = "resnet34" }, `unknown arch "resnet34" (resnet18, resnet50, vgg16, mobilenet_v2, ffra)`},
		{"baseline with a branch", func(c *Config) { c.Arch = ArchVGG16 }, "arch vgg16 has no FFRA branches"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			c.edit(&cfg)
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	noLA := DefaultConfig()
	noLA.LocalAttention, noLA.SAGroups = false, 3
	if err := noLA.Validate(); err != nil {
		t.Errorf("sa_groups checked with the LA branch off: %v", err)
	}
}

// TestJSONNames: the field names are part of the checkpoint and run-folder formats.
func TestJSONNames(t *testing.T) {
	b, err := json.Marshal(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"variant":"ffra","num_classes":7,"input_size":224,"multi_scale":true,"local_attention":true,"fusion":"weighted","lambda":0.6,"insert":"layer3","shared_la":false,"zero_init_last_bn":false,"sa_groups":8}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}
