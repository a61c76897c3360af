package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/train"
)

// The same train command executed twice in one process: the second run's options are its own
// flags over the defaults, nothing of the first (which set many, including --no-augment and
// --arch resnet18, whose effects runTrain derives on a copy).
func TestTrainOptionsDoNotLeakBetweenRuns(t *testing.T) {
	var got []trainOptions
	cmd := newTrainCmd(func(_ context.Context, o *trainOptions) error {
		got = append(got, *o)
		return nil
	})
	runs := [][]string{
		{"A", "--lr", "3", "--no-augment", "--arch", "resnet18", "--crop-scale", "0.5,0.9", "--val", "x=X", "--val", "Y",
			"-o", "R", "--seed", "7", "--workers", "2", "--eval-batch", "5", "-q", "--la=false", "--flip=false"},
		{"B", "--epochs", "2"},
	}
	for _, args := range runs {
		if err := cli.Execute(context.Background(), cmd, args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d runs", len(got))
	}
	first, second := got[0], got[1]
	if first.Config.Optim.LR != 3 || !first.NoAugment || first.Arch != "resnet18" || len(first.Val) != 2 || first.Config.Augment.Flip {
		t.Fatalf("first run: %+v", first)
	}
	def := train.DefaultConfig()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"data", second.Data, "B"},
		{"epochs", second.Config.Epochs, 2},
		{"lr", second.Config.Optim.LR, def.Optim.LR},
		{"seed", second.Config.Seed, uint64(1)},
		{"no-augment", second.NoAugment, false},
		{"arch", second.Arch, "ffra"},
		{"la", second.Config.Model.LocalAttention, true},
		{"flip", second.Config.Augment.Flip, true},
		{"crop-scale", second.CropScale, cli.FloatRange{Min: 0.08, Max: 1}},
		{"val", len(second.Val), 0},
		{"out", second.Out, ""},
		{"workers", second.Config.Runtime.Workers, 0},
		{"eval-batch", second.Config.Runtime.EvalBatch, def.Runtime.EvalBatch},
		{"quiet", second.Quiet, false},
		{"changed", len(second.Changed), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("second run: %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trian", "x"}, `unknown command "trian" for "ffra"; did you mean "train"?`},
		{[]string{"model", "sumary"}, `unknown command "sumary" for "ffra model"; did you mean "summary"?`},
		{[]string{"cam", "ckpt", "img"}, `required flag(s) "out" not set`},
		{[]string{"train", "--resume", "runs/x"}, "--resume continues the run folder given with -o: ffra train --resume -o runs/x"},
		{[]string{"train", "--resume", "-o", "runs/x", "data"}, "give no DATA"},
		{[]string{"train", "data", "--workers", "-1"}, "--workers -1: want 0"},
		{[]string{"train", "data", "--crop-scale", "0.9,0.1"}, `invalid argument "0.9,0.1" for "--crop-scale" flag`},
		{[]string{"eval", "ckpt", "data", "-b", "0"}, "--batch-size 0: want at least 1"},
		{[]string{"predict", "ckpt", "img", "-b", "-1"}, "--batch-size -1: want at least 1"},
		{[]string{"synth", "out", "--workers", "100000"}, "--workers 100000: at most"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := runFFRA(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	if runtime.NumCPU() < 1 {
		t.Fatal("no CPU")
	}
}

// Every training flag is checked before any work starts: the run folder is never created and
// the data never read (issue 11: --lambda NaN failed at the end of training with "json:
// unsupported value: NaN").
func TestTrainFlagsCheckedBeforeWork(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--lambda", "NaN"}, "lambda must be in [0,1], got NaN"},
		{[]string{"--lr", "Inf"}, "learning rate +Inf"},
		{[]string{"--beta1", "NaN"}, "adam betas"},
		{[]string{"--wd", "NaN"}, "weight decay NaN"},
		{[]string{"--erase", "NaN"}, "erase probability NaN"},
		{[]string{"--brightness", "Inf"}, "colour jitter brightness +Inf"},
		{[]string{"--crop-ratio", "1,Inf"}, `invalid argument "1,Inf"`},
		{[]string{"--input-size", "1000000"}, "input_size must be in [32,1024], got 1000000"},
		{[]string{"-b", "100000000"}, "batch_size 100000000"},
		{[]string{"--epochs", "100000000"}, "epochs 100000000"},
		{[]string{"--prefetch", "-1"}, "prefetch -1"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			run := filepath.Join(t.TempDir(), "run")
			_, err := runFFRA(t, append([]string{"train", "no-such-data", "-o", run}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(run); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the run folder was created: %v", err)
			}
		})
	}
}
