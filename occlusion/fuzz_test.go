package occlusion

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/safepath"
)

// recordSeeds are manifest lines for the fuzz corpora: real records of each action, records
// that leave OUT, torn and junk lines.
var recordSeeds = []string{
	`{"in":"train/happy/a.jpg","out":"train/happy/a.jpg","status":"detected","action":"written","width":100,"height":100,"seed":1,"faces":[{"source":"detected","box":[1,2,3,4],"landmarks":[[1,2]],"coverage":{"face":0.5,"eyes":0,"mouth":1}}],"mask":"occlusion_masks/train/happy/a.jpg.png","sha256":"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"}`,
	`{"in":"b.png","out":"b.png","status":"no-face","action":"copied","seed":1,"sha256":"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"}`,
	`{"in":"c.jpg","status":"unreadable","action":"skipped","seed":1,"error":"not an image"}`,
	`{"in":"../../../../etc/passwd","out":"../../../../etc/passwd","status":"detected","action":"written","seed":1,"sha256":"00"}`,
	`{"in":"a.jpg","out":"/etc/hostname","status":"no-face","action":"copied","seed":1}`,
	`{"in":"a.jpg","out":"a.jpg","status":"detected","action":"written","seed":1,"mask":"../x.png","sha256":"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"}`,
	`{"in":"Image/aligned/train_000`,
	`{"in":"a.jpg"} trailing`,
	"not json",
	`{"in":"a\u0000b","status":"detected"}`,
}

// FuzzReadRecords: the manifest and journal reader (parseRecords) never panics, and whatever
// the bytes, every record it returns is valid (paths inside their trees, out and mask exactly
// those of its input), every rejected line is reported with its line number, and the records
// it returns read back unchanged from the manifest written from them.
func FuzzReadRecords(f *testing.F) {
	for _, s := range recordSeeds {
		f.Add([]byte(s + "\n"))
	}
	f.Add([]byte(strings.Join(recordSeeds, "\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, bad, err := parseRecords(bytes.NewReader(data), "manifest.jsonl")
		if err != nil {
			return // a line over maxRecordLine: the file is refused as a whole
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		byIn := map[string]Record{}
		for _, r := range recs {
			if err := r.check(); err != nil {
				t.Fatalf("line %d returned although invalid: %v", r.Line, err)
			}
			if _, err := safepath.Rel(r.In); err != nil || (r.Out != "" && r.Out != r.In) {
				t.Fatalf("line %d: in %q out %q", r.Line, r.In, r.Out)
			}
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("record line %d of %d", r.Line, lines)
			}
			byIn[r.In] = r.Record
		}
		for _, p := range bad {
			if p.Line < 1 || p.Line > lines || p.Code != CodeUntrustedRecord || p.Path != "manifest.jsonl" {
				t.Fatalf("problem %+v", p)
			}
		}
		enc, err := encodeManifest(byIn)
		if err != nil {
			t.Fatal(err)
		}
		again, bad2, err := parseRecords(bytes.NewReader(enc), "again")
		if err != nil || len(bad2) > 0 || len(again) != len(byIn) {
			t.Fatalf("re-read of the written manifest: %d records of %d, problems %v, %v", len(again), len(byIn), bad2, err)
		}
	})
}

// FuzzReadPart: the shard-part reader of merge (readPart) never panics and accepts only
// records of its own shard whose files are in OUT as recorded; here OUT holds one real output,
// so any accepted record is either that one or a skipped item of shard 1/2.
func FuzzReadPart(f *testing.F) {
	for _, s := range recordSeeds {
		f.Add([]byte(s + "\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out := t.TempDir()
		if err := os.WriteFile(filepath.Join(out, "b.png"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(out, "manifest.shard-1-of-2.jsonl")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s := Shard{I: 1, N: 2}
		recs, err := readPart(out, p, s)
		if err != nil {
			if !strings.Contains(err.Error(), "merge") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		for _, r := range recs {
			if !s.Selects(r.In) || r.check() != nil {
				t.Fatalf("accepted %+v", r)
			}
			if r.Action != ActionSkipped && (r.Out != "b.png" || r.SHA256 != sha256Hex([]byte("x"))) {
				t.Fatalf("accepted a record without its output: %+v", r)
			}
		}
	})
}
