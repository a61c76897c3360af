package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/rundir"
)

// protocolBody is a tiny protocol on generated data: ResNet-18 (the cheapest model) trained
// 1 epoch on the clean set and on its FM-occluded copy, seeds 1 and 2: four runs.
func protocolBody(t *testing.T) string {
	abs, err := filepath.Abs("../assets")
	if err != nil {
		t.Fatal(err)
	}
	return `{"seed": 1, "out": "out", "templates": "` + abs + `",
	  "source": {"synth": {"train": 28, "test": 14, "size": 48}},
	  "occlude": [{"name": "fm", "kind": "mask"}],
	  "protocol": {"seeds": [1, 2],
	    "settings": {"epochs": 1, "batch_size": 14, "model": {"input_size": 112},
	      "runtime": {"device": "cpu", "workers": 2, "threads": 1, "eval_batch": 14}},
	    "tables": [{"id": "t1", "title": "Table A: baseline", "arch": ["resnet18"],
	      "columns": [{"name": "Clean", "train": "clean"}, {"name": "FM", "train": "fm"},
	                  {"name": "Occ", "train": "clean", "test": "occ_subset"}],
	      "paper": [{"row": "resnet18", "column": "FM", "value": 77.87, "source": "abstract"}]}]}}`
}

// cancelAfter is a log writer that cancels the run when a line with marker was written.
type cancelAfter struct {
	marker string
	cancel context.CancelFunc
	mu     sync.Mutex
	buf    strings.Builder
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.cancel()
	}
	return len(p), nil
}

// Protocol resumption: a protocol stopped between runs (the context cancelled after run 1)
// and a run killed before its first checkpoint (run 2's folder as a kill -9 during its first
// last/ write leaves it) are continued by running the config again: the finished run is kept
// (its files untouched), the killed run starts over from its config.json and ends with the
// same metrics, and the tables are byte-identical to an uninterrupted protocol's.
func TestProtocolResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models")
	}
	body := protocolBody(t)
	full := t.TempDir()
	c := writeConfig(t, full, body)
	rep, err := Run(context.Background(), c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Protocol == nil || rep.Protocol.Runs != 4 {
		t.Fatalf("protocol report %+v: want 4 runs", rep.Protocol)
	}
	fullOut := filepath.Join(full, "out")

	part := t.TempDir()
	c = writeConfig(t, part, body)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &cancelAfter{marker: "protocol run 1/4 clean_resnet18_s1: finished", cancel: cancel}
	if _, err := Run(ctx, c, log); err == nil || !strings.Contains(err.Error(), "stopped before run 2/4") {
		t.Fatalf("cancelled after run 1: %v", err)
	}
	partOut := filepath.Join(part, "out")
	runs := filepath.Join(partOut, RunsDir)
	if _, err := os.Stat(filepath.Join(runs, "clean_resnet18_s2")); err == nil {
		t.Fatal("run 2 started after the cancel")
	}
	// Run 2 as a kill -9 during its first last/ write leaves it: config.json, epoch 1's
	// metrics line and best/, last/ without state.json, no report.
	killed := filepath.Join(runs, "clean_resnet18_s2")
	copyTree(t, filepath.Join(fullOut, RunsDir, "clean_resnet18_s2"), killed)
	for _, f := range []string{rundir.ReportFile, rundir.CurvesFile, "confusion_clean.png", "last/state.json"} {
		if err := os.Remove(filepath.Join(killed, f)); err != nil {
			t.Fatal(err)
		}
	}
	run1 := filepath.Join(runs, "clean_resnet18_s1")
	before := stamps(t, run1)
	time.Sleep(20 * time.Millisecond) // a rewrite would show in the mtimes
	c = writeConfig(t, part, body)
	if _, err := Run(context.Background(), c, io.Discard); err != nil {
		t.Fatal(err)
	}
	after := stamps(t, run1)
	for f, st := range before {
		if after[f] != st {
			t.Errorf("finished run 1 retrained: %s changed (%s -> %s)", f, st, after[f])
		}
	}
	if len(after) != len(before) {
		t.Errorf("run 1 had %d files, now %d", len(before), len(after))
	}
	a, _ := rundir.ReadMetrics(filepath.Join(fullOut, RunsDir, "clean_resnet18_s2"))
	b, _ := rundir.ReadMetrics(killed)
	if len(a) != 1 || len(b) != 1 || a[0].TrainLoss != b[0].TrainLoss || a[0].Sets["clean"].Acc != b[0].Sets["clean"].Acc {
		t.Fatalf("killed run resumed to other metrics: %+v vs %+v", a, b)
	}
	for _, f := range []string{TablesMarkdown, TablesJSON} {
		x, err1 := os.ReadFile(filepath.Join(fullOut, f))
		y, err2 := os.ReadFile(filepath.Join(partOut, f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs from the uninterrupted protocol's:\n%s\nvs\n%s", f, x, y)
		}
	}

	// The tables: mean and sample std over the two seeds of each run's best-epoch accuracy.
	var tf TablesFile
	if err := rundir.ReadJSON(filepath.Join(fullOut, TablesJSON), &tf); err != nil {
		t.Fatal(err)
	}
	if len(tf.Tables) != 1 || len(tf.Tables[0].Rows) != 1 || len(tf.Tables[0].Columns) != 2 {
		t.Fatalf("tables %+v: want one row and the columns Clean, FM (Occ has no subset)", tf.Tables)
	}
	tab := tf.Tables[0]
	if len(tab.Notes) != 1 || !strings.Contains(tab.Notes[0], "occ_subset") {
		t.Errorf("notes %q: want the left-out column", tab.Notes)
	}
	for _, cell := range tab.Rows[0].Cells {
		set := map[string]string{"Clean": "clean", "FM": "fm"}[cell.Column]
		var accs []float64
		for _, id := range cell.Runs {
			var r train.Report
			if err := rundir.ReadJSON(filepath.Join(fullOut, RunsDir, id, rundir.ReportFile), &r); err != nil {
				t.Fatal(err)
			}
			accs = append(accs, 100*r.Best[set].Acc)
		}
		mean := (accs[0] + accs[1]) / 2
		std := math.Abs(accs[0]-accs[1]) / math.Sqrt2
		if cell.Mean == nil || math.Abs(*cell.Mean-mean) > 1e-9 || math.Abs(*cell.Std-std) > 1e-9 {
			t.Errorf("%s: mean %v std %v, want %.4f ± %.4f from the runs' %v", cell.Column, cell.Mean, cell.Std, mean, std, accs)
		}
	}
	if p := tab.Rows[0].Cells[1].Paper; p == nil || *p != 77.87 {
		t.Errorf("FM paper number %v, want 77.87", p)
	}
	md, _ := os.ReadFile(filepath.Join(fullOut, TablesMarkdown))
	if !strings.Contains(string(md), "| resnet18 |") || !strings.Contains(string(md), "| 77.87 |") {
		t.Errorf("tables.md:\n%s", md)
	}
}

// stamps records each file's size and mtime under root.
func stamps(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = fmt.Sprintf("%s %d bytes", st.ModTime().Format(time.RFC3339Nano), st.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	for rel, data := range treeFiles(t, from) {
		p := filepath.Join(to, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The tables of a 2-seed matrix from given run results: mean and sample standard deviation
// per cell, n/a where a run lacks the set, the paper's number beside, rows over the lambda
// axis, and the sweep plot.
func TestTablesMeanStd(t *testing.T) {
	dir := t.TempDir()
	c := writeConfig(t, dir, `{"out": "o", "source": {"path": "data"},
	  "occlude": [{"name": "fm", "kind": "mask"}, {"name": "sg", "kind": "sunglasses"}],
	  "protocol": {"seeds": [1, 2], "tables": [
	    {"id": "fig5", "title": "Fig. 5: lambda", "lambda": [0.3, 0.6], "plot": "lambda",
	     "columns": [{"name": "FM_RAF-DB", "train": "fm"}, {"name": "SG_RAF-DB", "train": "sg"}],
	     "paper": [{"row": "λ=0.6", "column": "FM_RAF-DB", "value": 77.87, "source": "abstract"}]},
	    {"id": "t4", "title": "Table 4", "arch": ["resnet18", "ffra"], "labels": {"ffra": "FFRA-Net"},
	     "columns": [{"name": "FM_RAF-DB", "train": "fm"}]}]}}`)
	runs, err := c.Protocol.plan(c)
	if err != nil {
		t.Fatal(err)
	}
	// fig5: 2 lambdas x 2 sets x 2 seeds; t4 adds resnet18 on fm (ffra at 0.6 is fig5's).
	if len(runs) != 10 {
		var ids []string
		for _, r := range runs {
			ids = append(ids, r.ID)
		}
		t.Fatalf("%d runs %v, want 10", len(runs), ids)
	}
	acc := map[string]float64{
		"fm_ffra_weighted_l0.3_s1": 0.50, "fm_ffra_weighted_l0.3_s2": 0.70,
		"fm_ffra_weighted_l0.6_s1": 0.75, "fm_ffra_weighted_l0.6_s2": 0.75,
		"sg_ffra_weighted_l0.3_s1": 0.40, "sg_ffra_weighted_l0.3_s2": 0.45,
		"sg_ffra_weighted_l0.6_s1": 0.60, "sg_ffra_weighted_l0.6_s2": 0.80,
		"fm_resnet18_s1": 0.30, "fm_resnet18_s2": 0.20,
	}
	results := map[string]*train.Report{}
	for _, r := range runs {
		set := r.Train
		m := map[string]rundir.SetMetrics{set: {Acc: acc[r.ID]}}
		if r.ID == "fm_resnet18_s2" {
			m = map[string]rundir.SetMetrics{"other": {Acc: 0.9}} // lacks its set: left out
		}
		results[r.ID] = &train.Report{Best: m, Final: m}
	}
	tf, err := buildTables(c, runs, results)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		mean, std float64
		n         int
	}
	cases := []struct {
		table, row, col string
		want            want
	}{
		{"fig5", "λ=0.3", "FM_RAF-DB", want{60, 14.142135623730951, 2}},
		{"fig5", "λ=0.3", "SG_RAF-DB", want{42.5, 3.5355339059327378, 2}},
		{"fig5", "λ=0.6", "FM_RAF-DB", want{75, 0, 2}},
		{"fig5", "λ=0.6", "SG_RAF-DB", want{70, 14.142135623730951, 2}},
		{"t4", "resnet18", "FM_RAF-DB", want{30, 0, 1}},
		{"t4", "FFRA-Net", "FM_RAF-DB", want{75, 0, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.table+"/"+tc.row+"/"+tc.col, func(t *testing.T) {
			cell := findCell(t, tf, tc.table, tc.row, tc.col)
			if cell.Mean == nil || math.Abs(*cell.Mean-tc.want.mean) > 1e-9 || math.Abs(*cell.Std-tc.want.std) > 1e-9 || len(cell.Values) != tc.want.n {
				t.Errorf("cell %+v: want %.4f ± %.4f over %d", cell, tc.want.mean, tc.want.std, tc.want.n)
			}
		})
	}
	if p := findCell(t, tf, "fig5", "λ=0.6", "FM_RAF-DB").Paper; p == nil || *p != 77.87 {
		t.Errorf("paper number %v", p)
	}
	if p := findCell(t, tf, "fig5", "λ=0.3", "FM_RAF-DB").Paper; p != nil {
		t.Errorf("paper number %v where none was given", *p)
	}
	md := Markdown(tf)
	for _, s := range []string{"| λ=0.3 | 60.00 ± 14.14 (n=2) | n/a | 42.50 ± 3.54 (n=2) | n/a |",
		"| λ=0.6 | 75.00 ± 0.00 (n=2) | 77.87 | 70.00 ± 14.14 (n=2) | n/a |",
		"| resnet18 | 30.00 ± 0.00 (n=1) | n/a |", "| FFRA-Net | 75.00 ± 0.00 (n=2) | n/a |",
		"run fm_resnet18_s2 has no test set \"fm\"", "![Fig. 5: lambda](fig5.png)"} {
		if !strings.Contains(md, s) {
			t.Errorf("tables.md lacks %q:\n%s", s, md)
		}
	}
	out := t.TempDir()
	files, err := writeTables(out, tf)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(files, ",") != "tables.md,tables.json,fig5.png" {
		t.Errorf("files %v", files)
	}
	png, err := os.ReadFile(filepath.Join(out, "fig5.png"))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("fig5.png: %v", err)
	}
	var back TablesFile
	data, _ := os.ReadFile(filepath.Join(out, TablesJSON))
	if err := json.Unmarshal(data, &back); err != nil || len(back.Tables) != 2 {
		t.Errorf("tables.json: %v", err)
	}
}

func findCell(t *testing.T, tf *TablesFile, table, row, col string) CellOut {
	t.Helper()
	for _, tab := range tf.Tables {
		for _, r := range tab.Rows {
			for _, c := range r.Cells {
				if tab.ID == table && r.Label == row && c.Column == col {
					return c
				}
			}
		}
	}
	t.Fatalf("no cell %s / %s / %s", table, row, col)
	return CellOut{}
}

func TestProtocolConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for name, proto := range map[string]string{
		"no tables":       `{}`,
		"bad fusion":      `{"tables": [{"id": "a", "fusion": ["max"], "columns": [{"name": "C", "train": "clean"}]}]}`,
		"bad lambda":      `{"tables": [{"id": "a", "lambda": [1.5], "columns": [{"name": "C", "train": "clean"}]}]}`,
		"bad arch":        `{"tables": [{"id": "a", "arch": ["resnet34"], "columns": [{"name": "C", "train": "clean"}]}]}`,
		"unknown train":   `{"tables": [{"id": "a", "columns": [{"name": "C", "train": "fm"}]}]}`,
		"paper no cell":   `{"tables": [{"id": "a", "columns": [{"name": "C", "train": "clean"}], "paper": [{"row": "x", "column": "C", "value": 1, "source": "s"}]}]}`,
		"paper no source": `{"tables": [{"id": "a", "columns": [{"name": "C", "train": "clean"}], "paper": [{"row": "ffra", "column": "C", "value": 1}]}]}`,
		"bad setting":     `{"settings": {"epoch": 3}, "tables": [{"id": "a", "columns": [{"name": "C", "train": "clean"}]}]}`,
		"plot one lambda": `{"tables": [{"id": "a", "plot": "lambda", "columns": [{"name": "C", "train": "clean"}]}]}`,
		"dup seed":        `{"seeds": [1, 1], "tables": [{"id": "a", "columns": [{"name": "C", "train": "clean"}]}]}`,
		"subset no list":  `{"subsets": ["occ=clean"], "tables": [{"id": "a", "columns": [{"name": "C", "train": "clean"}]}]}`,
		"metric":          `{"metric": "worst", "tables": [{"id": "a", "columns": [{"name": "C", "train": "clean"}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
			os.WriteFile(p, []byte(`{"out": "o", "source": {"path": "x"}, "protocol": `+proto+`}`), 0o644)
			if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), p) {
				t.Errorf("err %v, want an error naming %s", err, p)
			}
		})
	}
}

// --data gives the dataset to a config that names none, and only to such a config; -o
// replaces "out"; --subset paths are relative to the working folder, the config's to its own.
func TestOverrides(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.json")
	os.WriteFile(p, []byte(`{"out": "o", "occlude": [{"name": "fm", "kind": "mask"}],
	  "protocol": {"subsets": ["occ=clean@lists/occ.txt"], "tables": [{"id": "a", "columns": [{"name": "C", "train": "clean"}, {"name": "O", "train": "clean", "test": "occ"}]}]}}`), 0o644)
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Fatalf("no source, no --data: %v", err)
	}
	c, err := LoadConfigWith(p, Overrides{Data: "/data/raf", Out: "/work/out", Epochs: 1, Limit: 50, Subsets: []string{"pose=fm@/l/pose.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.CleanDir() != "/data/raf" || c.Out != "/work/out" || c.SetDir("fm") != "/work/out/fm" {
		t.Errorf("clean %s out %s", c.CleanDir(), c.Out)
	}
	subs := c.Protocol.subsets
	if len(subs) != 2 || subs[0] != (train.SetSpec{Name: "occ", Path: "/data/raf", List: filepath.Join(dir, "lists/occ.txt")}) ||
		subs[1] != (train.SetSpec{Name: "pose", Path: "/work/out/fm", List: "/l/pose.txt"}) {
		t.Errorf("subsets %+v", subs)
	}
	runs, err := c.Protocol.plan(c)
	if err != nil || len(runs) != 1 || len(runs[0].Tests) != 1 || runs[0].Tests[0].Name != "occ" {
		t.Fatalf("runs %+v %v: want one run on clean evaluating occ", runs, err)
	}
	cfg, err := runs[0].runConfig(c)
	if err != nil || cfg.Epochs != 1 || cfg.Limit != 50 || cfg.Model.Variant != "ffra" || cfg.Seed != 1 {
		t.Errorf("run config epochs %d limit %d model %s seed %d (%v)", cfg.Epochs, cfg.Limit, cfg.Model.Variant, cfg.Seed, err)
	}
	os.WriteFile(p, []byte(`{"out": "o", "source": {"path": "x"}}`), 0o644)
	if _, err := LoadConfigWith(p, Overrides{Data: "/d"}); err == nil || !strings.Contains(err.Error(), "names its own dataset") {
		t.Errorf("--data over a config's source: %v", err)
	}
}
