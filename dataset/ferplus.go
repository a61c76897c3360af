package dataset

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/textfile"
)

// FERPlusLabelFile is the label file in each FERPlus image folder.
const FERPlusLabelFile = "label.csv"

// ferPlusFolders are FERPlus's image folders and their splits: FER2013's Training, PublicTest
// and PrivateTest rows, as the FERPlus reference code's generate_training_data.py writes them.
var ferPlusFolders = [3]struct{ dir, split string }{
	{"FER2013Train", "train"}, {"FER2013Valid", "val"}, {"FER2013Test", "test"},
}

func ferPlusLabelPath(i int) string { return ferPlusFolders[i].dir + "/" + FERPlusLabelFile }

// ferPlusFolderOf returns the FERPlus folder index of a split, or -1.
func ferPlusFolderOf(split string) int {
	for i, f := range ferPlusFolders {
		if f.split == split {
			return i
		}
	}
	return -1
}

// ferPlusRow is one line of a label.csv: image name, face box and votes.
type ferPlusRow struct {
	name  string
	box   string
	votes FERPlusVotes
	line  int
}

// openFERPlus reads the FERPlus folder form: FER2013Train/ FER2013Valid/ FER2013Test/, each
// with label.csv lines `fer0000000.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0` (image, face box,
// ten votes). Labels follow opts.FERPlusMode on the train split and the majority rule on the
// others; images a rule drops stay items with Label -1 and a Problem naming the line.
func openFERPlus(root string, files []string, present map[string]bool, opts OpenOptions) (*Dataset, error) {
	d := &Dataset{Root: root, Layout: LayoutFERPlus, Classes: FERPlusClasses(opts.FERPlusClasses), Order: "ferplus"}
	listed := map[string]Item{}
	hasLabels := map[string]bool{}
	for i, f := range ferPlusFolders {
		lp := ferPlusLabelPath(i)
		if !present[lp] {
			continue
		}
		hasLabels[f.dir] = true
		abs := filepath.Join(root, filepath.FromSlash(lp))
		rows, probs, err := readFERPlusLabels(abs, opts.maxProblems())
		if err != nil {
			return nil, err
		}
		d.Problems = append(d.Problems, probs...)
		missing := newProblemList(opts.maxProblems())
		for _, r := range rows {
			rel := f.dir + "/" + r.name
			if !present[rel] {
				missing.add(Problem{Path: abs, Line: r.line, Code: CodeMissingImage,
					Reason: fmt.Sprintf("image %s listed in %s does not exist", limits.Clip(rel), lp)})
				continue
			}
			it := Item{Rel: rel, Abs: filepath.Join(root, filepath.FromSlash(rel)), Split: f.split, Aligned: true,
				Stem: strings.TrimSuffix(r.name, path.Ext(r.name)), Votes: r.votes[:], Source: abs + ":" + strconv.Itoa(r.line)}
			d.labelFERPlus(&it, r.votes, abs, r.line, opts)
			listed[rel] = it
		}
		d.Problems = append(d.Problems, missing.done()...)
	}
	for _, rel := range files {
		if !IsImageName(rel) {
			d.AuxFiles = append(d.AuxFiles, rel)
			continue
		}
		if it, ok := listed[rel]; ok {
			d.Items = append(d.Items, it)
			continue
		}
		it := Item{Rel: rel, Abs: filepath.Join(root, filepath.FromSlash(rel)), Label: -1, Aligned: true,
			Stem: strings.TrimSuffix(path.Base(rel), path.Ext(rel))}
		top := strings.SplitN(rel, "/", 2)[0]
		for _, f := range ferPlusFolders {
			if f.dir == top {
				it.Split = f.split
			}
		}
		reason := fmt.Sprintf("image %s is not in a FERPlus folder (%s, %s, %s)", rel, ferPlusFolders[0].dir, ferPlusFolders[1].dir, ferPlusFolders[2].dir)
		if it.Split != "" {
			reason = fmt.Sprintf("image %s is not listed in %s/%s", rel, top, FERPlusLabelFile)
			if !hasLabels[top] {
				reason = fmt.Sprintf("image %s: its folder has no %s", rel, FERPlusLabelFile)
			}
		}
		d.Problems = append(d.Problems, Problem{Path: it.Abs, Code: CodeUnlisted, Item: rel, Reason: reason})
		d.Items = append(d.Items, it)
	}
	return d, nil
}

// labelFERPlus sets it's label (and soft target) from its votes, or records why it has none.
func (d *Dataset) labelFERPlus(it *Item, votes FERPlusVotes, file string, line int, opts OpenOptions) {
	mode := ModeMajority
	if it.Split == "train" && opts.FERPlusMode != "" {
		mode = opts.FERPlusMode
	}
	c, target, code, reason := ferPlusLabel(votes, mode, len(d.Classes))
	it.Label, it.Target = c, target
	if code != "" {
		d.Problems = append(d.Problems, Problem{Path: file, Line: line, Code: code, Item: it.Rel,
			Reason: it.Stem + ": " + reason})
	}
}

// readFERPlusLabels parses a FERPlus label.csv. Lines that do not parse become Problems; a
// first line whose vote columns are not numbers is taken for a header.
func readFERPlusLabels(p string, maxProblems int) ([]ferPlusRow, []Problem, error) {
	data, err := limits.ReadFile(p, limits.LabelFile, "FERPlus label file")
	if err != nil {
		return nil, nil, fmt.Errorf("read FERPlus labels: %w", err)
	}
	return parseFERPlusLabels(p, data, maxProblems)
}

// parseFERPlusLabels parses the label.csv p whose content is data.
func parseFERPlusLabels(p string, data []byte, maxProblems int) ([]ferPlusRow, []Problem, error) {
	var rows []ferPlusRow
	probs := newProblemList(maxProblems)
	seen := map[string]int{}
	badLine := func(line int, reason string) {
		probs.add(Problem{Path: p, Line: line, Code: CodeBadLine, Reason: reason})
	}
	err := readCSV(p, data, func(line int, rec []string) {
		bad := func(code, reason string) {
			probs.add(Problem{Path: p, Line: line, Code: code, Reason: reason})
		}
		if len(rec) != 2+NumVotes {
			bad(CodeBadLine, fmt.Sprintf("want 12 columns (image, face box, 10 votes), got %d", len(rec)))
			return
		}
		votes, err := parseVotes(rec[2:])
		if err != nil {
			if line == 1 && len(rows) == 0 && len(probs.list) == 0 {
				return // a header line
			}
			bad(CodeBadLine, err.Error())
			return
		}
		name := strings.TrimSpace(rec[0])
		if _, err := CleanRel(name); err != nil || strings.ContainsAny(name, `/\`) || !IsImageName(name) {
			bad(CodeUnsafeName, fmt.Sprintf("image name %s rejected: want a plain image file name", limits.Excerpt(name)))
			return
		}
		if first, dup := seen[name]; dup {
			bad(CodeDuplicate, fmt.Sprintf("%s is listed again (first on line %d)", limits.Clip(name), first))
			return
		}
		seen[name] = line
		rows = append(rows, ferPlusRow{name: name, box: strings.TrimSpace(rec[1]), votes: votes, line: line})
	}, badLine)
	return rows, probs.done(), err
}

// parseVotes parses ten non-negative vote counts.
func parseVotes(fields []string) (FERPlusVotes, error) {
	var v FERPlusVotes
	for i, f := range fields {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return v, fmt.Errorf("vote column %d is %s, want a count >= 0", i+1, limits.Excerpt(f))
		}
		v[i] = n
	}
	return v, nil
}

// readCSV calls fn for each record of a CSV file with its line number. A UTF-8 byte-order
// mark is dropped; CRLF line ends, blank lines and lines of blanks are accepted. A malformed
// record (a stray quote) is passed to bad with its line, and reading goes on after it.
func readCSV(p string, data []byte, fn func(line int, rec []string), bad func(line int, reason string)) error {
	r := csv.NewReader(bytes.NewReader(textfile.StripBOM(data)))
	r.FieldsPerRecord = -1 // counted by the callers, for errors that name the line
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				// name the line the record starts on: an unclosed quote swallows the
				// lines after it, and encoding/csv reports where it noticed
				reason := pe.Err.Error()
				if pe.Line != pe.StartLine {
					reason = fmt.Sprintf("%s (a quoted field opened on this line runs on to line %d; the lines between are not read)", reason, pe.Line)
				}
				bad(pe.StartLine, reason)
				continue
			}
			return fmt.Errorf("read %s: %w", p, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := r.FieldPos(0)
		fn(line, rec)
	}
}
