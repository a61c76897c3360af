package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/occfer/occfer/model/ffranet"
	"github.com/occfer/occfer/train"
)

// ProtocolStep is the "protocol" section of a pipeline config: many training runs, a matrix
// over architecture, training set (the variant: clean, or an occlude step's FM / SG / random
// set), fusion, lambda and seed, laid out as the FFRA-Net paper's tables (Chen et al. 2023,
// Front. Neurorobot. 17:1250706: Tables 1-5, Fig. 5). Each run is its own run folder
// OUT/runs/<id> that resumes and is kept when finished; the tables land in OUT/tables.md,
// OUT/tables.json and one PNG per plotted table. The dataset itself is the config's source
// (or occlude steps made from it): one config per dataset (configs/paper-rafdb.json,
// configs/paper-ferplus.json).
type ProtocolStep struct {
	// Seeds of every run (default: the config's seed); each cell is the mean ± sample
	// standard deviation over them.
	Seeds []uint64 `json:"seeds,omitempty"`
	// Subsets are extra test sets "NAME=SET@LIST" (train.ParseSetSpec), SET a dataset of the
	// pipeline ("clean" or an occlude step) or a folder, LIST a subset list (RAN's
	// Occlusion- and Pose-RAF-DB / -FERPlus lists). A run evaluates every subset of the set
	// it trains on; a table column that names a subset nobody gave is left out, with a note.
	Subsets []string `json:"subsets,omitempty"`
	// Metric is "best" (default: accuracy at the epoch best/ holds, as the paper's lineage
	// reports) or "final" (after the last epoch).
	Metric string `json:"metric,omitempty"`
	// Settings are fields of every run's config.json (train/rundir.Config: epochs,
	// batch_size, model.input_size, optim, augment, labels, runtime, ...) over the paper's
	// defaults; a table's own Settings go on top. The model's architecture, fusion and lambda
	// come from the tables' axes.
	Settings json.RawMessage `json:"settings,omitempty"`
	Tables   []TableSpec     `json:"tables"`

	subsets []train.SetSpec // parsed Subsets (+ --subset), paths resolved
}

// TableSpec is one table of the protocol: its rows are the product of the Arch, Fusion and
// Lambda axes, its columns name a training set and a test set; each cell is the test set's
// accuracy of the run with the row's model trained on the column's set, over the seeds.
type TableSpec struct {
	ID    string `json:"id"`    // file-safe name: tables.json key, <id>.png
	Title string `json:"title"` // e.g. "Table 1: fusion methods"
	// Arch lists the models (ffranet.ConfigFor names: ffra, resnet18, resnet50, vgg16,
	// mobilenet_v2 and the ablations ffra-ms, ffra-la, ...). Default: ffra.
	Arch []string `json:"arch,omitempty"`
	// Fusion (weighted | add | concat) and Lambda apply to models with both FFRA branches;
	// empty keeps the model's own (weighted, 0.6).
	Fusion []string  `json:"fusion,omitempty"`
	Lambda []float64 `json:"lambda,omitempty"`
	// Labels rename row values in the output (e.g. "ffra-ms": "MS only").
	Labels  map[string]string `json:"labels,omitempty"`
	Columns []ColumnSpec      `json:"columns"`
	// Plot draws the table as a sweep (train/plot.Sweep) over the named axis ("lambda"):
	// one series per column, mean ± std over seeds, the paper's numbers as stars.
	Plot string `json:"plot,omitempty"`
	// Paper holds the published numbers, each with where it was read.
	Paper    []PaperCell     `json:"paper,omitempty"`
	Settings json.RawMessage `json:"settings,omitempty"`
}

// ColumnSpec is a table column: the runs train on Train and are scored on Test.
type ColumnSpec struct {
	Name  string `json:"name"`           // heading, e.g. "FM_RAF-DB"
	Train string `json:"train"`          // a dataset of the pipeline: "clean" or an occlude step
	Test  string `json:"test,omitempty"` // test set: default Train's own test split; or a subset's NAME
}

// PaperCell is a number published in the paper for one cell (accuracy in %).
type PaperCell struct {
	Row    string  `json:"row"`    // row label as the table prints it
	Column string  `json:"column"` // column name
	Value  float64 `json:"value"`
	Source string  `json:"source"` // where in the paper, e.g. "abstract" or "Table 1, row Weighted"
}

// Metrics of ProtocolStep.Metric.
const (
	MetricBest  = "best"
	MetricFinal = "final"
)

// RunsDir is the folder of the protocol's run folders, inside OUT.
const RunsDir = "runs"

// protoRun is one training run of the matrix.
type protoRun struct {
	ID      string          // folder name under OUT/runs
	Arch    string          // ffranet.ConfigFor name
	Fusion  string          // "" unless the model has both branches
	Lambda  float64         // 0 unless weighted fusion with both branches
	Train   string          // dataset trained on
	Seed    uint64          // run seed
	Table   *TableSpec      // first table that asked for it (its Settings apply)
	Tests   []train.SetSpec // subsets evaluated besides Train's own test split
	Setting json.RawMessage // the table's settings
}

// rowKey is one row of a table: the axes' values.
type rowKey struct {
	Arch   string
	Fusion string
	Lambda float64
}

func (t *TableSpec) archs() []string {
	if len(t.Arch) == 0 {
		return []string{"ffra"}
	}
	return t.Arch
}

// rows lists the table's rows: Arch x Fusion x Lambda, with the axes that do not apply to a
// model (fusion and lambda for single-branch models and baselines, lambda for add and
// concat) dropped and duplicates removed.
func (t *TableSpec) rows() ([]rowKey, error) {
	fus := t.Fusion
	if len(fus) == 0 {
		fus = []string{""}
	}
	lams := t.Lambda
	if len(lams) == 0 {
		lams = []float64{0}
	}
	var out []rowKey
	for _, a := range t.archs() {
		mc, err := ffranet.ConfigFor(a)
		if err != nil {
			return nil, err
		}
		both := mc.MultiScale && mc.LocalAttention && mc.Arch == ffranet.ArchFFRA
		for _, f := range fus {
			for _, l := range lams {
				k := rowKey{Arch: a}
				if both {
					k.Fusion = mc.Fusion
					if f != "" {
						k.Fusion = f
					}
					if k.Fusion == ffranet.FusionWeighted {
						k.Lambda = mc.Lambda
						if l != 0 {
							k.Lambda = l
						}
					}
				}
				if !slices.Contains(out, k) {
					out = append(out, k)
				}
			}
		}
	}
	return out, nil
}

// label is the row's text: the values of the axes the table varies (the model's name when
// it varies nothing), each through Labels.
func (t *TableSpec) label(k rowKey) string {
	name := func(v string) string {
		if l, ok := t.Labels[v]; ok {
			return l
		}
		return v
	}
	var parts []string
	if len(t.archs()) > 1 || (len(t.Fusion) <= 1 && len(t.Lambda) <= 1) {
		parts = append(parts, name(k.Arch))
	}
	if len(t.Fusion) > 1 && k.Fusion != "" {
		parts = append(parts, name(k.Fusion))
	}
	if len(t.Lambda) > 1 && k.Lambda != 0 {
		parts = append(parts, name("λ="+fmtLambda(k.Lambda)))
	}
	if len(parts) == 0 { // a baseline in a fusion or lambda table
		parts = append(parts, name(k.Arch))
	}
	return strings.Join(parts, " ")
}

func fmtLambda(l float64) string { return strconv.FormatFloat(l, 'g', -1, 64) }

// runID is the run folder's name: training set, model, fusion, lambda, seed.
func runID(train string, k rowKey, seed uint64) string {
	id := train + "_" + k.Arch
	if k.Fusion != "" {
		id += "_" + k.Fusion
	}
	if k.Lambda != 0 {
		id += "_l" + fmtLambda(k.Lambda)
	}
	return fmt.Sprintf("%s_s%d", id, seed)
}

var tableID = stepName

// validate checks the protocol against the pipeline's datasets (sets: clean and the occlude
// steps).
func (p *ProtocolStep) validate(c Config, sets map[string]bool) error {
	if len(p.Tables) == 0 {
		return fmt.Errorf("protocol: no tables")
	}
	switch p.Metric {
	case "", MetricBest, MetricFinal:
	default:
		return fmt.Errorf("protocol.metric %q: want %s or %s", p.Metric, MetricBest, MetricFinal)
	}
	seen := map[uint64]bool{}
	for _, s := range p.Seeds {
		if seen[s] {
			return fmt.Errorf("protocol.seeds: %d twice", s)
		}
		seen[s] = true
	}
	subs := map[string]bool{}
	for _, s := range p.subsets {
		if subs[s.Name] || sets[s.Name] {
			return fmt.Errorf("protocol subset %q: the name is taken", s.Name)
		}
		subs[s.Name] = true
	}
	ids := map[string]bool{}
	for i := range p.Tables {
		t := &p.Tables[i]
		if !tableID.MatchString(t.ID) || ids[t.ID] {
			return fmt.Errorf("protocol table id %q must be unique and use letters, digits, _ or -", t.ID)
		}
		ids[t.ID] = true
		if err := t.validate(c, sets, subs); err != nil {
			return fmt.Errorf("protocol table %q: %w", t.ID, err)
		}
	}
	_, err := p.plan(c)
	return err
}

func (t *TableSpec) validate(c Config, sets, subs map[string]bool) error {
	for _, f := range t.Fusion {
		switch f {
		case ffranet.FusionWeighted, ffranet.FusionAdd, ffranet.FusionConcat:
		default:
			return fmt.Errorf("fusion %q: want weighted, add or concat", f)
		}
	}
	for _, l := range t.Lambda {
		if !(l > 0 && l < 1) {
			return fmt.Errorf("lambda %g must be in (0,1)", l)
		}
	}
	rows, err := t.rows()
	if err != nil {
		return err
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("no columns")
	}
	cols := map[string]bool{}
	for _, col := range t.Columns {
		if col.Name == "" || cols[col.Name] {
			return fmt.Errorf("column name %q must be given and unique", col.Name)
		}
		cols[col.Name] = true
		if !sets[col.Train] {
			return fmt.Errorf("column %q trains on %q, not a dataset of this pipeline (%q or an occlude step)", col.Name, col.Train, CleanName)
		}
		// A test name that is no dataset must be a subset's NAME; one nobody gave leaves its
		// column out at table time, with a note, so the shipped configs name RAN's subsets.
		if col.Test != "" && col.Test != col.Train && !sets[col.Test] && !setNameOK(col.Test) {
			return fmt.Errorf("column %q tests on %q: not a dataset of this pipeline nor a subset name", col.Name, col.Test)
		}
	}
	labels := map[string]bool{}
	for _, r := range rows {
		labels[t.label(r)] = true
	}
	for _, pc := range t.Paper {
		if !labels[pc.Row] || !cols[pc.Column] {
			return fmt.Errorf("paper number for row %q, column %q: no such cell (rows %s)", pc.Row, pc.Column, strings.Join(mapKeys(labels), ", "))
		}
		if pc.Source == "" {
			return fmt.Errorf("paper number for row %q, column %q: say where it was read (\"source\")", pc.Row, pc.Column)
		}
	}
	switch t.Plot {
	case "":
	case "lambda":
		if len(t.Lambda) < 2 {
			return fmt.Errorf("plot over lambda needs at least two lambda values")
		}
	default:
		return fmt.Errorf("plot %q: only \"lambda\" can be plotted", t.Plot)
	}
	if _, err := c.protocolRunConfig(t.Settings); err != nil {
		return err
	}
	return nil
}

func setNameOK(name string) bool {
	_, err := train.ParseSetSpec(name + "=x")
	return err == nil
}

func mapKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// seeds is the protocol's seed list.
func (p *ProtocolStep) seeds(c Config) []uint64 {
	if len(p.Seeds) == 0 {
		return []uint64{c.Seed}
	}
	return p.Seeds
}

// plan expands the tables into the runs, in table, row, column, seed order, each once.
func (p *ProtocolStep) plan(c Config) ([]*protoRun, error) {
	var runs []*protoRun
	byID := map[string]*protoRun{}
	for i := range p.Tables {
		t := &p.Tables[i]
		rows, err := t.rows()
		if err != nil {
			return nil, err
		}
		for _, k := range rows {
			for _, col := range t.Columns {
				for _, seed := range p.seeds(c) {
					id := runID(col.Train, k, seed)
					if r, ok := byID[id]; ok {
						if !bytes.Equal(r.Setting, t.Settings) {
							return nil, fmt.Errorf("protocol: run %s is in tables %q and %q with different settings", id, r.Table.ID, t.ID)
						}
						continue
					}
					r := &protoRun{ID: id, Arch: k.Arch, Fusion: k.Fusion, Lambda: k.Lambda, Train: col.Train,
						Seed: seed, Table: t, Setting: t.Settings}
					for _, s := range p.subsets {
						if s.Path == c.SetDir(col.Train) {
							r.Tests = append(r.Tests, s)
						}
					}
					byID[id] = r
					runs = append(runs, r)
				}
			}
		}
	}
	return runs, nil
}

// resolveSubsets parses the config's and the command line's subsets: SET is a dataset of the
// pipeline or a folder (relative to base), LIST relative to base.
func (p *ProtocolStep) resolveSubsets(c Config, extra []string, base, extraBase string) error {
	p.subsets = nil
	add := func(s, dir string) error {
		spec, err := train.ParseSetSpec(s)
		if err != nil {
			return fmt.Errorf("protocol subset: %w", err)
		}
		if spec.List == "" {
			return fmt.Errorf("protocol subset %q: want NAME=SET@LIST", s)
		}
		if isSetName(c, spec.Path) {
			spec.Path = c.SetDir(spec.Path)
		} else if !filepath.IsAbs(spec.Path) {
			spec.Path = filepath.Join(dir, spec.Path)
		}
		if !filepath.IsAbs(spec.List) {
			spec.List = filepath.Join(dir, spec.List)
		}
		p.subsets = append(p.subsets, spec)
		return nil
	}
	for _, s := range p.Subsets {
		if err := add(s, base); err != nil {
			return err
		}
	}
	for _, s := range extra {
		if err := add(s, extraBase); err != nil {
			return err
		}
	}
	return nil
}

func isSetName(c Config, name string) bool {
	if name == CleanName {
		return true
	}
	for _, s := range c.Occlude {
		if s.Name == name {
			return true
		}
	}
	return false
}
