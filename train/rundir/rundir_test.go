package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

func TestLRSchedule(t *testing.T) {
	o := OptimSettings{Name: "adam", LR: 1e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Schedule: "exp", Gamma: 0.9}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := o.LRAt(0); got != 1e-4 {
		t.Fatalf("epoch 0 lr %g", got)
	}
	if got := o.LRAt(2); got < 0.81e-4*(1-1e-12) || got > 0.81e-4*(1+1e-12) {
		t.Fatalf("epoch 2 lr %g want 8.1e-5", got)
	}
	o.Schedule = "constant"
	if o.LRAt(50) != 1e-4 {
		t.Fatal("constant schedule changed lr")
	}
	o.Schedule = "cosine"
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "cosine") {
		t.Fatalf("unknown schedule accepted: %v", err)
	}
}

func TestConfigHashIgnoresRuntimeAndPaths(t *testing.T) {
	c := Config{Version: 1, Epochs: 3, Train: DatasetRef{Name: "a", Path: "/x", Hash: "h1"},
		Test: []DatasetRef{{Name: "t", Path: "/y", Hash: "h2"}}}
	h1, err := c.ComputeHash()
	if err != nil {
		t.Fatal(err)
	}
	c2 := c
	c2.Runtime.Workers = 8
	c2.Train.Path = "/elsewhere"
	h2, _ := c2.ComputeHash()
	if h1 != h2 {
		t.Fatal("runtime settings or paths changed the hash")
	}
	if c.Test[0].Path != "/y" {
		t.Fatal("ComputeHash modified the caller's test paths")
	}
	c2.Epochs = 4
	if h3, _ := c2.ComputeHash(); h3 == h1 {
		t.Fatal("epochs did not change the hash")
	}
	c2.Epochs = 3
	c2.Test = []DatasetRef{{Name: "t", Hash: "other"}}
	if h4, _ := c2.ComputeHash(); h4 == h1 {
		t.Fatal("a test set's content hash did not change the config hash")
	}
}

func TestMetricsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	recs := []EpochRecord{{Epoch: 1, TrainLoss: 1.5, Sets: map[string]SetMetrics{"test": {Acc: 0.5}}},
		{Epoch: 2, TrainLoss: 1.2, Best: true}}
	if err := WriteMetrics(dir, recs); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetrics(dir)
	if err != nil || len(got) != 2 || got[0].Sets["test"].Acc != 0.5 || !got[1].Best {
		t.Fatalf("round trip: %v %+v", err, got)
	}
	os.WriteFile(filepath.Join(dir, MetricsFile), []byte("{\"epoch\":1}\n{bad\n"), 0o644)
	if _, err := ReadMetrics(dir); err == nil || !strings.Contains(err.Error(), "metrics.jsonl:2") {
		t.Fatalf("want error naming line 2, got %v", err)
	}
	if recs, err := ReadMetrics(t.TempDir()); err != nil || recs != nil {
		t.Fatalf("missing file: %v %v", recs, err)
	}
}

func TestDatasetHash(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "test", "happy"), 0o755)
	p := filepath.Join(dir, "test", "happy", "a.png")
	os.WriteFile(p, []byte("12345"), 0o644)
	d := &dataset.Dataset{Root: dir, Layout: dataset.LayoutFolders, Items: []dataset.Item{{Rel: "test/happy/a.png", Abs: p}}}
	h1, of, err := DatasetHash(d)
	if err != nil || of != "file list + sizes" || !strings.HasPrefix(h1, "sha256:") {
		t.Fatalf("%v %q %q", err, of, h1)
	}
	os.WriteFile(p, []byte("123456"), 0o644)
	if h2, _, _ := DatasetHash(d); h2 == h1 {
		t.Fatal("size change not reflected in hash")
	}
	os.WriteFile(filepath.Join(dir, ManifestFile), []byte("{}\n"), 0o644)
	if h3, of, _ := DatasetHash(d); of != ManifestFile || h3 == h1 {
		t.Fatalf("manifest not used: %q", of)
	}
	os.Remove(p)
	os.Remove(filepath.Join(dir, ManifestFile))
	if _, _, err := DatasetHash(d); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("missing file: %v", err)
	}
}
