package occlusion

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewriteRecords decodes the JSON-lines file p, lets edit change each record (given as a
// generic map, so fields can be set to anything), and writes it back.
func rewriteRecords(t *testing.T, p string, edit func(i int, rec map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		edit(i, rec)
		b, _ := json.Marshal(rec)
		out.Write(append(b, '\n'))
	}
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A manifest or journal in OUT is read back like user input. A record whose "out" leaves OUT
// (with the sha256 of the file it names there, so a hash check alone would pass) is not kept
// by --resume: its image is redone and written in OUT, the manifest points inside OUT, and the
// record is reported. The same for a record whose mask leaves OUT, a record of another seed,
// and a journal (an interrupted run) holding such a record.
func TestResumeDistrustsRecordsLeavingOut(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	makeRAF(t, in, 4)
	// Each case's OUT is dir/out with a file dir/secret beside it: "../secret" from OUT names
	// it, and the records carry its true sha256.
	secret := []byte("contents of a file outside OUT")
	cfg := func(out string) Config {
		c := baseConfig(in, out, KindMask)
		c.WriteMasks = true
		return c
	}
	ref := filepath.Join(base, "ref")
	if _, err := Run(context.Background(), cfg(ref)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		journal bool // move the manifest to the journal, as an interrupted run leaves it
		edit    func(rec map[string]any)
		reason  string
	}{
		{"out leaves OUT", false, func(r map[string]any) { r["out"], r["sha256"] = "../secret", sha256Hex(secret) }, "../secret"},
		{"absolute out", false, func(r map[string]any) { r["out"], r["sha256"] = "ABS", sha256Hex(secret) }, "absolute"},
		{"mask leaves OUT", false, func(r map[string]any) { r["mask"] = "../secret" }, "mask"},
		{"out names another file", false, func(r map[string]any) { r["out"] = "EmoLabel/list_patition_label.txt" }, "out"},
		{"other seed", false, func(r map[string]any) { r["seed"] = 8 }, "seed"},
		{"journal: out leaves OUT", true, func(r map[string]any) { r["out"], r["sha256"] = "../secret", sha256Hex(secret) }, "../secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			copyTree(t, ref, out)
			writeFile(t, filepath.Join(dir, "secret"), secret)
			mpath := filepath.Join(out, ManifestFile)
			var victim string
			rewriteRecords(t, mpath, func(i int, r map[string]any) {
				if i == 1 {
					victim = r["in"].(string)
					tc.edit(r)
					if r["out"] == "ABS" {
						r["out"] = filepath.Join(dir, "secret")
					}
				}
			})
			if err := os.Remove(filepath.Join(out, victim)); err != nil {
				t.Fatal(err)
			}
			where := ManifestFile
			if tc.journal {
				where = filepath.Join(stateDir, "journal.jsonl")
				if err := os.Rename(mpath, filepath.Join(out, where)); err != nil {
					t.Fatal(err)
				}
			}
			c := cfg(out)
			c.Resume = true
			sum, err := Run(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Resumed != 3 || sum.Processed != 1 {
				t.Errorf("kept %d, redid %d; want the edited record redone (3 kept, 1 redone)", sum.Resumed, sum.Processed)
			}
			if len(sum.Untrusted) != 1 || sum.Untrusted[0].Code != CodeUntrustedRecord || sum.Untrusted[0].Item != victim ||
				sum.Untrusted[0].Line != 2 || !strings.HasSuffix(sum.Untrusted[0].Path, where) || !strings.Contains(sum.Untrusted[0].Reason, tc.reason) {
				t.Errorf("reported %v; want one untrusted record, %s:2, naming %q", sum.Untrusted, where, tc.reason)
			}
			sameTree(t, ref, out)
		})
	}
}

// Lines of a manifest that are not records, or records that are not ours, cost their item
// (redone) and are reported; they do not stop the resume.
func TestResumeRedoesUnreadableRecords(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	makeRAF(t, in, 3)
	ref := filepath.Join(base, "ref")
	if _, err := Run(context.Background(), baseConfig(in, ref, KindSunglasses)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "out")
	copyTree(t, ref, out)
	mpath := filepath.Join(out, ManifestFile)
	data, _ := os.ReadFile(mpath)
	lines := strings.SplitAfter(string(data), "\n")
	lines[0] = "this is not JSON\n"
	lines[1] = `{"in":"../../../../etc/passwd","out":"../../../../etc/passwd","status":"detected","action":"written","seed":7,"sha256":"00"}` + "\n"
	os.WriteFile(mpath, []byte(strings.Join(lines, "")), 0o644)
	c := baseConfig(in, out, KindSunglasses)
	c.Resume = true
	sum, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resumed != 1 || sum.Processed != 2 || len(sum.Untrusted) != 2 {
		t.Fatalf("kept %d, redid %d, reported %v; want 1 kept, 2 redone, 2 reported", sum.Resumed, sum.Processed, sum.Untrusted)
	}
	sameTree(t, ref, out)
}
