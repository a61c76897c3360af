package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/train"
	"github.com/occfer/occfer/train/plot"
)

// Files the protocol writes into OUT.
const (
	TablesMarkdown = "tables.md"
	TablesJSON     = "tables.json"
)

// PaperRef is the paper every published number in the tables comes from.
const PaperRef = "Chen, Liu, Zhao, Ji (2023), Occlusion facial expression recognition based on feature fusion residual attention network, Front. Neurorobot. 17:1250706"

// TablesFile is tables.json: every table of the protocol with its cells. It holds no times
// or paths outside OUT, so the same config and seeds give the same bytes.
type TablesFile struct {
	Metric string     `json:"metric"` // what a value is, in words
	Seeds  []uint64   `json:"seeds"`
	Paper  string     `json:"paper"`
	Tables []TableOut `json:"tables"`
}

// TableOut is one table.
type TableOut struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Columns []string `json:"columns"`
	Rows    []RowOut `json:"rows"`
	Notes   []string `json:"notes,omitempty"`
	Plot    string   `json:"plot,omitempty"` // PNG file in OUT
}

// RowOut is one row of a table.
type RowOut struct {
	Label  string    `json:"label"`
	Arch   string    `json:"arch"`             // ffranet.ConfigFor name
	Fusion string    `json:"fusion,omitempty"` // models with both FFRA branches
	Lambda float64   `json:"lambda,omitempty"` // weighted fusion
	Cells  []CellOut `json:"cells"`            // in column order
}

// CellOut is one cell: accuracy in % per seed, their mean and sample standard deviation
// (plot.MeanStd: n-1 denominator, 0 for one seed), and the paper's number when it published
// one. Mean and Std are absent when no run has the test set.
type CellOut struct {
	Column      string    `json:"column"`
	Runs        []string  `json:"runs"` // run folders under OUT/runs, one per seed
	Values      []float64 `json:"values"`
	Mean        *float64  `json:"mean,omitempty"`
	Std         *float64  `json:"std,omitempty"`
	Paper       *float64  `json:"paper,omitempty"`
	PaperSource string    `json:"paper_source,omitempty"`
}

// buildTables fills the tables from the runs' reports.
func buildTables(c Config, runs []*protoRun, results map[string]*train.Report) (*TablesFile, error) {
	p := c.Protocol
	metric := p.Metric
	if metric == "" {
		metric = MetricBest
	}
	tf := &TablesFile{Seeds: p.seeds(c), Paper: PaperRef,
		Metric: "accuracy (%) on the column's test set at the best epoch (the checkpoint in best/), mean ± sample standard deviation over the seeds"}
	if metric == MetricFinal {
		tf.Metric = "accuracy (%) on the column's test set after the last epoch, mean ± sample standard deviation over the seeds"
	}
	given := map[string]bool{}
	for _, s := range p.subsets {
		given[s.Name] = true
	}
	for i := range p.Tables {
		t := &p.Tables[i]
		out := TableOut{ID: t.ID, Title: t.Title}
		var cols []ColumnSpec
		for _, col := range t.Columns {
			test := col.testSet()
			if test != col.Train && !isSetName(c, test) && !given[test] {
				out.Notes = append(out.Notes, fmt.Sprintf("column %s left out: subset %q was not given (occfer run --subset %s=%s@LIST)", col.Name, test, test, col.Train))
				continue
			}
			cols = append(cols, col)
			out.Columns = append(out.Columns, col.Name)
		}
		rows, err := t.rows()
		if err != nil {
			return nil, err
		}
		for _, k := range rows {
			row := RowOut{Label: t.label(k), Arch: k.Arch, Fusion: k.Fusion, Lambda: k.Lambda}
			for _, col := range cols {
				cell := CellOut{Column: col.Name, Values: []float64{}}
				var vals []float64
				for _, seed := range tf.Seeds {
					id := runID(col.Train, k, seed)
					cell.Runs = append(cell.Runs, id)
					rep := results[id]
					if rep == nil {
						return nil, fmt.Errorf("protocol: no result for run %s", id)
					}
					sets := rep.Best
					if metric == MetricFinal || sets == nil {
						sets = rep.Final
					}
					m, ok := sets[col.testSet()]
					if !ok {
						out.Notes = append(out.Notes, fmt.Sprintf("run %s has no test set %q (it finished before the set was added; remove the run folder to redo it)", id, col.testSet()))
						continue
					}
					vals = append(vals, 100*m.Acc)
				}
				cell.Values = append(cell.Values, vals...)
				if len(vals) > 0 {
					mean, std := plot.MeanStd(vals)
					cell.Mean, cell.Std = &mean, &std
				}
				for _, pc := range t.Paper {
					if pc.Row == row.Label && pc.Column == col.Name {
						v := pc.Value
						cell.Paper, cell.PaperSource = &v, pc.Source
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			out.Rows = append(out.Rows, row)
		}
		if t.Plot != "" && len(cols) > 0 {
			out.Plot = t.ID + ".png"
		}
		tf.Tables = append(tf.Tables, out)
	}
	return tf, nil
}

func (col ColumnSpec) testSet() string {
	if col.Test == "" {
		return col.Train
	}
	return col.Test
}

// writeTables writes tables.md, tables.json and the plots into out, atomically; it returns
// their names.
func writeTables(out string, tf *TablesFile) ([]string, error) {
	data, err := json.MarshalIndent(tf, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("protocol tables: %w", err)
	}
	if err := dataset.WriteFileAtomic(filepath.Join(out, TablesJSON), append(data, '\n')); err != nil {
		return nil, fmt.Errorf("protocol tables: %w", err)
	}
	if err := dataset.WriteFileAtomic(filepath.Join(out, TablesMarkdown), []byte(Markdown(tf))); err != nil {
		return nil, fmt.Errorf("protocol tables: %w", err)
	}
	files := []string{TablesMarkdown, TablesJSON}
	for _, t := range tf.Tables {
		if t.Plot == "" {
			continue
		}
		png, err := sweepPNG(t)
		if err != nil {
			return nil, fmt.Errorf("protocol table %s: %w", t.ID, err)
		}
		if err := dataset.WriteFileAtomic(filepath.Join(out, t.Plot), png); err != nil {
			return nil, fmt.Errorf("protocol tables: %w", err)
		}
		files = append(files, t.Plot)
	}
	return files, nil
}

// fmtCell prints mean ± std with two decimals, or n/a.
func fmtCell(c CellOut) string {
	if c.Mean == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f ± %.2f", *c.Mean, *c.Std)
}

// Markdown renders the tables: per column the protocol's mean ± std (n runs) beside the
// paper's number, the paper's sources below each table.
func Markdown(tf *TablesFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Protocol tables\n\nEach cell: %s (seeds %s); beside it the number published in %s (n/a: not published or not read).\n",
		tf.Metric, joinSeeds(tf.Seeds), tf.Paper)
	for _, t := range tf.Tables {
		fmt.Fprintf(&b, "\n## %s\n\n", t.Title)
		if len(t.Columns) == 0 {
			b.WriteString("(no columns)\n")
		} else {
			b.WriteString("| |")
			for _, c := range t.Columns {
				fmt.Fprintf(&b, " %s | %s (paper) |", c, c)
			}
			b.WriteString("\n|---|")
			for range t.Columns {
				b.WriteString("---:|---:|")
			}
			b.WriteString("\n")
			for _, r := range t.Rows {
				fmt.Fprintf(&b, "| %s |", r.Label)
				for _, c := range r.Cells {
					paper := "n/a"
					if c.Paper != nil {
						paper = fmt.Sprintf("%.2f", *c.Paper)
					}
					n := len(c.Values)
					fmt.Fprintf(&b, " %s (n=%d) | %s |", fmtCell(c), n, paper)
				}
				b.WriteString("\n")
			}
		}
		var src []string
		for _, r := range t.Rows {
			for _, c := range r.Cells {
				if c.Paper != nil {
					src = append(src, fmt.Sprintf("%s / %s: %.2f (%s)", r.Label, c.Column, *c.Paper, c.PaperSource))
				}
			}
		}
		if len(src) > 0 {
			fmt.Fprintf(&b, "\nPaper numbers: %s.\n", strings.Join(src, "; "))
		}
		for _, n := range t.Notes {
			fmt.Fprintf(&b, "\nNote: %s.\n", n)
		}
		if t.Plot != "" {
			fmt.Fprintf(&b, "\n![%s](%s)\n", t.Title, t.Plot)
		}
	}
	return b.String()
}

func joinSeeds(s []uint64) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}

// sweepPNG draws a lambda table: accuracy against lambda, one series per column, the paper's
// numbers as stars at their lambda.
func sweepPNG(t TableOut) ([]byte, error) {
	fig := plot.SweepFigure{Title: t.Title, XLabel: "λ (weight of the local-attention branch)", YLabel: "accuracy (%)"}
	for ci, col := range t.Columns {
		s := plot.SweepSeries{Name: col}
		for _, r := range t.Rows {
			x := r.Lambda
			if x == 0 {
				continue // a baseline row in a sweep table
			}
			c := r.Cells[ci]
			y, e := math.NaN(), math.NaN()
			if c.Mean != nil {
				y, e = *c.Mean, *c.Std
			}
			s.X, s.Y, s.Err = append(s.X, x), append(s.Y, y), append(s.Err, e)
			if c.Paper != nil {
				fig.Refs = append(fig.Refs, plot.Reference{Name: "paper, " + col, X: x, Y: *c.Paper, AtX: true, Series: col})
			}
		}
		fig.Series = append(fig.Series, s)
	}
	img, err := plot.Sweep(fig)
	if err != nil {
		return nil, err
	}
	return plot.EncodePNG(img)
}
