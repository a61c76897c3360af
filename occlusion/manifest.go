package occlusion

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/occfer/occfer/dataset"
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

// readRecords reads a manifest or journal. A journal's last line may be torn by a crash (the
// process died mid-append), so a malformed final line is dropped; a malformed line elsewhere
// means the file is not ours and is an error. Later records for the same input win, which is
// how a journal records a retried item.
func readRecords(p string) (map[string]Record, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs := map[string]Record{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var bad []int
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil || r.In == "" {
			bad = append(bad, n)
			continue
		}
		if len(bad) > 0 {
			return nil, fmt.Errorf("%s:%d: not a manifest record", p, bad[0])
		}
		recs[r.In] = r
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(bad) > 1 {
		return nil, fmt.Errorf("%s:%d: not a manifest record", p, bad[0])
	}
	return recs, nil
}

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
