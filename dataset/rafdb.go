package dataset

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/textfile"
)

// openRAF reads a RAF-DB basic tree: labels and the official split come from the label file,
// pixels from Image/aligned (100x100 pre-aligned crops) and/or Image/original. Label lines that
// cannot be used become Problems, so one bad line never hides the rest of the dataset.
func openRAF(root string, files []string, opts OpenOptions) (*Dataset, error) {
	labelPath := filepath.Join(root, filepath.FromSlash(RAFLabelFile))
	labels, problems, err := readRAFLabels(labelPath, opts.maxProblems())
	if err != nil {
		return nil, err
	}
	present := make(map[string]bool, len(files))
	hasAligned, hasOriginal := false, false
	for _, f := range files {
		present[f] = true
		hasAligned = hasAligned || strings.HasPrefix(f, "Image/aligned/")
		hasOriginal = hasOriginal || strings.HasPrefix(f, "Image/original/")
	}
	useAligned, useOriginal, err := rafFolders(opts.RAFImages, hasAligned, hasOriginal)
	if err != nil {
		return nil, fmt.Errorf("open dataset %s: %w", root, err)
	}
	d := &Dataset{Root: root, Layout: LayoutRAFDB, Classes: ClassNames[:], Order: "rafdb", Problems: problems}
	missing := newProblemList(opts.maxProblems())
	byRel := map[string]rafLabel{}
	for _, l := range labels {
		stem := strings.TrimSuffix(l.name, path.Ext(l.name))
		var wanted []string
		if useAligned {
			wanted = append(wanted, "Image/aligned/"+stem+"_aligned.jpg")
		}
		if useOriginal {
			wanted = append(wanted, "Image/original/"+l.name)
		}
		for _, rel := range wanted {
			if !present[rel] {
				missing.add(Problem{Path: labelPath, Line: l.line, Code: CodeMissingImage,
					Reason: fmt.Sprintf("image %s listed for %s does not exist", limits.Clip(rel), limits.Clip(l.name))})
				continue
			}
			byRel[rel] = l
		}
	}
	d.Problems = append(d.Problems, missing.done()...)
	for _, rel := range files {
		if !IsImageName(rel) {
			d.AuxFiles = append(d.AuxFiles, rel)
			continue
		}
		aligned := strings.HasPrefix(rel, "Image/aligned/")
		original := strings.HasPrefix(rel, "Image/original/")
		if (aligned && !useAligned) || (original && !useOriginal) {
			continue // the other image folder: neither processed nor copied
		}
		it := Item{Rel: rel, Abs: filepath.Join(root, filepath.FromSlash(rel)), Label: -1,
			Aligned: aligned || opts.Aligned}
		base := path.Base(rel)
		it.Stem = strings.TrimSuffix(strings.TrimSuffix(base, path.Ext(base)), "_aligned")
		if l, ok := byRel[rel]; ok {
			it.Label = l.class
			it.Source = labelPath + ":" + strconv.Itoa(l.line)
		}
		switch {
		case strings.HasPrefix(it.Stem, "train_"):
			it.Split = "train"
		case strings.HasPrefix(it.Stem, "test_"):
			it.Split = "test"
		}
		d.Items = append(d.Items, it)
	}
	sort.SliceStable(d.Problems, func(i, j int) bool { return d.Problems[i].Line < d.Problems[j].Line })
	return d, nil
}

func rafFolders(choice string, hasAligned, hasOriginal bool) (aligned, original bool, err error) {
	switch choice {
	case "":
		if hasAligned {
			return true, false, nil
		}
		return false, true, nil
	case "aligned":
		return true, false, nil
	case "original":
		return false, true, nil
	case "both":
		return true, true, nil
	}
	return false, false, fmt.Errorf("unknown RAF-DB image folder %q (want aligned, original or both)", choice)
}

type rafLabel struct {
	name  string // file name as in the label file, e.g. "train_00001.jpg"
	class int
	line  int
}

// readRAFLabels parses list_patition_label.txt ("train_00001.jpg 5" per line). Lines with an
// unknown label, an unsafe or nested name, or a duplicate name become Problems.
func readRAFLabels(p string, maxProblems int) ([]rafLabel, []Problem, error) {
	data, err := limits.ReadFile(p, limits.LabelFile, "label file")
	if err != nil {
		return nil, nil, fmt.Errorf("read label file: %w", err)
	}
	labels, problems := parseRAFLabels(p, data, maxProblems)
	return labels, problems, nil
}

// parseRAFLabels parses the label file p whose content is data.
func parseRAFLabels(p string, data []byte, maxProblems int) ([]rafLabel, []Problem) {
	var labels []rafLabel
	problems := newProblemList(maxProblems)
	seen := map[string]int{}
	for n, line := range textfile.Lines(data) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		bad := func(code, reason string) {
			problems.add(Problem{Path: p, Line: n, Code: code, Reason: reason})
		}
		if len(fields) != 2 {
			bad(CodeBadLine, fmt.Sprintf("want \"<image> <label>\" (2 columns), got %d columns: %s", len(fields), limits.Excerpt(line)))
			continue
		}
		name := fields[0]
		if _, err := CleanRel(name); err != nil || strings.Contains(name, "/") || strings.Contains(name, "\\") {
			bad(CodeUnsafeName, fmt.Sprintf("image name %s rejected: it must be a plain file name inside the dataset", limits.Excerpt(name)))
			continue
		}
		class, err := parseRAFLabel(fields[1])
		if err != nil {
			bad(CodeUnknownLabel, err.Error())
			continue
		}
		if first, dup := seen[name]; dup {
			bad(CodeDuplicate, fmt.Sprintf("%s is listed again (first on line %d)", limits.Clip(name), first))
			continue
		}
		seen[name] = n
		labels = append(labels, rafLabel{name: name, class: class, line: n})
	}
	return labels, problems.done()
}
