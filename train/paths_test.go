package train

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run folder is never the training data, a test set, or inside one, and the check comes
// before the folder is created: `ffra train IN -o IN/run` would put checkpoints into the
// dataset, which a later run then reads as data.
func TestRunFolderInsideDataRefused(t *testing.T) {
	src := synthData(t, "synth70", 70, 35, 2)
	base := t.TempDir()
	data, val := filepath.Join(base, "data"), filepath.Join(base, "val")
	copyTree(t, src, data)
	copyTree(t, src, val)
	cfg := testConfig()
	cfg.Epochs = 1
	for _, tc := range []struct {
		name string
		out  string
		val  []SetSpec
	}{
		{"inside the training data", filepath.Join(data, "run"), nil},
		{"the training data", data, nil},
		{"inside a test set", filepath.Join(val, "sub", "run"), []SetSpec{{Name: "v", Path: val}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Val: tc.val, Out: tc.out})
			if err == nil || !strings.Contains(err.Error(), "choose a folder outside the input") {
				t.Fatalf("run folder %s: %v", tc.out, err)
			}
		})
	}
	for _, p := range []string{filepath.Join(data, "run"), filepath.Join(val, "sub"), filepath.Join(data, "config.json")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a refused run created %s", p)
		}
	}
}
