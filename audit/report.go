package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report as a text table: one row per yaw band and one for all faces,
// with pass counts and rates (kinds with rules) and the median metrics of the found faces.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "audit %s: kind %s, %d images, ground truth %s, yaw from %s\n", r.Out, r.Kind, r.Images, r.Truth, r.Poses)
	if len(r.Rules) > 0 {
		fmt.Fprintf(w, "pass: %s\n", strings.Join(r.Rules, ", "))
	}
	if r.NoTruth > 0 {
		fmt.Fprintf(w, "%d images not scored (no landmarks to score against)\n", r.NoTruth)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "yaw band\tfaces\tfound\tpassed\tpass rate\tmouth\tnose\teyes\tspill\t")
	for _, b := range r.Bands {
		rate := "-"
		if len(r.Rules) > 0 && b.Faces > 0 {
			rate = fmt.Sprintf("%.1f%%", 100*b.PassRate)
		}
		m := b.Median
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t\n", b.Band, b.Faces, b.Found, b.Passed, rate, m.Mouth, m.Nose, m.Eyes, m.Spill)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "(mouth, nose, eyes, spill: medians over the found faces)")
	return err
}

// WriteJSON writes the report (per-image results and the aggregate) as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("audit report: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Case is one face of the report with the image it belongs to.
type Case struct {
	Image *ImageResult
	Face  *FaceResult
}

// Worst returns the n worst faces: failed images and missed faces first, then failed faces
// by the summed excess over their failed rules, then passing faces that came closest to a
// bound (Judge); ties by input path, so the order is stable. Kinds without rules have no
// ranking and give none.
func (r *Report) Worst(n int) []Case {
	var cs []Case
	for i := range r.Results {
		for k := range r.Results[i].Faces {
			if f := &r.Results[i].Faces[k]; f.Pass != nil {
				cs = append(cs, Case{&r.Results[i], f})
			}
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i].Face.excess, cs[j].Face.excess
		if a != b && !(math.IsInf(a, 1) && math.IsInf(b, 1)) {
			return a > b
		}
		return cs[i].Image.In < cs[j].Image.In
	})
	return cs[:min(n, len(cs))]
}
