package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// SummarySplits are the split names of a Summary, in order.
var SummarySplits = []string{"train", "val", "test"}

// ClassCounts are images per class of one split, in class order.
type ClassCounts struct {
	Classes []string
	N       []int
}

// MarshalJSON writes {"<class>": N, ...} in class order (a Go map would sort the keys).
func (c ClassCounts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range c.Classes {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		fmt.Fprintf(&b, ":%d", c.N[i])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Total is the number of images of the split.
func (c ClassCounts) Total() int {
	t := 0
	for _, n := range c.N {
		t += n
	}
	return t
}

// SplitCounts are class counts per split name.
type SplitCounts map[string]ClassCounts

// MarshalJSON writes the splits in the order train, val, test.
func (s SplitCounts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range SummarySplits {
		if i > 0 {
			b.WriteByte(',')
		}
		c, err := json.Marshal(s[name])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%q:%s", name, c)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Summary is what a tree is read as (`ffra data --json`): layout, class names in label order,
// labelled images per split and class, and the problems grouped by reason. Items of a layout
// without splits count as "test", the split ffra eval reads them as; items without a label
// are not counted (their Problems say why).
type Summary struct {
	Layout   string         `json:"layout"`
	Classes  []string       `json:"classes"`
	Splits   SplitCounts    `json:"splits"` // "train", "val", "test"
	Problems []ProblemGroup `json:"problems"`
}

// Describe summarises d, keeping up to examples problems of each reason.
func Describe(d *Dataset, examples int) Summary {
	s := Summary{Layout: string(d.Layout), Classes: append([]string{}, d.Classes...), Splits: SplitCounts{},
		Problems: GroupProblems(d.Problems, examples)}
	for _, name := range SummarySplits {
		s.Splits[name] = ClassCounts{Classes: s.Classes, N: make([]int, len(s.Classes))}
	}
	for _, it := range d.Items {
		if it.Label < 0 || it.Label >= len(s.Classes) {
			continue
		}
		split := it.Split
		if split == "" {
			split = "test"
		}
		s.Splits[split].N[it.Label]++
	}
	return s
}

// WriteText prints a summary for a terminal: the layout and class order, a table of images
// per class (rows) and split (columns), and the problems by reason with examples.
func WriteText(w io.Writer, d *Dataset, s Summary) error {
	fmt.Fprintf(w, "%s: %s layout, %d images, %d classes", d.Root, s.Layout, len(d.Items), len(s.Classes))
	if d.Order != "" {
		fmt.Fprintf(w, " (order: %s)", d.Order)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "class\t")
	for _, sp := range SummarySplits {
		fmt.Fprintf(tw, "%s\t", sp)
	}
	fmt.Fprintln(tw)
	for c, name := range s.Classes {
		fmt.Fprintf(tw, "%d %s\t", c, name)
		for _, sp := range SummarySplits {
			fmt.Fprintf(tw, "%d\t", s.Splits[sp].N[c])
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "total\t")
	for _, sp := range SummarySplits {
		fmt.Fprintf(tw, "%d\t", s.Splits[sp].Total())
	}
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(s.Problems) == 0 {
		_, err := fmt.Fprintln(w, "no problems")
		return err
	}
	var counts []string
	total := 0
	for _, g := range s.Problems {
		counts = append(counts, fmt.Sprintf("%d %s", g.Count, g.Code))
		total += g.Count
	}
	fmt.Fprintf(w, "%d problems: %s\n", total, strings.Join(counts, ", "))
	for _, g := range s.Problems {
		for _, e := range g.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
		if g.Count > len(g.Examples) {
			fmt.Fprintf(w, "  ... and %d more %s\n", g.Count-len(g.Examples), g.Code)
		}
	}
	return nil
}
