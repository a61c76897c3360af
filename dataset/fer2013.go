package dataset

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/occfer/occfer/internal/limits"
)

// The CSV files of FER2013 (Kaggle, "Challenges in Representation Learning: Facial Expression
// Recognition Challenge", 2013) and of FERPlus's new labels.
const (
	FER2013CSV = "fer2013.csv"    // emotion,pixels,Usage: label 0-6, 48*48 gray values, split
	FERPlusCSV = "fer2013new.csv" // Usage,Image name,neutral,...,NF: same rows, same order
)

// fer2013Usage maps fer2013.csv's Usage column to a split.
var fer2013Usage = map[string]string{"Training": "train", "PublicTest": "val", "PrivateTest": "test"}

// fer2013Folders are the class folder names of FER2013's labels 0-6 in the Kaggle folder
// export (train/angry/...), the paths fer2013-csv items get and Export writes.
var fer2013Folders = [7]string{"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}

// fer2013Row is one image row of fer2013.csv.
type fer2013Row struct {
	emotion int
	split   string
	pix     *Gray
	line    int
}

// ferNewRow is one row of fer2013new.csv.
type ferNewRow struct {
	split string
	name  string // "" when the FERPlus authors dropped the image
	votes FERPlusVotes
	line  int
}

// openFER2013CSV reads fer2013.csv, with fer2013new.csv beside it when present. The images
// are decoded into memory (Item.Pixels); nothing is written into the tree. Item paths are
// those Export writes: FER2013Train/fer0000000.png (FERPlus's names) with FERPlus labels,
// else train/angry/fer0000000.png (split from Usage, folder from the FER2013 label).
func openFER2013CSV(root string, files []string, present map[string]bool, opts OpenOptions) (*Dataset, error) {
	csvPath := filepath.Join(root, FER2013CSV)
	rows, probs, err := readFER2013(csvPath, opts.maxProblems())
	if err != nil {
		return nil, err
	}
	d := &Dataset{Root: root, Layout: LayoutFER2013CSV, Problems: probs}
	for _, rel := range files {
		if !IsImageName(rel) {
			d.AuxFiles = append(d.AuxFiles, rel)
		}
	}
	if !present[FERPlusCSV] {
		order, _ := ParseClassOrder("fer2013")
		d.Classes, d.Order = order.Classes, order.Name
		for i, r := range rows {
			if r.pix == nil {
				continue
			}
			name := fmt.Sprintf("fer%07d.png", i)
			rel := r.split + "/" + fer2013Folders[r.emotion] + "/" + name
			d.Items = append(d.Items, Item{Rel: rel, Label: r.emotion, Split: r.split, Aligned: true,
				Stem: strings.TrimSuffix(name, ".png"), Pixels: r.pix, Source: csvPath + ":" + strconv.Itoa(r.line)})
		}
		sortItems(d.Items)
		return d, nil
	}
	newPath := filepath.Join(root, FERPlusCSV)
	votes, vprobs, err := readFERPlusNew(newPath, opts.maxProblems())
	if err != nil {
		return nil, err
	}
	if len(votes) != len(rows) {
		return nil, fmt.Errorf("open dataset %s: %s has %d image rows and %s %d; FERPlus's file must hold the same rows in the same order",
			root, FERPlusCSV, len(votes), FER2013CSV, len(rows))
	}
	d.Layout, d.Classes, d.Order = LayoutFERPlusCSV, FERPlusClasses(opts.FERPlusClasses), "ferplus"
	d.Problems = append(d.Problems, vprobs...)
	rowProbs := newProblemList(opts.maxProblems())
	for i, r := range rows {
		v := votes[i]
		if r.pix == nil || v.line == 0 { // a row already reported as a problem
			continue
		}
		if v.name == "" {
			rowProbs.add(Problem{Path: newPath, Line: v.line, Code: CodeFERPlusNoName,
				Reason: fmt.Sprintf("row %d (fer%07d) has no image name: the FERPlus authors dropped it", i, i)})
			continue
		}
		if v.split != r.split {
			rowProbs.add(Problem{Path: newPath, Line: v.line, Code: CodeUsage,
				Reason: fmt.Sprintf("%s is %s here but %s on line %d of %s; %s's split is used", limits.Clip(v.name), v.split, r.split, r.line, FER2013CSV, FER2013CSV)})
		}
		rel := ferPlusFolders[ferPlusFolderOf(r.split)].dir + "/" + v.name
		it := Item{Rel: rel, Split: r.split, Aligned: true, Stem: strings.TrimSuffix(v.name, filepath.Ext(v.name)),
			Votes: v.votes[:], Pixels: r.pix, Source: csvPath + ":" + strconv.Itoa(r.line)}
		d.labelFERPlus(&it, v.votes, newPath, v.line, opts)
		d.Items = append(d.Items, it)
	}
	d.Problems = append(d.Problems, rowProbs.done()...)
	sortItems(d.Items)
	return d, nil
}

// readFER2013 parses fer2013.csv. Rows that do not parse keep their place (pix nil) so that
// row i still pairs with row i of fer2013new.csv, and become Problems.
func readFER2013(p string, maxProblems int) ([]fer2013Row, []Problem, error) {
	data, err := limits.ReadFile(p, limits.DataCSV, "FER2013 CSV")
	if err != nil {
		return nil, nil, fmt.Errorf("read FER2013: %w", err)
	}
	return parseFER2013(p, data, maxProblems)
}

// parseFER2013 parses the fer2013.csv p whose content is data.
func parseFER2013(p string, data []byte, maxProblems int) ([]fer2013Row, []Problem, error) {
	var rows []fer2013Row
	probs := newProblemList(maxProblems)
	cols := [3]int{0, 1, 2} // emotion, pixels, Usage
	bad := func(line int, reason string) {
		probs.add(Problem{Path: p, Line: line, Code: CodeBadLine, Reason: reason})
	}
	err := readCSV(p, data, func(line int, rec []string) {
		if len(rows) == 0 && slices.ContainsFunc(rec, func(f string) bool { return strings.EqualFold(strings.TrimSpace(f), "pixels") }) {
			for i, name := range []string{"emotion", "pixels", "usage"} {
				cols[i] = -1
				for j, f := range rec {
					if strings.EqualFold(strings.TrimSpace(f), name) {
						cols[i] = j
					}
				}
				if cols[i] < 0 {
					bad(line, fmt.Sprintf("header has no %q column", name)) // name is one of ours
					cols[i] = i
				}
			}
			return
		}
		row := fer2013Row{line: line}
		defer func() { rows = append(rows, row) }()
		if len(rec) <= max(cols[0], cols[1], cols[2]) {
			bad(line, fmt.Sprintf("want 3 columns (emotion, pixels, Usage), got %d", len(rec)))
			return
		}
		e, err := strconv.Atoi(strings.TrimSpace(rec[cols[0]]))
		if err != nil || e < 0 || e >= len(fer2013Folders) {
			probs.add(Problem{Path: p, Line: line, Code: CodeUnknownLabel,
				Reason: fmt.Sprintf("emotion %s is not a FER2013 label (0..6)", limits.Excerpt(rec[cols[0]]))})
			return
		}
		usage := strings.TrimSpace(rec[cols[2]])
		split, ok := fer2013Usage[usage]
		if !ok {
			bad(line, fmt.Sprintf("Usage %s is not Training, PublicTest or PrivateTest", limits.Excerpt(usage)))
			return
		}
		pix, err := parsePixels(rec[cols[1]])
		if err != nil {
			bad(line, err.Error())
			return
		}
		row.emotion, row.split, row.pix = e, split, pix
	}, func(line int, reason string) {
		bad(line, reason)
		rows = append(rows, fer2013Row{line: line}) // keep the row's place
	})
	return rows, probs.done(), err
}

// parsePixels parses a square image of space-separated gray values (48*48 in FER2013).
func parsePixels(s string) (*Gray, error) {
	fields := strings.Fields(s)
	side := int(math.Round(math.Sqrt(float64(len(fields)))))
	if len(fields) == 0 || side*side != len(fields) {
		return nil, fmt.Errorf("pixels: %d values do not make a square image (FER2013: 2304 = 48x48)", len(fields))
	}
	g := &Gray{W: side, H: side, Pix: make([]uint8, len(fields))}
	for i, f := range fields {
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 || v > 255 {
			return nil, fmt.Errorf("pixels: value %d is %s, want 0..255", i, limits.Excerpt(f))
		}
		g.Pix[i] = uint8(v)
	}
	return g, nil
}

// readFERPlusNew parses fer2013new.csv (header "Usage,Image name,neutral,...,NF"). Rows that
// do not parse keep their place with line 0 and become Problems.
func readFERPlusNew(p string, maxProblems int) ([]ferNewRow, []Problem, error) {
	data, err := limits.ReadFile(p, limits.LabelFile, "FERPlus label file")
	if err != nil {
		return nil, nil, fmt.Errorf("read FERPlus labels: %w", err)
	}
	return parseFERPlusNew(p, data, maxProblems)
}

// parseFERPlusNew parses the fer2013new.csv p whose content is data.
func parseFERPlusNew(p string, data []byte, maxProblems int) ([]ferNewRow, []Problem, error) {
	var rows []ferNewRow
	probs := newProblemList(maxProblems)
	bad := func(line int, reason string) {
		probs.add(Problem{Path: p, Line: line, Code: CodeBadLine, Reason: reason})
	}
	err := readCSV(p, data, func(line int, rec []string) {
		if line == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "usage") {
			return
		}
		row := ferNewRow{}
		defer func() { rows = append(rows, row) }()
		if len(rec) != 2+NumVotes {
			bad(line, fmt.Sprintf("want 12 columns (Usage, Image name, 10 votes), got %d", len(rec)))
			return
		}
		split, ok := fer2013Usage[strings.TrimSpace(rec[0])]
		if !ok {
			bad(line, fmt.Sprintf("Usage %s is not Training, PublicTest or PrivateTest", limits.Excerpt(rec[0])))
			return
		}
		votes, err := parseVotes(rec[2:])
		if err != nil {
			bad(line, err.Error())
			return
		}
		name := strings.TrimSpace(rec[1])
		if name != "" {
			if _, err := CleanRel(name); err != nil || strings.ContainsAny(name, `/\`) || !IsImageName(name) {
				probs.add(Problem{Path: p, Line: line, Code: CodeUnsafeName,
					Reason: fmt.Sprintf("image name %s rejected: want a plain image file name", limits.Excerpt(name))})
				return
			}
		}
		row = ferNewRow{split: split, name: name, votes: votes, line: line}
	}, func(line int, reason string) {
		bad(line, reason)
		rows = append(rows, ferNewRow{}) // keep the row's place
	})
	return rows, probs.done(), err
}
