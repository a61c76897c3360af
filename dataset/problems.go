package dataset

import (
	"fmt"
	"sort"
	"strings"
)

// DefaultMaxProblems is how many problems of one code a label file keeps in full; the others
// are counted in one Problem (Count) per file and code. Their number grows with the file,
// each costs about 200 bytes and reports show a few examples of each code anyway, so a
// broken or hostile file of millions of lines costs a counter, not millions of messages.
const DefaultMaxProblems = 100

// problemKey is a (file, code) pair.
type problemKey struct{ path, code string }

// problemList collects the problems of a read: each is counted, the first max of each file
// and code kept in full (max < 0: all).
type problemList struct {
	max   int
	list  []Problem
	kept  map[problemKey]int
	extra map[problemKey]*Problem
	order []problemKey
}

func newProblemList(max int) *problemList {
	return &problemList{max: max, kept: map[problemKey]int{}, extra: map[problemKey]*Problem{}}
}

func (l *problemList) add(p Problem) {
	k := problemKey{p.Path, p.Code}
	if l.max < 0 || l.kept[k] < l.max {
		l.kept[k]++
		l.list = append(l.list, p)
		return
	}
	e, ok := l.extra[k]
	if !ok {
		e = &Problem{Path: p.Path, Line: p.Line, Code: p.Code}
		l.extra[k] = e
		l.order = append(l.order, k)
	}
	e.Count += p.Weight()
}

// done returns the kept problems, then one counting Problem per file and code with more.
func (l *problemList) done() []Problem {
	out := l.list
	for _, k := range l.order {
		e := *l.extra[k]
		where := "from this line on"
		if e.Line == 0 {
			where = "in this file"
		}
		e.Reason = fmt.Sprintf("%d more %s problems %s, counted but not listed one by one", e.Count, e.Code, where)
		out = append(out, e)
	}
	return out
}

// ProblemGroup counts the problems of one code, with the first few as examples.
type ProblemGroup struct {
	Code     string   `json:"code"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"` // Problem.String() of the first ones, file:line first
}

// GroupProblems counts problems by code (largest group first, ties by code) and keeps up to
// examples of each. Problems without a code are grouped under "other".
func GroupProblems(ps []Problem, examples int) []ProblemGroup {
	idx := map[string]int{}
	var groups []ProblemGroup
	for _, p := range ps {
		code := p.Code
		if code == "" {
			code = "other"
		}
		i, ok := idx[code]
		if !ok {
			i = len(groups)
			idx[code] = i
			groups = append(groups, ProblemGroup{Code: code, Examples: []string{}})
		}
		groups[i].Count += p.Weight()
		if p.Count <= 1 && len(groups[i].Examples) < examples {
			groups[i].Examples = append(groups[i].Examples, p.String())
		}
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].Count != groups[j].Count {
			return groups[i].Count > groups[j].Count
		}
		return groups[i].Code < groups[j].Code
	})
	return groups
}

// ProblemDigest summarises problems in one line for an error message: the count per code and
// the first n problems with file and line, e.g. "3 problems (2 bad-line, 1 missing-image);
// first: labels.txt:1: ...".
func ProblemDigest(ps []Problem, n int) string {
	if len(ps) == 0 {
		return "no problems"
	}
	total := 0
	for _, p := range ps {
		total += p.Weight()
	}
	var counts []string
	for _, g := range GroupProblems(ps, 0) {
		counts = append(counts, fmt.Sprintf("%d %s", g.Count, g.Code))
	}
	var first []string
	for i, p := range ps {
		if i == n {
			first = append(first, "...")
			break
		}
		first = append(first, p.String())
	}
	word := "problems"
	if total == 1 {
		word = "problem"
	}
	return fmt.Sprintf("%d %s (%s); first: %s", total, word, strings.Join(counts, ", "), strings.Join(first, "; "))
}
