package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/loader"
	"github.com/spf13/cobra"
)

type exportOptions struct {
	Checkpoint string
	Out        string
	Weights    weightsFlags
}

// newExportCmd is `ffra export`. runF, when set, replaces the work.
func newExportCmd(runF func(*exportOptions) error) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export CKPT -o MODEL.onnx",
		Short: "Write a checkpoint's network as an ONNX model (opset 13; OpenCV's DNN module reads it)",
		Long: fmt.Sprintf(`Write the network of CKPT (an ffra checkpoint or run folder, or a PyTorch state_dict with
--arch) in eval mode as ONNX opset %d, written from Go.

Input "%s": float32 [N,3,S,S], N dynamic (any batch), S the checkpoint's input size, RGB
planes resized to S x S and normalised as ffra does: (value/255 - mean) / std per channel with
ImageNet's mean %v and std %v. The normalisation is NOT in the graph
(the metadata says it). Output "%s": float32 [N,classes], before softmax, classes in the
order of the metadata's "classes".

Only ops OpenCV 4.6's ONNX importer reads are used; what it cannot read is written from
simpler ones: ReLU6 as Relu(x) - Relu(x-6); FFRA-Net's shuffle attention per channel (its
GroupNorm as a two-pass instance norm from convolutions, Sub, Mul and Pow, its gates' affine
maps as BatchNormalization, its channel shuffle as a 1x1 permutation conv); VGG-16's adaptive
average pool folded into classifier.0 at sizes other than 224.`, model.ONNXOpset, model.ONNXInput,
			fmtFloats(loader.Mean[:]), fmtFloats(loader.Std[:]), model.ONNXOutput),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Checkpoint = args[0]
			if runF != nil {
				return runF(o)
			}
			return runExport(*o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "out", "o", "", "ONNX file to write, `MODEL.onnx`")
	o.Weights.add(f, false)
	if err := cmd.MarkFlagRequired("out"); err != nil {
		panic(err)
	}
	return cmd
}

func runExport(o exportOptions, stdout io.Writer) error {
	p, err := train.OpenPredictor(o.Checkpoint, "cpu", o.Weights.spec())
	if err != nil {
		return err
	}
	defer p.Close()
	if same, err := samePath(p.Path, o.Out); err != nil {
		return err
	} else if same {
		return fmt.Errorf("-o %s is the checkpoint itself; write the ONNX file elsewhere", o.Out)
	}
	classes, err := json.Marshal(p.Classes)
	if err != nil {
		return err
	}
	meta := [][2]string{
		{"classes", string(classes)},
		{"input", fmt.Sprintf("RGB float32 [N,3,%d,%d], (value/255 - mean) / std per channel; not in the graph", p.Size, p.Size)},
		{"mean", fmtFloats(loader.Mean[:])},
		{"std", fmtFloats(loader.Std[:])},
		{"source", filepath.Base(p.Path)},
	}
	var buf bytes.Buffer
	if err := p.Model.ExportONNX(&buf, meta); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
		return fmt.Errorf("-o %s: %w", o.Out, err)
	}
	if err := dataset.WriteFileAtomic(o.Out, buf.Bytes()); err != nil {
		return err
	}
	cfg := p.Model.Config()
	fmt.Fprintf(stdout, "%s -> %s: %s, ONNX opset %d, %s [N,3,%d,%d] -> %s [N,%d] (%s), %.1f MB\n", p.Path, o.Out, cfg.Variant,
		model.ONNXOpset, model.ONNXInput, p.Size, p.Size, model.ONNXOutput, len(p.Classes), strings.Join(p.Classes, ", "), float64(buf.Len())/1e6)
	return nil
}

// fmtFloats is a JSON-style list.
func fmtFloats(v []float32) string {
	parts := make([]string, len(v))
	for i, f := range v {
		parts[i] = fmt.Sprintf("%g", f)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
