package dataset

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/textfile"
)

// SubsetEntry is one line of a subset list.
type SubsetEntry struct {
	Name string   // the image as listed: a relative path or a stem, maybe with a label prefix
	Cols []string // the columns after the name (RAN lists: label and occlusion type, or "8" and type)
	Line int
}

// ReadSubsetList reads a subset list: one image per line, given as a relative path or a stem,
// optionally followed by columns. It accepts the forms of the lists published with the RAN
// paper (Wang et al. 2020) and plain name lists:
//
//	test_0001_aligned 3 1     stem, label (0-6), occlusion type   (Occlusion-RAF-DB)
//	3/test_0001_aligned.jpg   label folder / name                  (Pose-RAF-DB; its label file is not needed)
//	0/fer0032226.jpg          label folder / name                  (Pose-FERPlus)
//	1_fer0034656.png 8 0      label_name, 8, occlusion type        (Occlusion-FERPlus)
//	FER2013Test/fer0034656.png   a path relative to the dataset root
//
// Blank lines and lines starting with # are skipped; a BOM, CRLF and trailing blanks are
// accepted. A file that looks like a RAN label file ("1247 7" then one label per line) is
// refused: give the list file, whose names carry the labels.
func ReadSubsetList(p string) ([]SubsetEntry, error) {
	data, err := limits.ReadFile(p, limits.LabelFile, "subset list")
	if err != nil {
		return nil, fmt.Errorf("subset list: %w", err)
	}
	return parseSubsetList(p, data)
}

// parseSubsetList parses the subset list p whose content is data.
func parseSubsetList(p string, data []byte) ([]SubsetEntry, error) {
	var out []SubsetEntry
	for n, line := range textfile.Lines(data) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		out = append(out, SubsetEntry{Name: f[0], Cols: f[1:], Line: n})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("subset list %s: no names", p)
	}
	if looksLikeLabelFile(out) {
		return nil, fmt.Errorf("subset list %s: line 1 %s and single numbers below look like a RAN label file (count, classes, then one label per line); give the list file with the image names", p, limits.Excerpt(out[0].Name+" "+strings.Join(out[0].Cols, " ")))
	}
	return out, nil
}

func looksLikeLabelFile(es []SubsetEntry) bool {
	if len(es) < 2 || len(es[0].Cols) != 1 || !isDigits(es[0].Name) || !isDigits(es[0].Cols[0]) {
		return false
	}
	for _, e := range es[1:min(len(es), 10)] {
		if !isDigits(e.Name) || len(e.Cols) != 0 {
			return false
		}
	}
	return true
}

// digitPrefix matches RAN's "<label>_<name>" (1_fer0034656.png).
var digitPrefix = regexp.MustCompile(`^([0-9]+)_(.+)$`)

// matchKey is how a name is compared with item stems: without an image extension (so .jpg
// and .png match each other) and without RAF-DB's "_aligned" suffix.
func matchKey(name string) string {
	if IsImageName(name) {
		name = strings.TrimSuffix(name, path.Ext(name))
	}
	return strings.TrimSuffix(name, "_aligned")
}

// relKey is a relative path without its image extension.
func relKey(rel string) string {
	if IsImageName(rel) {
		return strings.TrimSuffix(rel, path.Ext(rel))
	}
	return rel
}

// splitPreference orders the candidates of a stem found in several splits: a subset is a
// test set, so the test split wins, then validation, then the unsplit tree, then train.
var splitPreference = map[string]int{"test": 0, "val": 1, "": 2, "train": 3}

// SelectSubset matches a subset list to d's items, in list order. The matching rule, per
// entry (docs/datasets-layouts.md):
//  1. the name as a path relative to the dataset root, image extension ignored;
//  2. else the name's last element, extension and "_aligned" ignored, against item stems
//     (likewise reduced); a digit-only folder in front of it is the list's label;
//  3. else, when that element is "<digits>_<rest>", rest against item stems, the digits the
//     list's label.
//
// A stem found in several splits takes the test split, then val, then the unsplit tree, then
// train; still several is an ambiguous name. Otherwise the list's label is its second column
// when that is a number. Entries that match no item (CodeListed), match several, list an
// image twice or an image without a usable label (CodeNoLabel) are Problems naming the list's
// file and line, and are left out. A list label that differs from the item's label (both as
// class indices in the dataset's order; RAN's lists use RAF-DB's 0-6 and FERPlus's 0-7, which
// are these layouts' orders) is a CodeLabelDiffers Problem; the item stays, with the
// dataset's label. Problems are capped as a label file's are: maxProblems of each code kept
// in full (DefaultMaxProblems; -1 keeps all), the rest counted.
func SelectSubset(d *Dataset, list string, maxProblems int) ([]Item, []Problem, error) {
	entries, err := ReadSubsetList(list)
	if err != nil {
		return nil, nil, err
	}
	byRel := map[string]int{}
	byStem := map[string][]int{}
	for i, it := range d.Items {
		byRel[relKey(it.Rel)] = i
		k := matchKey(path.Base(it.Rel))
		byStem[k] = append(byStem[k], i)
	}
	var items []Item
	probs := newProblemList(maxProblems)
	seen := map[int]int{}
	itemProblems := map[string]Problem{} // the dataset's first problem about each item
	for _, p := range d.Problems {
		if _, ok := itemProblems[p.Item]; p.Item != "" && !ok {
			itemProblems[p.Item] = p
		}
	}
	for _, e := range entries {
		bad := func(code, reason string) {
			probs.add(Problem{Path: list, Line: e.Line, Code: code, Reason: reason})
		}
		idx, listLabel, why := matchEntry(e, byRel, byStem, d.Items)
		if idx < 0 {
			code := CodeListed
			if strings.HasPrefix(why, "ambiguous") {
				code = CodeAmbiguous
			}
			bad(code, fmt.Sprintf("%s: %s", limits.Clip(e.Name), why))
			continue
		}
		it := d.Items[idx]
		if first, dup := seen[idx]; dup {
			bad(CodeDuplicate, fmt.Sprintf("%s is %s again (first on line %d)", limits.Clip(e.Name), it.Rel, first))
			continue
		}
		seen[idx] = e.Line
		if it.Label < 0 || it.Label >= len(d.Classes) {
			bad(CodeNoLabel, fmt.Sprintf("%s is %s, which has no usable label in the dataset%s", limits.Clip(e.Name), it.Rel, itemProblem(itemProblems, it.Rel)))
			continue
		}
		if listLabel >= 0 && listLabel != it.Label {
			probs.add(Problem{Path: list, Line: e.Line, Code: CodeLabelDiffers, Item: it.Rel,
				Reason: fmt.Sprintf("%s: the list says class %d, the dataset %d (%s); the dataset's label is used", limits.Clip(e.Name), listLabel, it.Label, d.Classes[it.Label])})
		}
		it.Source = list + ":" + strconv.Itoa(e.Line)
		items = append(items, it)
	}
	return items, probs.done(), nil
}

// matchEntry finds the item of one list entry (see SelectSubset), the list's label (-1: none)
// or why there is none.
func matchEntry(e SubsetEntry, byRel map[string]int, byStem map[string][]int, items []Item) (int, int, string) {
	rel, err := CleanRel(e.Name)
	if err != nil {
		return -1, -1, err.Error()
	}
	colLabel := -1
	if len(e.Cols) > 0 && isDigits(e.Cols[0]) {
		colLabel, _ = strconv.Atoi(e.Cols[0])
	}
	if i, ok := byRel[relKey(rel)]; ok {
		return i, colLabel, ""
	}
	dir, base := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	label := colLabel
	if isDigits(dir) {
		label, _ = strconv.Atoi(dir)
	}
	if cands := byStem[matchKey(base)]; len(cands) > 0 {
		i, why := pick(cands, items)
		return i, label, why
	}
	stems := matchKey(base)
	if m := digitPrefix.FindStringSubmatch(base); m != nil {
		if cands := byStem[matchKey(m[2])]; len(cands) > 0 {
			l, _ := strconv.Atoi(m[1])
			i, why := pick(cands, items)
			return i, l, why
		}
		stems += " or " + matchKey(m[2])
	}
	return -1, -1, fmt.Sprintf("no image of the dataset is %s or has the stem %s", limits.Clip(rel), limits.Clip(stems))
}

// pick chooses among items with the same stem by split preference.
func pick(cands []int, items []Item) (int, string) {
	best, n := -1, 0
	for _, c := range cands {
		switch {
		case best < 0 || splitPreference[items[c].Split] < splitPreference[items[best].Split]:
			best, n = c, 1
		case splitPreference[items[c].Split] == splitPreference[items[best].Split]:
			n++
		}
	}
	if n > 1 {
		var rels []string
		for _, c := range cands {
			rels = append(rels, items[c].Rel)
		}
		return -1, fmt.Sprintf("ambiguous: %d images share its stem (%s)", len(cands), capList(rels, 4))
	}
	return best, ""
}

// itemProblem returns " (<problem>)" of the dataset's problem about rel, or "".
func itemProblem(byItem map[string]Problem, rel string) string {
	if p, ok := byItem[rel]; ok {
		return " (" + p.String() + ")"
	}
	return ""
}
