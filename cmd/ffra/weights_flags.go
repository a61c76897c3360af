package main

import (
	"strings"

	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train"
	"github.com/spf13/pflag"
)

// weightsFlags name the network of a foreign weights file (a PyTorch .pth/.pt state_dict or a
// bare safetensors state_dict): `ffra import` and the commands that take CKPT (eval, predict,
// cam) share them. ffra checkpoints carry their own config and need none.
type weightsFlags struct {
	Arch       string
	Classes    []string
	NumClasses int
	InputSize  int
	Partial    bool
}

// add registers the flags; importing makes the help speak of the file being imported.
func (w *weightsFlags) add(f *pflag.FlagSet, importing bool) {
	what := "a PyTorch .pth/.pt CKPT"
	if importing {
		what = "FILE"
	}
	f.StringVar(&w.Arch, "arch", "", "network of "+what+": "+strings.Join(ffranet.Variants(), ", "))
	f.StringSliceVar(&w.Classes, "classes", nil, "class names of "+what+"'s outputs, in order, comma-separated (default: RAF-DB's 7 when it has 7 outputs, else class_0...)")
	f.IntVar(&w.NumClasses, "num-classes", 0, "output count of "+what+" when --classes is not given (0: from its classifier)")
	f.IntVar(&w.InputSize, "input-size", 224, "input side "+what+" is used at")
	f.BoolVar(&w.Partial, "partial", false, "let "+what+" lack model tensors (left at init) and drop a classifier of another size")
}

// spec is the import spec, nil when no --arch was given.
func (w *weightsFlags) spec() *train.ImportSpec {
	if w.Arch == "" {
		return nil
	}
	return &train.ImportSpec{Arch: w.Arch, Classes: w.Classes, NumClasses: w.NumClasses, InputSize: w.InputSize, Partial: w.Partial}
}
