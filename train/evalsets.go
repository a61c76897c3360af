package train

import (
	"context"
	"fmt"
	"slices"

	"github.com/occfer/occfer/dataset"
)

// EvalOptions configure EvaluateSets.
type EvalOptions struct {
	Data      DataOptions
	BatchSize int
}

// EvaluateSets loads each test set and evaluates the predictor on it (`ffra eval`).
func EvaluateSets(ctx context.Context, p *Predictor, specs []SetSpec, o EvalOptions) ([]*EvalResult, []*LoadedSet, error) {
	if !slices.Equal(p.Classes, dataset.ClassNames[:]) {
		return nil, nil, fmt.Errorf("checkpoint %s has classes %v; datasets are labelled %v", p.Path, p.Classes, dataset.ClassNames)
	}
	var out []*EvalResult
	var sets []*LoadedSet
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return nil, nil, fmt.Errorf("two test sets are named %q; name them with NAME=PATH", s.Name)
		}
		seen[s.Name] = true
		ls, err := LoadTest(ctx, s, o.Data)
		if err != nil {
			return nil, nil, err
		}
		checkClasses(o.Data.Log, ls)
		r, err := Evaluate(ctx, p.Model, ls.Set, EvalConfig{Size: p.Size, BatchSize: o.BatchSize, Workers: o.Data.Workers, Prefetch: 2})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
		sets = append(sets, ls)
	}
	return out, sets, nil
}
