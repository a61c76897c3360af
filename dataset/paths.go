package dataset

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/safepath"
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

// CheckOutput refuses an output folder that is the input folder or lies inside it, before
// anything is created; see safepath.CheckOutput, the one rule for outputs, which it calls.
func CheckOutput(in, out string) error {
	return safepath.CheckOutput(out, in)
}
