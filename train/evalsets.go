package train

import (
	"context"
	"fmt"
)

// EvalOptions configure EvaluateSets.
type EvalOptions struct {
	Data      DataOptions
	BatchSize int
}

// EvaluateSets loads each test set and evaluates the predictor on it (`ffra eval`). Test
// labels are mapped to the checkpoint's classes by name; a set with images of a class the
// checkpoint lacks is an error naming the class.
func EvaluateSets(ctx context.Context, p *Predictor, specs []SetSpec, o EvalOptions) ([]*EvalResult, []*LoadedSet, error) {
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
		if err := mapClasses(ls, p.Classes, "checkpoint "+p.Path); err != nil {
			return nil, nil, err
		}
		checkClasses(o.Data.Log, ls)
		r, err := Evaluate(ctx, p.Model, ls.Set, EvalConfig{Size: p.Size, BatchSize: o.BatchSize, Workers: o.Data.Workers, Prefetch: 2, Classes: p.Classes})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
		sets = append(sets, ls)
	}
	return out, sets, nil
}
