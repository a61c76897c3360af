package safepath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// CheckOutput refuses an output folder that is one of the input folders or lies inside one:
// a run never writes into its input tree, and an output inside the input would be read back
// as input by the next run. Call it before creating anything. Links are resolved on both
// sides (in the longest existing prefix of a folder not yet created), so an alias of the
// input is caught too. An input that is a file stands for its folder.
func CheckOutput(out string, inputs ...string) error {
	outAbs, err := resolveExisting(out)
	if err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	for _, in := range inputs {
		if in == "" {
			continue
		}
		inAbs, err := resolveExisting(in)
		if err != nil {
			return fmt.Errorf("input %s: %w", in, err)
		}
		if st, err := os.Stat(inAbs); err == nil && !st.IsDir() {
			inAbs = filepath.Dir(inAbs)
		}
		if outAbs == inAbs {
			return fmt.Errorf("output folder %s is the input folder: choose a folder outside the input", out)
		}
		if inside(inAbs, outAbs) {
			return fmt.Errorf("output folder %s is inside the input folder %s: choose a folder outside the input", out, in)
		}
	}
	return nil
}

// resolveExisting makes p absolute and resolves links in its longest existing prefix, so
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
			return filepath.Join(append([]string{resolved}, missing...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
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

// Link is a symbolic link that RemoveLinks deleted.
type Link struct {
	Rel    string // slash path relative to the output root
	Target string // what it pointed to
}

func (l Link) String() string { return l.Rel + " -> " + l.Target }

// RemoveLinks deletes every symbolic link under the output tree root (not root itself, which
// the user named) and returns them sorted by path. occfer never makes links in its
// outputs, so a link there is a hand edit, and writing through it (OUT/train/x.jpg with
// OUT/train a link) would land outside the tree; removing a link never touches its target.
// Folders under keep (input trees that lie inside the output) are left alone. A missing root
// is no error.
func RemoveLinks(root string, keep ...string) ([]Link, error) {
	var keepAbs []string
	for _, k := range keep {
		if k == "" {
			continue
		}
		a, err := resolveExisting(k)
		if err != nil {
			return nil, err
		}
		keepAbs = append(keepAbs, a)
	}
	var removed []Link
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if p == root {
			return nil
		}
		if d.IsDir() && len(keepAbs) > 0 {
			a, err := resolveExisting(p)
			if err != nil {
				return err
			}
			for _, k := range keepAbs {
				if a == k {
					return filepath.SkipDir
				}
			}
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, _ := os.Readlink(p)
		if err := os.Remove(p); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		removed = append(removed, Link{Rel: filepath.ToSlash(rel), Target: target})
		return nil
	})
	sort.Slice(removed, func(i, j int) bool { return removed[i].Rel < removed[j].Rel })
	if err != nil {
		return removed, fmt.Errorf("output %s: remove links: %w", root, err)
	}
	return removed, nil
}
