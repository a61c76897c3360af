package dataset

import (
	"fmt"
	"sort"
	"strings"
)

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
		groups[i].Count++
		if len(groups[i].Examples) < examples {
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
	if len(ps) == 1 {
		word = "problem"
	}
	return fmt.Sprintf("%d %s (%s); first: %s", len(ps), word, strings.Join(counts, ", "), strings.Join(first, "; "))
}
