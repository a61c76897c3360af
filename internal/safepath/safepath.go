// Package safepath is occfer's one rule for the paths it reads and writes (issue 11):
//
//   - An input tree is read only through entries that resolve inside it. Walk lists its
//     regular files; a symbolic link is followed only when its target lies inside the tree
//     (relative or absolute, resolved with every link on the way), and is otherwise skipped and
//     reported with a reason code: CodeOutside for a target outside the tree, CodeLinkLoop
//     for a link that never resolves, CodeBrokenLink for a missing target, CodeDirLink for a
//     link to a folder (never followed, so every file is read once, through its real path).
//     One bad entry costs that entry alone; the walk goes on.
//   - An output folder (occlude OUT, a run folder, occfer's out) is never an input folder nor
//     inside one. CheckOutput says so before anything is created.
//   - Nothing is written outside an output tree: RemoveLinks deletes the links that a hand
//     edit left inside one (occfer never makes links), so that writing OUT/a/b cannot land
//     elsewhere.
//   - A relative path read back from a file of an output tree (a manifest's "out", a shard
//     part's "in") is validated like user input by Rel: no absolute path, no "..", no empty
//     or odd element; Within also resolves links on disk.
//
// The checks run when a tree is walked or an output claimed; a tree changed by another
// process while a run reads it (a link swapped in between) is outside what they guard against.
// Hard links cannot be told from files and are read as files.
package safepath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Reason codes of a skipped entry (dataset.Problem codes).
const (
	CodeOutside    = "outside-input"    // a link whose target lies outside the input tree
	CodeLinkLoop   = "link-loop"        // a link that never resolves (a loop, or too many links)
	CodeBrokenLink = "broken-link"      // a link whose target does not exist
	CodeDirLink    = "directory-link"   // a link to a folder inside the tree: not followed
	CodeNotFile    = "not-a-file"       // a device, pipe or socket
	CodeUnreadable = "unreadable-entry" // a folder that cannot be listed, an entry that cannot be examined
)

// Skip is an entry of an input tree that Walk did not list.
type Skip struct {
	Rel    string // slash path relative to the root
	Path   string // the entry on disk (root joined with Rel)
	Code   string // Code* constant
	Reason string // in words, with the link target when there is one
}

// WalkFilter says whether Walk leaves out an entry (rel: slash path from the root, dir: a real
// folder) without reporting it: hidden files, temporary files, side outputs of earlier runs.
// A folder left out is not descended into.
type WalkFilter func(rel, name string, dir bool) bool

// Walk lists the regular files of the tree at root as sorted slash paths relative to it,
// following the rule of the package: links are listed only when they resolve to a regular
// file inside the tree; every other link, and every entry that cannot be read, is returned in
// skipped, sorted by path. root itself may be a link (the user named it). The error is for a
// root that cannot be read at all.
func Walk(root string, leave WalkFilter) (files []string, skipped []Skip, err error) {
	real, err := realDir(root)
	if err != nil {
		return nil, nil, err
	}
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, werr error) error {
		rel, rerr := filepath.Rel(real, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if werr != nil {
			if rel == "." {
				return werr
			}
			skipped = append(skipped, Skip{Rel: rel, Path: filepath.Join(root, rel), Code: CodeUnreadable, Reason: werr.Error()})
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == "." {
			return nil
		}
		dir := d.IsDir()
		if leave != nil && leave(rel, d.Name(), dir) {
			if dir {
				return filepath.SkipDir
			}
			return nil
		}
		entry := filepath.Join(root, filepath.FromSlash(rel))
		switch {
		case dir:
		case d.Type().IsRegular():
			files = append(files, rel)
		case d.Type()&fs.ModeSymlink != 0:
			if s := checkLink(real, p); s != nil {
				s.Rel, s.Path = rel, entry
				skipped = append(skipped, *s)
			} else {
				files = append(files, rel)
			}
		default:
			skipped = append(skipped, Skip{Rel: rel, Path: entry, Code: CodeNotFile,
				Reason: fmt.Sprintf("not a regular file (%s)", d.Type())})
		}
		return nil
	})
	sort.Strings(files)
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Rel < skipped[j].Rel })
	if err != nil {
		return nil, nil, fmt.Errorf("walk %s: %w", root, err)
	}
	return files, skipped, nil
}

// checkLink returns why the link at p (inside the resolved root real) is not followed, or
// nil when it names a regular file inside the tree.
func checkLink(real, p string) *Skip {
	target, _ := os.Readlink(p)
	shown := "link"
	if target != "" {
		shown = "link to " + target
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "too many links"):
			return &Skip{Code: CodeLinkLoop, Reason: shown + ": a loop of links, never resolves"}
		case errors.Is(err, fs.ErrNotExist):
			return &Skip{Code: CodeBrokenLink, Reason: shown + ": the target does not exist"}
		}
		return &Skip{Code: CodeUnreadable, Reason: fmt.Sprintf("%s: %v", shown, err)}
	}
	if !inside(real, resolved) {
		return &Skip{Code: CodeOutside, Reason: fmt.Sprintf("%s: resolves to %s, outside the input folder", shown, resolved)}
	}
	st, err := os.Stat(resolved)
	switch {
	case err != nil:
		return &Skip{Code: CodeUnreadable, Reason: fmt.Sprintf("%s: %v", shown, err)}
	case st.IsDir():
		return &Skip{Code: CodeDirLink, Reason: shown + ": a link to a folder is not followed (its files are read through their own paths)"}
	case !st.Mode().IsRegular():
		return &Skip{Code: CodeNotFile, Reason: fmt.Sprintf("%s: not a regular file (%s)", shown, st.Mode().Type())}
	}
	return nil
}

// realDir resolves root (made absolute, links resolved) and checks that it is a folder.
func realDir(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a folder", root)
	}
	return real, nil
}

// inside reports whether the resolved path p is root or lies under it (both resolved).
func inside(root, p string) bool {
	return p == root || strings.HasPrefix(p, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator))
}

// Rel validates a slash path relative to a tree root, read from a file: not empty, not
// absolute, no "." or ".." element, no empty element, no backslash or NUL. It returns the
// path unchanged: a path that is not already clean is refused rather than repaired, since
// occfer writes only clean paths and anything else was edited.
func Rel(rel string) (string, error) {
	switch {
	case rel == "":
		return "", errors.New("empty path")
	case strings.ContainsAny(rel, "\\\x00"):
		return "", fmt.Errorf("path %q holds a backslash or NUL", rel)
	case path.IsAbs(rel) || filepath.IsAbs(rel):
		return "", fmt.Errorf("path %q is absolute", rel)
	}
	for _, part := range strings.Split(rel, "/") {
		switch part {
		case "..":
			return "", fmt.Errorf("path %q leaves its folder", rel)
		case "", ".":
			return "", fmt.Errorf("path %q is not clean (empty or '.' element)", rel)
		}
	}
	return rel, nil
}

// Within returns root joined with the relative slash path rel after checking rel (Rel) and
// that the file it names, links resolved, lies inside root and is a regular file. It is how
// a path read from a file (a manifest, a shard part) is opened in the tree it belongs to.
func Within(root, rel string) (string, error) {
	if _, err := Rel(rel); err != nil {
		return "", err
	}
	real, err := realDir(root)
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	resolved, err := filepath.EvalSymlinks(filepath.Join(real, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	if !inside(real, resolved) {
		return "", fmt.Errorf("%s resolves to %s, outside %s", p, resolved, root)
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", p)
	}
	return p, nil
}
