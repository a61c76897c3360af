package occlusion

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/safepath"
)

// claimOut prepares OUT for a run, before anything else is written there: links that a hand
// edit left in OUT are removed (reported in the returned problems, code "output-link") and the
// state folder is created. The caller has checked that OUT is not inside the input
// (safepath.CheckOutput).
func claimOut(out, in string) ([]dataset.Problem, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder %s: %w", out, err)
	}
	links, err := safepath.RemoveLinks(out, in)
	if err != nil {
		return nil, err
	}
	var probs []dataset.Problem
	for _, l := range links {
		probs = append(probs, dataset.Problem{Path: filepath.Join(out, filepath.FromSlash(l.Rel)), Code: CodeOutputLink, Item: l.Rel,
			Reason: fmt.Sprintf("a link to %s in the output folder: removed (occfer writes only real files and folders in its outputs)", l.Target)})
	}
	if err := os.MkdirAll(filepath.Join(out, stateDir), 0o755); err != nil {
		return nil, fmt.Errorf("create output folder %s: %w", out, err)
	}
	return probs, nil
}
