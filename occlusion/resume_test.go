package occlusion

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// interruptedRun starts a run and cancels it after `after` records, as Ctrl-C would.
func interruptedRun(t *testing.T, c Config, after int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	c.OnRecord = func(Record) {
		if n++; n == after {
			cancel()
		}
	}
	sum, err := Run(ctx, c)
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "can be resumed") {
		t.Fatalf("interrupted run returned %v, want ErrInterrupted saying it can be resumed", err)
	}
	if sum.Processed >= sum.Items {
		t.Fatalf("cancel came too late: %d of %d processed", sum.Processed, sum.Items)
	}
	if _, err := os.Stat(filepath.Join(c.Out, ManifestFile)); !os.IsNotExist(err) {
		t.Fatal("an interrupted run wrote a manifest")
	}
	for rel := range treeHashes(t, c.Out) {
		if strings.Contains(rel, dataset.TempPrefix) {
			t.Fatalf("temporary file left behind: %s", rel)
		}
	}
}

// A run cancelled midway and resumed ends with exactly the bytes of an uninterrupted run,
// even when the journal's last line was torn and a finished output was damaged meanwhile.
func TestResumeAfterInterrupt(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 12)
	tmp := t.TempDir()
	cfg := func(out string) Config {
		c := baseConfig(in, out, KindMask)
		c.WriteMasks = true
		return c
	}
	ref := filepath.Join(tmp, "ref")
	if _, err := Run(context.Background(), cfg(ref)); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(tmp, "out")
	interruptedRun(t, cfg(out), 3)
	jpath := filepath.Join(out, stateDir, "journal.jsonl")
	recs, _, err := readRecords(jpath)
	if err != nil || len(recs) < 3 {
		t.Fatalf("journal after interrupt: %d records, %v", len(recs), err)
	}
	// Damage: a torn final journal line (a crash mid-append) and an overwritten output.
	f, _ := os.OpenFile(jpath, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"in":"Image/aligned/train_000`)
	f.Close()
	damaged := recs[0].In
	writeFile(t, filepath.Join(out, damaged), []byte("not the image"))
	// and a stale temp file from a killed process
	writeFile(t, filepath.Join(out, "Image/aligned", dataset.TempPrefix+"x.jpg-123"), []byte("junk"))

	c := cfg(out)
	c.Resume = true
	sum, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resumed != len(recs)-1 || sum.Processed != 12-sum.Resumed {
		t.Fatalf("resume kept %d and processed %d; want %d kept (one damaged) and the rest processed", sum.Resumed, sum.Processed, len(recs)-1)
	}
	sameTree(t, ref, out)

	// Resuming a finished run changes nothing.
	sum, err = Run(context.Background(), c)
	if err != nil || sum.Processed != 0 || sum.Resumed != 12 {
		t.Fatalf("resume of a finished run: %+v, %v", sum, err)
	}
	sameTree(t, ref, out)
}

// Resuming with settings that change output bytes is refused, naming the setting.
func TestResumeRefusesOtherSettings(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 8)
	out := filepath.Join(t.TempDir(), "out")
	interruptedRun(t, baseConfig(in, out, KindMask), 2)
	c := baseConfig(in, out, KindMask)
	c.Resume, c.Seed = true, 99
	_, err := Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "seed was 7, now 99") {
		t.Fatalf("resume with another seed: %v", err)
	}
	// Worker count is not a setting: resuming with another one is fine.
	c.Seed, c.Workers = 7, 1
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// A new run (no Resume) into a finished output made with other settings is refused and
// leaves it as it was; one with the same settings redoes it to the same bytes.
func TestRerunRefusesOtherSettings(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 4)
	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindMask)
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	before := treeHashes(t, out)
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"other kind", func(c *Config) { c.Kind = KindSunglasses }, "kind was mask, now sunglasses"},
		{"other seed", func(c *Config) { c.Seed = 99 }, "seed was 7, now 99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig(in, out, KindMask)
			tc.edit(&c)
			_, err := Run(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "remove "+out+" first") {
				t.Fatalf("new run with other settings: %v; want a refusal naming %q", err, tc.want)
			}
			after := treeHashes(t, out)
			if len(after) != len(before) {
				t.Fatalf("OUT changed: %d files, was %d", len(after), len(before))
			}
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s changed", k)
				}
			}
		})
	}
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatalf("new run with the same settings: %v", err)
	}
	for k, v := range treeHashes(t, out) {
		if before[k] != v {
			t.Errorf("rerun with the same settings changed %s", k)
		}
	}
}
