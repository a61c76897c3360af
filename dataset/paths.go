package dataset

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/internal/limits"
)

// CleanRel validates a slash-separated path relative to a dataset root. It rejects absolute
// paths and any path that climbs out of the root, so a hostile label file cannot make a run
// read or write outside the trees it was given.
func CleanRel(rel string) (string, error) {
	if rel == "" {
		return "", fmt.Errorf("empty path")
	}
	if strings.ContainsRune(rel, '\\') {
		rel = strings.ReplaceAll(rel, "\\", "/")
	}
	if path.IsAbs(rel) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("path %s is absolute", limits.Excerpt(rel))
	}
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return "", fmt.Errorf("path %s leaves the dataset folder", limits.Excerpt(rel))
		}
	}
	return path.Clean(rel), nil
}

// CheckOutput refuses an output folder that is the input folder or lies inside it: a run must
// never write into its input tree, and an output inside the input would be read back as input
// by the next run. Symlinks are resolved so an alias of the input is caught too.
func CheckOutput(in, out string) error {
	inAbs, err := resolveExisting(in)
	if err != nil {
		return fmt.Errorf("input %s: %w", in, err)
	}
	if st, err := os.Stat(inAbs); err == nil && !st.IsDir() {
		inAbs = filepath.Dir(inAbs)
	}
	outAbs, err := resolveExisting(out)
	if err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	if outAbs == inAbs {
		return fmt.Errorf("output folder %s is the input folder: choose a folder outside the input", out)
	}
	if strings.HasPrefix(outAbs, inAbs+string(filepath.Separator)) {
		return fmt.Errorf("output folder %s is inside the input folder %s: choose a folder outside the input", out, in)
	}
	return nil
}

// resolveExisting makes p absolute and resolves symlinks in its longest existing prefix, so
// that a not-yet-created output folder is compared on the same footing as the input.
func resolveExisting(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var missing []string
	cur := abs
	for {
		resolved, err := filepath.EvalSymlinks(cur)
		if err == nil {
			parts := append([]string{resolved}, missing...)
			return filepath.Join(parts...), nil
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		missing = append([]string{filepath.Base(cur)}, missing...)
		cur = parent
	}
}
