package train

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/sugarme/gotch"
)

// copyTree copies a synth tree (small: a few dozen files).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return dataset.WriteFileAtomic(filepath.Join(dst, rel), data)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEmptyDataset(t *testing.T) {
	empty := t.TempDir()
	_, err := Run(context.Background(), Options{Config: testConfig(), TrainPath: empty, OwnTest: "test", Out: filepath.Join(t.TempDir(), "r")})
	if err == nil || !strings.Contains(err.Error(), empty) || !strings.Contains(err.Error(), "no images") {
		t.Fatalf("empty dataset: %v", err)
	}
	// Images but no train split: a plain folder of class folders cannot be trained on.
	flat := t.TempDir()
	src := synthData(t, "synth70", 70, 35, 2)
	data, _ := os.ReadFile(filepath.Join(src, "Image/aligned/train_00001_aligned.jpg"))
	os.MkdirAll(filepath.Join(flat, "happy"), 0o755)
	os.WriteFile(filepath.Join(flat, "happy", "a.jpg"), data, 0o644)
	_, _, err = LoadTrain(context.Background(), flat, TrainData{TestName: "test"}, DataOptions{Workers: 1})
	if err == nil || !strings.Contains(err.Error(), "no labelled training images") {
		t.Fatalf("no train split: %v", err)
	}
}

// synthWithLabels copies the 70-image synthetic RAF-DB set to a fresh folder named name and
// appends lines to its label file; it returns the folder.
func synthWithLabels(t *testing.T, name, lines string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	copyTree(t, synthData(t, "synth70", 70, 35, 2), dir)
	f, err := os.OpenFile(filepath.Join(dir, dataset.RAFLabelFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(lines); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLabelFileMissingImagesAndCorruptImage(t *testing.T) {
	// Two label lines pointing to images that do not exist, and one corrupt image.
	dir := synthWithLabels(t, "broken", "train_09998.jpg 3\ntest_9999.jpg 1\n")
	corrupt := filepath.Join(dir, "Image/aligned/train_00005_aligned.jpg")
	os.WriteFile(corrupt, []byte("\xff\xd8\xff\xe0 truncated"), 0o644)
	var log bytes.Buffer
	tr, own, err := LoadTrain(context.Background(), dir, TrainData{TestName: "test"}, DataOptions{Workers: 2, CacheBytes: 1 << 30, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if len(own) != 1 {
		t.Fatalf("own test sets %d, want RAF-DB's test split alone", len(own))
	}
	te := own[0]
	if tr.Set.Len() != 69 || te.Set.Len() != 35 {
		t.Fatalf("train %d test %d images, want 69 and 35", tr.Set.Len(), te.Set.Len())
	}
	// Skipped: 2 label lines (reported with the training set) + 1 corrupt image.
	if tr.Ref.Skipped != 3 {
		t.Fatalf("train skipped %d, want 3: %v", tr.Ref.Skipped, tr.Problems)
	}
	out := log.String()
	for _, want := range []string{"list_patition_label.txt:106", "train_09998", "test_9999", corrupt, "skipped 3 entries"} {
		if !strings.Contains(out, want) {
			t.Fatalf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestTestSetMissingClass(t *testing.T) {
	src := synthData(t, "synth70", 70, 35, 2)
	dir := filepath.Join(t.TempDir(), "nofear")
	copyTree(t, src, dir)
	// Drop every Fear (label 2) test line: the class has no test images.
	lf := filepath.Join(dir, dataset.RAFLabelFile)
	data, _ := os.ReadFile(lf)
	var keep []string
	removed := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "test_") && strings.HasSuffix(line, " 2") {
			removed++
			os.Remove(filepath.Join(dir, "Image/aligned", strings.TrimSuffix(strings.Fields(line)[0], ".jpg")+"_aligned.jpg"))
			continue
		}
		keep = append(keep, line)
	}
	os.WriteFile(lf, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
	var log bytes.Buffer
	ls, err := LoadTest(context.Background(), SetSpec{Name: "nofear", Path: dir}, DataOptions{Workers: 2, CacheBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if missing := checkClasses(&log, ls); len(missing) != 1 || missing[0] != "Fear" || !strings.Contains(log.String(), "no images of Fear") {
		t.Fatalf("missing %v, log %q", missing, log.String())
	}
	m, err := model.New(testConfig().Model, gotch.CPU, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r, err := Evaluate(context.Background(), m, ls.Set, EvalConfig{Size: 112, BatchSize: 16, Workers: 2, Classes: ls.Classes})
	if err != nil {
		t.Fatal(err)
	}
	if r.Images != 35-removed || r.PerClass[1] != -1 || len(r.Missing) != 1 {
		t.Fatalf("images %d (want %d), Fear recall %v, missing %v", r.Images, 35-removed, r.PerClass[1], r.Missing)
	}
	// The mean covers the 6 present classes only.
	sum := 0.0
	for c, v := range r.PerClass {
		if c != 1 {
			sum += v
		}
	}
	if d := r.MeanClass - sum/6; d > 1e-12 || d < -1e-12 {
		t.Fatalf("mean class accuracy %v, want %v", r.MeanClass, sum/6)
	}
}

func TestUnknownDevice(t *testing.T) {
	cfg := testConfig()
	cfg.Runtime.Device = "tpu:0"
	out := filepath.Join(t.TempDir(), "r")
	_, err := Run(context.Background(), Options{Config: cfg, TrainPath: t.TempDir(), Out: out})
	if err == nil || !strings.Contains(err.Error(), `unknown device "tpu:0"`) {
		t.Fatalf("unknown device: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("run folder created before the device was checked")
	}
	if _, err := OpenPredictor(t.TempDir(), "cuda:7", nil); err == nil {
		t.Fatal("predictor accepted a folder without checkpoint")
	}
}

func TestNonFiniteLossStops(t *testing.T) {
	data := synthData(t, "synth70", 70, 35, 2)
	cfg := testConfig()
	cfg.Optim.LR = 1e12 // the first update blows the weights up
	cfg.Model.Variant, cfg.Model.MultiScale, cfg.Model.LocalAttention = "resnet18", false, false
	_, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "", Out: filepath.Join(t.TempDir(), "r")})
	if err == nil || !strings.Contains(err.Error(), "epoch 1 step") || !strings.Contains(err.Error(), "loss is") {
		t.Fatalf("want a non-finite loss error naming epoch and step, got %v", err)
	}
}

func TestParseSetSpec(t *testing.T) {
	for in, want := range map[string]SetSpec{
		"FM=/data/fm":              {Name: "FM", Path: "/data/fm"},
		"/data/raf-sg/":            {Name: "raf-sg", Path: "/data/raf-sg/"},
		"clean=./x=y":              {Name: "clean", Path: "./x=y"},
		"occ=/d/ferplus@/l/o.txt":  {Name: "occ", Path: "/d/ferplus", List: "/l/o.txt"},
		"/d/raf@lists/pose_30.txt": {Name: "pose_30", Path: "/d/raf", List: "lists/pose_30.txt"},
	} {
		got, err := ParseSetSpec(in)
		if err != nil || got != want {
			t.Fatalf("ParseSetSpec(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"bad name=/x", "a/b=c", "x=", "x=/d@"} {
		if _, err := ParseSetSpec(bad); err == nil {
			t.Fatalf("ParseSetSpec(%q) accepted", bad)
		}
	}
}

// report.json gives each set's skipped entries as counts by reason with the first examples,
// not one line per entry (issue 11: 1,000,000 missing images made a 157 MB report.json).
func TestReportCapsSkippedEntries(t *testing.T) {
	var missing strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&missing, "train_m%05d.jpg 3\n", i)
	}
	dir := synthWithLabels(t, "missing", missing.String())
	lf := filepath.Join(dir, dataset.RAFLabelFile)
	tr, own, err := LoadTrain(context.Background(), dir, TrainData{TestName: "test"}, DataOptions{Workers: 2, CacheBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Ref.Skipped != 5000 {
		t.Fatalf("skipped %d, want 5000", tr.Ref.Skipped)
	}
	rep := buildReport(testConfig(), TrainState{Epoch: 1}, nil, 0, tr, own)
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 8<<10 {
		t.Errorf("report.json of %d bytes for 5000 skipped entries", len(data))
	}
	var back struct {
		Skipped map[string]struct {
			Count  int `json:"count"`
			ByCode []struct {
				Code     string   `json:"code"`
				Count    int      `json:"count"`
				Examples []string `json:"examples"`
			} `json:"by_code"`
		} `json:"skipped"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("skipped is not counts by code: %v", err)
	}
	s := back.Skipped["train"]
	if s.Count != 5000 || len(s.ByCode) != 1 || s.ByCode[0].Code != dataset.CodeMissingImage || s.ByCode[0].Count != 5000 ||
		len(s.ByCode[0].Examples) != 10 || !strings.Contains(s.ByCode[0].Examples[0], "train_m00000") {
		t.Fatalf("skipped %+v", s)
	}
	// The full list, only when asked: every entry, one JSON line each.
	all, _, err := LoadTrain(context.Background(), dir, TrainData{}, DataOptions{Workers: 2, AllProblems: true})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "problems.jsonl")
	if err := WriteProblems(file, []*LoadedSet{all}); err != nil {
		t.Fatal(err)
	}
	listed, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimSpace(string(listed)), "\n")
	if len(lines) != 5000 || !strings.HasPrefix(lines[0], `{"set":"train","path":"`+lf+`","line":`) || !strings.Contains(lines[4999], "train_m04999") {
		t.Fatalf("%d lines, first %.200s", len(lines), lines[0])
	}
	// Like every output, never inside the data it lists (issue 11), refused before it is made.
	inside := filepath.Join(dir, "logs", "problems.jsonl")
	if err := WriteProblems(inside, []*LoadedSet{all}); err == nil || !strings.Contains(err.Error(), "inside the input folder") {
		t.Errorf("problems file inside the dataset: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "logs")); !os.IsNotExist(err) {
		t.Error("a refused problems file created its folder inside the dataset")
	}
}
