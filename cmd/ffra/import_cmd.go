package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/train"
	"github.com/spf13/cobra"
	"github.com/sugarme/gotch"
)

type importOptions struct {
	File    string
	Out     string
	Weights weightsFlags
}

// newImportCmd is `ffra import`. runF, when set, replaces the work.
func newImportCmd(runF func(context.Context, *importOptions) error) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE -o CKPT.safetensors --arch ARCH",
		Short: "Turn a PyTorch state_dict (.pth/.pt) or a safetensors state_dict into an ffra checkpoint",
		Long: `Read FILE - a torch.save'd state_dict, a training checkpoint holding one under
"state_dict" or "model_state_dict" (e.g. MS-Celeb FER checkpoints), with or without
DataParallel's "module." prefixes, or a safetensors state_dict - build the --arch network and
write it as an ffra checkpoint (safetensors with the config and class names) that eval,
predict, cam, export and --pretrained take.

Strict by default: every model tensor must be in FILE with its shape, and FILE may hold
nothing else (BN num_batches_tracked aside); otherwise the missing, unexpected and mismatched
names are listed (the first few of each, with counts) and nothing is written. --partial lets
model tensors be missing (they keep a seeded init) and drops a classifier of another size, so
a backbone-only file becomes a checkpoint whose head is untrained.

The class count comes from --classes, else --num-classes, else FILE's classifier.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runImport(*o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "out", "o", "", "checkpoint to write, `CKPT.safetensors`")
	o.Weights.add(f, true)
	for _, name := range []string{"out", "arch"} {
		if err := cmd.MarkFlagRequired(name); err != nil {
			panic(err)
		}
	}
	return cmd
}

func runImport(o importOptions, stdout io.Writer) error {
	if same, err := samePath(o.File, o.Out); err != nil {
		return err
	} else if same {
		return fmt.Errorf("-o %s is FILE itself; write the checkpoint elsewhere", o.Out)
	}
	m, classes, rep, err := train.ImportWeights(o.File, *o.Weights.spec(), gotch.CPU)
	if err != nil {
		return err
	}
	defer m.Close()
	sum, err := fileSHA256(o.File)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
		return fmt.Errorf("-o %s: %w", o.Out, err)
	}
	extra := map[string]string{"imported_from": filepath.Base(o.File), "imported_sha256": sum}
	if err := m.SaveCheckpoint(o.Out, classes, extra); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s -> %s: %s with %d classes (%s), input %d: %s\n", o.File, o.Out, m.Config().Variant,
		len(classes), strings.Join(classes, ", "), m.Config().InputSize, rep)
	if len(rep.Missing) > 0 {
		fmt.Fprintf(stdout, "left at init: %s\n", capList(rep.Missing, 8))
	}
	return nil
}

// capList joins the first n names and counts the rest.
func capList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, ... and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// samePath reports whether two paths name the same file (out need not exist).
func samePath(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", a, err)
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, nil
	}
	return os.SameFile(sa, sb), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
