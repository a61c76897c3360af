package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/occfer/occfer/model/ffranet"
)

// MinBackboneFraction is the share of the backbone's tensors a pretrained
// (ImportBackbone) file must provide unless Partial: below it the file is
// almost surely for another architecture or uses other names.
const MinBackboneFraction = 0.9

// ImportOptions select how a file's state_dict maps onto the model and what
// makes an import fail. Every mode strips DataParallel's "module." prefix and
// ignores BN's num_batches_tracked.
//
//   - Full (the zero value): strict. Every model variable must be in the file
//     with its shape, and the file may hold nothing else.
//   - Full + Partial: model variables may be missing (left at init), and the
//     file's classifier head is dropped when its shape differs or the model
//     lacks it (MS-Celeb's feature.*). Other names and shapes must fit.
//   - Backbone: a pretrained backbone (spec section 8; torchvision's ImageNet
//     files). The file's classifier head is dropped; the model's head and
//     FFRA module may stay at init; any other name the model lacks or any
//     shape that differs fails, and so does a file that provides fewer than
//     MinBackboneFraction of the backbone's variables.
//   - Backbone + Partial: load whatever fits by name and shape, report the
//     rest; only a file of which nothing loads fails.
type ImportOptions struct {
	Backbone bool
	Partial  bool
}

var (
	// ImportFull is the strict import of a complete state_dict of this architecture.
	ImportFull = ImportOptions{}
	// ImportBackbone is the pretrained-backbone rule.
	ImportBackbone = ImportOptions{Backbone: true}
)

// LoadReport says what a weight import did with each name.
type LoadReport struct {
	Loaded     []string `json:"loaded"`               // copied into the model
	Missing    []string `json:"missing"`              // model variables left at their initial values
	Ignored    []string `json:"ignored"`              // file entries not used, each "name (reason)"
	Unexpected []string `json:"unexpected,omitempty"` // file names the model has no variable for (also in Ignored)
	Mismatched []string `json:"mismatched,omitempty"` // "name: file [..], model [..]" (also in Ignored)
	// Backbone is the number of the model's backbone variables (all but the
	// classifier and the FFRA module), BackboneLoaded how many were loaded.
	Backbone       int `json:"backbone"`
	BackboneLoaded int `json:"backbone_loaded"`
}

func (r *LoadReport) String() string {
	return fmt.Sprintf("%d loaded, %d left at init, %d ignored", len(r.Loaded), len(r.Missing), len(r.Ignored))
}

// ImportError is an import that does not fit the model; it lists the
// problems (each list capped in the message; the full lists are fields).
type ImportError struct {
	Model      string // the variant the file was checked against
	Reason     string
	Report     *LoadReport
	Missing    []string
	Unexpected []string
	Mismatched []string
	Hint       string // e.g. a name prefix the file has and the model lacks
}

// listCap is how many names of each kind an ImportError message shows.
const listCap = 6

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "state_dict does not fit %s: %s", e.Model, e.Reason)
	for _, l := range []struct {
		what  string
		names []string
	}{{"with another shape", e.Mismatched}, {"unexpected (not in the model)", e.Unexpected}, {"missing from the file", e.Missing}} {
		if len(l.names) == 0 {
			continue
		}
		shown := l.names[:min(len(l.names), listCap)]
		fmt.Fprintf(&b, "; %d %s: %s", len(l.names), l.what, strings.Join(shown, ", "))
		if n := len(l.names) - len(shown); n > 0 {
			fmt.Fprintf(&b, ", ... and %d more", n)
		}
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// PlanImport checks a state_dict, given as its names and shapes, against
// cfg's architecture without building a model, with the rules of opts. It
// returns what LoadStateDict would load, or an *ImportError.
func PlanImport(cfg ffranet.Config, shapes map[string][]int64, opts ImportOptions) (*LoadReport, error) {
	specs, err := Spec(cfg)
	if err != nil {
		return nil, err
	}
	_, rep, err := planImport(cfg, specs, shapes, opts)
	return rep, err
}

// planImport maps file keys onto model variables: src[model name] = file key.
func planImport(cfg ffranet.Config, specs []VarSpec, shapes map[string][]int64, opts ImportOptions) (src map[string]string, rep *LoadReport, err error) {
	want := make(map[string][]int64, len(specs))
	for _, s := range specs {
		want[s.Name] = s.Shape
	}
	rep = &LoadReport{}
	src = map[string]string{}
	keys := make([]string, 0, len(shapes))
	for k := range shapes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	foreignHead := func(name string) bool { return !opts.Backbone && opts.Partial && isFileHead(cfg, name) }
	// model names the file holds with another shape: left at init like the missing
	// ones, but an error must not call them missing from the file
	reshaped := map[string]bool{}
	for _, key := range keys {
		name := modelName(key)
		got := shapes[key]
		switch shape, ok := want[name]; {
		case strings.HasSuffix(name, ".num_batches_tracked"):
			rep.Ignored = append(rep.Ignored, key+" (BN counter, ignored on import)")
		case opts.Backbone && isFileHead(cfg, name):
			rep.Ignored = append(rep.Ignored, key+" (pretrained head, dropped by the backbone loader)")
		case !ok && foreignHead(name):
			rep.Ignored = append(rep.Ignored, key+" (a head this model lacks, dropped)")
		case !ok:
			rep.Unexpected = append(rep.Unexpected, key)
			rep.Ignored = append(rep.Ignored, key+" (not in this model)")
		case !slices.Equal(shape, got) && foreignHead(name):
			rep.Ignored = append(rep.Ignored, fmt.Sprintf("%s (head of another size: file %v, model %v; dropped)", key, got, shape))
		case !slices.Equal(shape, got):
			rep.Mismatched = append(rep.Mismatched, fmt.Sprintf("%s: file %v, model %v", key, got, shape))
			reshaped[name] = true
			rep.Ignored = append(rep.Ignored, fmt.Sprintf("%s (shape: file %v, model %v)", key, got, shape))
		default:
			if prev, dup := src[name]; dup {
				return nil, nil, fmt.Errorf("state_dict holds %s twice (as %q and %q)", name, prev, key)
			}
			src[name] = key
		}
	}
	for _, s := range specs {
		back := isBackbone(cfg, s.Name)
		if back {
			rep.Backbone++
		}
		if _, ok := src[s.Name]; ok {
			rep.Loaded = append(rep.Loaded, s.Name)
			if back {
				rep.BackboneLoaded++
			}
		} else {
			rep.Missing = append(rep.Missing, s.Name)
		}
	}
	if err := judge(cfg, rep, opts, want, reshaped); err != nil {
		return nil, rep, err
	}
	return src, rep, nil
}

// judge applies opts' failure rules to a plan. reshaped holds the model names
// the file has with another shape (listed as such, not as missing).
func judge(cfg ffranet.Config, rep *LoadReport, opts ImportOptions, want map[string][]int64, reshaped map[string]bool) error {
	absent := func(keep func(string) bool) []string {
		var out []string
		for _, n := range rep.Missing {
			if !reshaped[n] && keep(n) {
				out = append(out, n)
			}
		}
		return out
	}
	e := &ImportError{Model: cfg.Variant, Report: rep}
	if e.Model == "" {
		e.Model = cfg.ArchName()
	}
	switch {
	case opts.Backbone && opts.Partial:
		if len(rep.Loaded) > 0 {
			return nil
		}
		e.Reason = "no tensor of the file fits the model"
		e.Unexpected, e.Mismatched = rep.Unexpected, rep.Mismatched
	case opts.Backbone:
		e.Unexpected, e.Mismatched = rep.Unexpected, rep.Mismatched
		frac := 1.0
		if rep.Backbone > 0 {
			frac = float64(rep.BackboneLoaded) / float64(rep.Backbone)
		}
		low := frac < MinBackboneFraction
		if len(e.Unexpected) == 0 && len(e.Mismatched) == 0 && !low {
			return nil
		}
		e.Reason = fmt.Sprintf("%d of the backbone's %d tensors load (%.0f%%, need %.0f%%)", rep.BackboneLoaded, rep.Backbone, 100*frac, 100*MinBackboneFraction)
		if low {
			e.Missing = absent(func(n string) bool { return isBackbone(cfg, n) })
		}
	default:
		e.Unexpected, e.Mismatched = rep.Unexpected, rep.Mismatched
		if !opts.Partial {
			e.Missing = absent(func(string) bool { return true })
		}
		if len(e.Unexpected) == 0 && len(e.Mismatched) == 0 && len(e.Missing) == 0 {
			return nil
		}
		e.Reason = fmt.Sprintf("%d of the model's %d tensors load", len(rep.Loaded), len(rep.Loaded)+len(rep.Missing))
	}
	e.Hint = prefixHint(rep.Unexpected, want)
	return e
}

// prefixHint names a leading name component that the file's unexpected
// entries share and whose removal would make them model names (a wrapper
// such as "encoder." or "backbone.").
func prefixHint(unexpected []string, want map[string][]int64) string {
	counts := map[string]int{}
	for _, k := range unexpected {
		head, rest, ok := strings.Cut(modelName(k), ".")
		if _, known := want[rest]; ok && known {
			counts[head+"."]++
		}
	}
	best, n := "", 0
	for p, c := range counts {
		if c > n || (c == n && p < best) {
			best, n = p, c
		}
	}
	if n == 0 || 2*n < len(unexpected) {
		return ""
	}
	return fmt.Sprintf("%d of the unexpected names are model names behind the prefix %q (re-save the state_dict without it)", n, best)
}
