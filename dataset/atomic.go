package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
)

// TempPrefix starts the name of every temporary file that WriteFileAtomic creates; dataset
// walks skip such files, and a resumed run removes leftovers with RemoveTemps.
const TempPrefix = ".occfer-tmp-"

// WriteFileAtomic writes data to path through a temporary file in the same folder and a
// rename, so readers and resumed runs see either the old file or the complete new one, never
// a torn write. It is the module's one atomic writer: images, manifests, run files, model
// checkpoints and optimiser states all go through it. Parent folders are created; the file
// gets mode 0644 before umask. The file is not fsynced: the guarantee is against interrupted
// or crashed processes, which is what resume relies on, and fsync per image would cost more
// than the whole synthesis of a 100x100 crop. The temporary name comes from the process id
// and a counter, so the common case costs four system calls (open, write, close, rename);
// synthesis runs write thousands of small files and this is a visible share of them.
func WriteFileAtomic(path string, data []byte) error {
	f, tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
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

var tempCounter atomic.Uint64

// createTemp creates a new temporary file beside path (mode 0644 before umask), creating the
// folder only when the first attempt finds it missing.
func createTemp(path string) (*os.File, string, error) {
	dir, base := filepath.Split(path)
	for attempt := 0; ; attempt++ {
		tmp := filepath.Join(dir, fmt.Sprintf("%s%s-%d-%d", TempPrefix, base, os.Getpid(), tempCounter.Add(1)))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		switch {
		case err == nil:
			return f, tmp, nil
		case errors.Is(err, fs.ErrNotExist) && attempt == 0:
			if err := os.MkdirAll(filepath.Clean(dir), 0o755); err != nil {
				return nil, "", err
			}
		case errors.Is(err, fs.ErrExist) && attempt < 100:
			// A leftover of an earlier process with the same pid: take the next number.
		default:
			return nil, "", err
		}
	}
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
