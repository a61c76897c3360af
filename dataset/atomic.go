package dataset

import (
	"fmt"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file that WriteFileAtomic creates; dataset
// walks skip such files, and a resumed run removes leftovers with RemoveTemps.
const TempPrefix = ".occfer-tmp-"

// WriteFileAtomic writes data to path through a temporary file in the same folder and a
// rename, so readers and resumed runs see either the old file or the complete new one, never
// a torn write. Parent folders are created. The file is not fsynced: the guarantee is against
// interrupted or crashed processes, which is what resume relies on, and fsync per image would
// cost more than the whole synthesis of a 100x100 crop.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, TempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
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

// RemoveTemps deletes temporary files that an interrupted run left under root and returns how
// many it removed.
func RemoveTemps(root string) (int, error) {
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() && isTempName(d.Name()) {
			if err := os.Remove(p); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("remove temporary files under %s: %w", root, err)
	}
	return n, nil
}

func isTempName(name string) bool {
	return len(name) >= len(TempPrefix) && name[:len(TempPrefix)] == TempPrefix
}
