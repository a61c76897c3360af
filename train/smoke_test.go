package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/synth"
)

func TestSmoke(t *testing.T) {
	if os.Getenv("SMOKE") == "" {
		t.Skip()
	}
	data := filepath.Join(t.TempDir(), "syn")
	if _, err := synth.Generate(data, synth.Options{Train: 140, Test: 70, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Model.InputSize = 112
	cfg.Epochs = 2
	cfg.BatchSize = 16
	cfg.Runtime.Device = "cpu"
	cfg.Runtime.Workers = 2
	cfg.Runtime.EvalBatch = 35
	rep, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Out: filepath.Join(t.TempDir(), "run"), Log: os.Stderr, Progress: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep.Final)
}
