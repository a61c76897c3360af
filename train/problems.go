package train

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/safepath"
)

// problemLine is one line of a problems file: the set and the problem.
type problemLine struct {
	Set string `json:"set"`
	dataset.Problem
}

// WriteProblems writes every problem of sets to path as JSON lines {"set", "path", "line",
// "code", "item", "reason"}, for ffra's --problems FILE: the full list that report.json and
// the log only count and sample. The sets should be loaded with DataOptions.AllProblems, or
// the list has the counting entries ("count") of a capped read. The file is written under a
// temporary name and renamed, and streamed, so a long list never sits in memory twice.
//
// Like every output, the file may not lie inside a set's dataset folder (safepath.CheckOutput):
// that is refused before anything is created.
func WriteProblems(path string, sets []*LoadedSet) (err error) {
	var inputs []string
	for _, s := range sets {
		if s.Ref.Path != "" {
			inputs = append(inputs, s.Ref.Path)
		}
	}
	if err := safepath.CheckOutput(path, inputs...); err != nil {
		return fmt.Errorf("problems file: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("problems file: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("problems file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, s := range sets {
		for _, p := range s.Problems {
			if err := enc.Encode(problemLine{Set: s.Ref.Name, Problem: p}); err != nil {
				return fmt.Errorf("problems file %s: %w", path, err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("problems file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("problems file %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("problems file %s: %w", path, err)
	}
	return nil
}
