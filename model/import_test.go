package model

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/occfer/occfer/model/ffranet"
)

// specShapes is cfg's state_dict as names and shapes, with BN counters, optionally renamed.
func specShapes(t *testing.T, variant string, classes int, rename func(string) string) map[string][]int64 {
	t.Helper()
	cfg, err := ffranet.ConfigFor(variant)
	if err != nil {
		t.Fatal(err)
	}
	cfg.NumClasses = classes
	s, err := Spec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int64{}
	for _, v := range s {
		name := v.Name
		if rename != nil {
			name = rename(name)
		}
		out[name] = v.Shape
		if p, ok := strings.CutSuffix(v.Name, ".running_var"); ok {
			out[p+".num_batches_tracked"] = nil
		}
	}
	return out
}

// resnet34Shapes is torchvision's resnet34 layout ([3,4,6,3] BasicBlocks), built from the
// same blocks as ResNet-18: every ResNet-18 name with its shape, plus more blocks.
func resnet34Shapes(t *testing.T, classes int) map[string][]int64 {
	t.Helper()
	b := newDryBuilder()
	if _, err := newStem(b); err != nil {
		t.Fatal(err)
	}
	in := int64(64)
	for i, spec := range []struct{ out, n, stride int64 }{{64, 3, 1}, {128, 4, 2}, {256, 6, 2}, {512, 3, 2}} {
		for j := int64(0); j < spec.n; j++ {
			stride := int64(1)
			if j == 0 {
				stride = spec.stride
			}
			if _, err := newBasicBlock(b, fmt.Sprintf("layer%d.%d", i+1, j), in, spec.out, stride); err != nil {
				t.Fatal(err)
			}
			in = spec.out
		}
	}
	if _, err := newLinear(b, "fc", 512, int64(classes)); err != nil {
		t.Fatal(err)
	}
	out := map[string][]int64{}
	for _, v := range b.specs {
		out[v.Name] = v.Shape
	}
	return out
}

// TestImportRules: each failure of the strict, partial and backbone rules, checked on
// names and shapes (PlanImport builds nothing).
func TestImportRules(t *testing.T) {
	without := func(m map[string][]int64, drop func(string) bool) map[string][]int64 {
		out := maps.Clone(m)
		for k := range out {
			if drop(k) {
				delete(out, k)
			}
		}
		return out
	}
	with := func(m map[string][]int64, k string, v []int64) map[string][]int64 {
		out := maps.Clone(m)
		out[k] = v
		return out
	}
	r18 := specShapes(t, "resnet18", 7, nil)
	ffra := specShapes(t, "ffra", 7, nil)
	r18ImageNet := with(with(r18, "fc.weight", []int64{1000, 512}), "fc.bias", []int64{1000})
	msceleb := specShapes(t, "resnet18", 1000, func(n string) string { return "module." + n })
	msceleb["module.feature.weight"], msceleb["module.feature.bias"] = []int64{256, 512}, []int64{256}
	vgg := specShapes(t, ffranet.ArchVGG16, 1000, nil)
	encoder := specShapes(t, "resnet18", 1000, func(n string) string { return "encoder." + n })
	// drop 14% / 5% of the backbone's variables (every k-th name, fc kept)
	thin := func(every int) map[string][]int64 {
		i := 0
		return without(r18, func(k string) bool {
			if strings.HasPrefix(k, "fc.") || strings.HasSuffix(k, "num_batches_tracked") {
				return false
			}
			i++
			return i%every == 0
		})
	}
	bad := with(r18, "conv1.weight", []int64{64, 1, 7, 7})
	imagenet := func(arch string) map[string][]int64 { return specShapes(t, arch, 1000, nil) }

	for _, tc := range []struct {
		name    string
		variant string
		file    map[string][]int64
		opts    ImportOptions
		errHas  []string // empty: must succeed
		loaded  int      // when it succeeds (-1: do not check)
	}{
		{"strict/own state_dict", "resnet18", r18, ImportFull, nil, 102},
		{"strict/module. prefix", "resnet18", specShapes(t, "resnet18", 7, func(n string) string { return "module." + n }), ImportFull, nil, 102},
		{"strict/missing", "resnet18", without(r18, func(k string) bool { return strings.HasPrefix(k, "layer4.1.") }), ImportFull,
			[]string{"10 missing from the file: layer4.1.conv1.weight"}, 0},
		{"strict/unexpected", "resnet18", with(r18, "extra.weight", []int64{3}), ImportFull, []string{"1 unexpected (not in the model): extra.weight"}, 0},
		{"strict/head of another size", "resnet18", r18ImageNet, ImportFull, []string{"fc.weight: file [1000 512], model [7 512]", "fc.bias: file [1000], model [7]"}, 0},
		{"strict/ffra into resnet18", "resnet18", ffra, ImportFull, []string{"unexpected (not in the model): la.conv_s.bn.bias"}, 0},
		{"strict/resnet18 into ffra", "ffra", r18, ImportFull, []string{"69 missing from the file: ms.convs.0.conv.weight"}, 0},
		{"partial/missing allowed", "ffra", r18, ImportOptions{Partial: true}, nil, 102},
		{"partial/foreign head dropped", "resnet18", msceleb, ImportOptions{Partial: true}, nil, 100},
		{"partial/unexpected still fails", "resnet18", resnet34Shapes(t, 7), ImportOptions{Partial: true}, []string{"unexpected (not in the model): layer1.2.bn1.bias"}, 0},
		{"partial/backbone shape still fails", "resnet18", bad, ImportOptions{Partial: true}, []string{"conv1.weight: file [64 1 7 7], model [64 3 7 7]"}, 0},
		{"backbone/torchvision ImageNet", "resnet18", r18ImageNet, ImportBackbone, nil, 100},
		{"backbone/MS-Celeb into ffra", "ffra", msceleb, ImportBackbone, nil, 100},
		{"backbone/torchvision ImageNet resnet50", ffranet.ArchResNet50, imagenet(ffranet.ArchResNet50), ImportBackbone, nil, 265},
		{"backbone/torchvision ImageNet vgg16", ffranet.ArchVGG16, imagenet(ffranet.ArchVGG16), ImportBackbone, nil, 30},
		{"backbone/torchvision ImageNet mobilenet_v2", ffranet.ArchMobileNetV2, imagenet(ffranet.ArchMobileNetV2), ImportBackbone, nil, 260},
		{"backbone/resnet50 into resnet18", "resnet18", imagenet(ffranet.ArchResNet50), ImportBackbone, []string{"conv1.weight: file", "unexpected (not in the model): layer1.0.bn3.bias"}, 0},
		{"backbone/vgg16 head of 1000 into vgg16 of 7 strict", ffranet.ArchVGG16, imagenet(ffranet.ArchVGG16), ImportFull, []string{"classifier.6.weight: file [1000 4096], model [7 4096]"}, 0},
		{"backbone/ffra into ffra", "ffra", ffra, ImportBackbone, nil, 169},
		{"backbone/ffra into resnet18", "resnet18", ffra, ImportBackbone, []string{"unexpected (not in the model): la."}, 0},
		{"backbone/resnet34 into resnet18", "resnet18", resnet34Shapes(t, 1000), ImportBackbone,
			[]string{"100 of the backbone's 100 tensors load", "unexpected (not in the model): layer1.2.bn1.bias"}, 0},
		{"backbone/names match nothing (vgg features.N)", "resnet18", vgg, ImportBackbone, []string{"0 of the backbone's 100 tensors load (0%, need 90%)", "missing from the file: conv1.weight"}, 0},
		{"backbone/encoder. prefix", "resnet18", encoder, ImportBackbone, []string{"0 of the backbone's 100 tensors load", `behind the prefix "encoder."`}, 0},
		{"backbone/86% of the backbone", "resnet18", thin(7), ImportBackbone, []string{"86 of the backbone's 100 tensors load (86%, need 90%)"}, 0},
		{"backbone/95% of the backbone", "resnet18", thin(20), ImportBackbone, nil, 95},
		{"backbone/shape differs", "resnet18", bad, ImportBackbone, []string{"conv1.weight: file [64 1 7 7], model [64 3 7 7]"}, 0},
		{"backbone partial/resnet34 loads what fits", "resnet18", resnet34Shapes(t, 1000), ImportOptions{Backbone: true, Partial: true}, nil, 100},
		{"backbone partial/86% loads", "resnet18", thin(7), ImportOptions{Backbone: true, Partial: true}, nil, 86},
		{"backbone partial/shape differs skipped", "resnet18", bad, ImportOptions{Backbone: true, Partial: true}, nil, 99},
		{"backbone partial/nothing fits", "resnet18", encoder, ImportOptions{Backbone: true, Partial: true}, []string{"no tensor of the file fits the model"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := PlanImport(mustConfig(t, tc.variant), tc.file, tc.opts)
			if len(tc.errHas) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if tc.loaded >= 0 && len(rep.Loaded) != tc.loaded {
					t.Fatalf("loaded %d, want %d (%s)", len(rep.Loaded), tc.loaded, rep)
				}
				return
			}
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("want an *ImportError, got %v", err)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error lacks %q:\n%v", s, err)
				}
			}
		})
	}
}

// TestImportErrorCapsLists: a file that matches nothing gives counts and at most listCap
// names of each kind, not hundreds of lines.
func TestImportErrorCapsLists(t *testing.T) {
	file := specShapes(t, ffranet.ArchVGG16, 7, nil)
	_, err := PlanImport(mustConfig(t, ffranet.ArchResNet50), file, ImportFull)
	if err == nil {
		t.Fatal("vgg16 state_dict accepted by resnet50")
	}
	msg := err.Error()
	for _, s := range []string{"32 unexpected (not in the model)", "... and 26 more", "267 missing from the file", "... and 261 more"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q: %s", s, msg)
		}
	}
	if len(msg) > 1500 {
		t.Errorf("message is %d bytes long", len(msg))
	}
}

// TestImportErrorReshapedNotMissing: a tensor the file holds with another shape is named
// under "with another shape" only, never also as missing from the file (it is in the file).
func TestImportErrorReshapedNotMissing(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ImportOptions
	}{{"strict", ImportFull}, {"backbone", ImportBackbone}} {
		t.Run(tc.name, func(t *testing.T) {
			file := specShapes(t, "resnet18", 7, nil)
			file["conv1.weight"] = []int64{64, 1, 7, 7}
			_, err := PlanImport(mustConfig(t, "resnet18"), file, tc.opts)
			if err == nil {
				t.Fatal("a conv1.weight of another shape was accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, "1 with another shape: conv1.weight: file [64 1 7 7], model [64 3 7 7]") {
				t.Errorf("message lacks the reshaped tensor: %s", msg)
			}
			if strings.Contains(msg, "missing from the file") {
				t.Errorf("message calls a tensor of the file missing: %s", msg)
			}
		})
	}
}

// TestImportCopiesNothingOnFailure: a refused import leaves every variable as it was, and an
// accepted backbone import copies exactly the reported tensors.
func TestImportCopiesNothingOnFailure(t *testing.T) {
	src := mustNew(t, "resnet18", 1)
	dst := mustNew(t, "resnet18", 2)
	before := values(t, dst.vars["conv1.weight"])
	tensors := maps.Clone(src.vars)
	extra, _ := src.vars["fc.bias"].ShallowClone()
	defer drop(extra)
	tensors["layer1.2.conv1.weight"] = extra // a ResNet-34-like extra entry
	if _, err := dst.LoadStateDict(tensors, ImportBackbone); err == nil {
		t.Fatal("an unexpected tensor was accepted by the backbone rule")
	}
	if d, _ := maxAbsDiff(before, values(t, dst.vars["conv1.weight"])); d != 0 {
		t.Fatal("a refused import changed conv1.weight")
	}
	delete(tensors, "layer1.2.conv1.weight")
	rep, err := dst.LoadStateDict(tensors, ImportBackbone)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Loaded) != 100 || len(rep.Missing) != 2 || rep.BackboneLoaded != 100 || rep.Backbone != 100 {
		t.Fatalf("report %s, backbone %d/%d, missing %v", rep, rep.BackboneLoaded, rep.Backbone, rep.Missing)
	}
	if d, _ := maxAbsDiff(values(t, src.vars["conv1.weight"]), values(t, dst.vars["conv1.weight"])); d != 0 {
		t.Fatal("conv1.weight not copied")
	}
	if d, _ := maxAbsDiff(values(t, src.vars["fc.weight"]), values(t, dst.vars["fc.weight"])); d == 0 {
		t.Fatal("the backbone rule copied the head")
	}
}

// TestPretrainedTorchvisionFiles: torchvision state_dicts with their 1000-class ImageNet
// head (the layout of torchvision's weight files, randomised: no download here) load under
// the backbone rule, the head left at init; a ResNet-34 file is refused by ResNet-18.
func TestPretrainedTorchvisionFiles(t *testing.T) {
	py := torchPython(t)
	// The rules per architecture are TestImportRules' (on names and shapes); these are real
	// torch.save files through the reader, for the smaller networks.
	for _, c := range []struct{ file, variant string }{{"resnet18", "resnet18"}, {"resnet18", "ffra"}, {"mobilenet_v2", ffranet.ArchMobileNetV2}} {
		t.Run(c.file+"-into-"+c.variant, func(t *testing.T) {
			dir := t.TempDir()
			runTV(t, py, "make", "--arch", c.file, "--classes", "7", "--size", "64", "--out", dir, "--imagenet")
			m := mustNew(t, c.variant, 4)
			head := headPrefix(m.cfg)
			before := values(t, m.vars[head+"weight"])
			rep, err := m.LoadWeights(filepath.Join(dir, "imagenet.pth"), ImportBackbone)
			if err != nil {
				t.Fatal(err)
			}
			if rep.BackboneLoaded != rep.Backbone {
				t.Errorf("%d of %d backbone tensors loaded", rep.BackboneLoaded, rep.Backbone)
			}
			for _, n := range rep.Missing {
				if isBackbone(m.cfg, n) {
					t.Errorf("backbone variable %s left at init", n)
				}
			}
			if d, _ := maxAbsDiff(before, values(t, m.vars[head+"weight"])); d != 0 {
				t.Errorf("the ImageNet head was copied into %sweight", head)
			}
			t.Logf("%s", rep)
		})
	}
	t.Run("resnet34-into-resnet18", func(t *testing.T) {
		dir := t.TempDir()
		runTV(t, py, "make", "--arch", "resnet34", "--classes", "7", "--size", "64", "--out", dir, "--imagenet")
		m := mustNew(t, "resnet18", 4)
		_, err := m.LoadWeights(filepath.Join(dir, "imagenet.pth"), ImportBackbone)
		var ie *ImportError
		if !errors.As(err, &ie) || len(ie.Unexpected) == 0 || !strings.Contains(err.Error(), "layer1.2.") {
			t.Fatalf("ResNet-34 into ResNet-18: %v", err)
		}
		t.Logf("refused: %v", err)
	})
}

// TestImportFileTakesClassesFromHead: with NumClasses 0 the class count is the file's.
func TestImportFileTakesClassesFromHead(t *testing.T) {
	cfg := mustConfig(t, ffranet.ArchMobileNetV2)
	cfg.NumClasses = 5
	src, err := New(cfg, gotch.CPU, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := writeSafetensors(path, src.vars, nil); err != nil {
		t.Fatal(err)
	}
	cfg.NumClasses = 0
	m, rep, err := ImportFile(path, cfg, ImportFull, gotch.CPU, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Config().NumClasses != 5 || len(rep.Missing) != 0 {
		t.Fatalf("%d classes, report %s", m.Config().NumClasses, rep)
	}
	if _, _, err := LoadCheckpoint(path, gotch.CPU); !IsNotCheckpoint(err) {
		t.Fatalf("a bare safetensors state_dict as checkpoint: %v", err)
	}
}
