package occlusion

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/safepath"
)

// ManifestFile is the manifest of a complete run at the output root.
const ManifestFile = "manifest.jsonl"

// stateDir holds a run's settings and in-progress journals under the output root. Dataset
// walks skip it, so an output tree can be the input of the next stage.
const stateDir = ".occfer"

// encodeManifest renders records sorted by input path, one JSON object per line. Sorting here
// (not in processing order) is what makes the manifest independent of workers and shards.
func encodeManifest(recs map[string]Record) ([]byte, error) {
	keys := make([]string, 0, len(recs))
	for k := range recs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	for _, k := range keys {
		line, err := json.Marshal(recs[k])
		if err != nil {
			return nil, fmt.Errorf("encode manifest record %s: %w", k, err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// lineRecord is a record with the line it was read from.
type lineRecord struct {
	Record
	Line int
}

// maxRecordLine bounds a manifest line: a record with many faces is a few KB.
const maxRecordLine = 16 << 20

// readRecords reads a manifest, journal or shard part: the records that pass Record.check, in
// file order, and a Problem (CodeUntrustedRecord, file:line) for every line that does not. A
// journal's last line may be torn by a crash (the process died mid-append), so a malformed
// final line is dropped silently. Everything read back from OUT is read like user input: a
// bad line costs its item (redone), never the run.
func readRecords(p string) ([]lineRecord, []dataset.Problem, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, bad, err := parseRecords(f, p)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", p, err)
	}
	return recs, bad, nil
}

// parseRecords is readRecords on any reader; name is the file named in problems.
func parseRecords(r io.Reader, name string) ([]lineRecord, []dataset.Problem, error) {
	var recs []lineRecord
	var bad []dataset.Problem
	var malformed *dataset.Problem // the last malformed line, reported unless it is the last line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxRecordLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if malformed != nil {
			bad = append(bad, *malformed)
			malformed = nil
		}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&rec); err != nil || dec.More() {
			reason := "not a manifest record"
			if err != nil {
				reason += ": " + err.Error()
			}
			malformed = &dataset.Problem{Path: name, Line: n, Code: CodeUntrustedRecord, Reason: reason}
			continue
		}
		if err := rec.check(); err != nil {
			bad = append(bad, dataset.Problem{Path: name, Line: n, Code: CodeUntrustedRecord, Item: safeItem(rec.In), Reason: err.Error()})
			continue
		}
		recs = append(recs, lineRecord{rec, n})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	return recs, bad, nil
}

// safeItem is rel for Problem.Item when it is a valid relative path, else "" (a hostile path
// is quoted in the reason instead).
func safeItem(rel string) string {
	if _, err := safepath.Rel(rel); err != nil {
		return ""
	}
	return rel
}

// check validates a record read back from OUT like user input: its input path is a clean
// path inside the input folder (safepath.Rel), and its output and mask are exactly the paths
// a run writes for that input (Out is In, Mask is occlusion_masks/<In>.png), so no record can
// name a file outside OUT or another file of it; action and hash are well formed.
func (r *Record) check() error {
	if _, err := safepath.Rel(r.In); err != nil {
		return fmt.Errorf("\"in\": %w", err)
	}
	if r.Status == "" {
		// Any other status is data, not a path: a new status of a later version stays valid.
		return fmt.Errorf("%s: no status", r.In)
	}
	if r.Out != "" {
		if _, err := safepath.Rel(r.Out); err != nil {
			return fmt.Errorf("%s: \"out\": %w", r.In, err)
		}
	}
	if r.Mask != "" {
		if _, err := safepath.Rel(r.Mask); err != nil {
			return fmt.Errorf("%s: \"mask\": %w", r.In, err)
		}
	}
	switch r.Action {
	case ActionWritten, ActionCopied:
		if r.Out != r.In {
			return fmt.Errorf("%s: \"out\" %q is not the output of this input (%s in OUT)", r.In, r.Out, r.In)
		}
		if len(r.SHA256) != 64 || strings.Trim(r.SHA256, "0123456789abcdef") != "" {
			return fmt.Errorf("%s: \"sha256\" %q is not a SHA-256 in hex", r.In, r.SHA256)
		}
	case ActionSkipped:
		if r.Out != "" || r.SHA256 != "" {
			return fmt.Errorf("%s: a skipped image with \"out\" %q", r.In, r.Out)
		}
	default:
		return fmt.Errorf("%s: unknown action %q", r.In, r.Action)
	}
	if r.Mask != "" && (r.Mask != maskRel(r.In) || r.Action != ActionWritten) {
		return fmt.Errorf("%s: \"mask\" %q is not the mask of this input (%s in OUT)", r.In, r.Mask, maskRel(r.In))
	}
	return nil
}

// maskRel is where the occlusion mask of input rel is written, relative to OUT.
func maskRel(rel string) string { return maskDir + "/" + rel + ".png" }

// journal appends records as items finish. Only the collector goroutine writes to it.
type journal struct {
	path string
	f    *os.File
	w    *bufio.Writer
}

// openJournal starts a journal holding exactly the records in keep (in rel order), replacing
// any previous journal atomically, then opens it for appending.
func openJournal(path string, keep map[string]Record) (*journal, error) {
	data, err := encodeManifest(keep)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create run state folder: %w", err)
	}
	if err := dataset.WriteFileAtomic(path, data); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &journal{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// append buffers one record and, with flush, writes the buffer out. Records are appended only
// after their output files exist, so a record on disk always follows its output file; records
// still buffered at a crash are only redone on resume. The collector flushes whenever no other
// record is waiting, so a busy run writes several records per system call.
func (j *journal) append(r Record, flush bool) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("journal %s: %w", r.In, err)
	}
	j.w.Write(line)
	j.w.WriteByte('\n')
	if flush || j.w.Available() < 8<<10 {
		if err := j.w.Flush(); err != nil {
			return fmt.Errorf("write journal %s: %w", j.path, err)
		}
	}
	return nil
}

func (j *journal) close() error {
	ferr := j.w.Flush()
	cerr := j.f.Close()
	if ferr != nil {
		return fmt.Errorf("write journal %s: %w", j.path, ferr)
	}
	if cerr != nil {
		return fmt.Errorf("close journal %s: %w", j.path, cerr)
	}
	return nil
}
