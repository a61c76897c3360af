package synth

import (
	"fmt"
	"os"
	"path/filepath"
)

// tempPrefix matches dataset.TempPrefix, so dataset walks skip synth's temporaries and
// dataset.RemoveTemps cleans them up too.
const tempPrefix = ".occfer-tmp-"

// writeFileAtomic mirrors dataset.WriteFileAtomic (not imported: dataset needs cgo). Readers
// and a resumed run see either no file or the complete file, never a torn one.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}
