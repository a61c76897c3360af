package occlusion

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/occfer/occfer/warp"
)

// templateDirs lists where the template set is looked for: dir itself when it is absolute or
// was given explicitly, otherwise dir under the working directory and then next to the
// executable (an installed occlude finds its assets without a flag).
func templateDirs(dir string) []string {
	if filepath.IsAbs(dir) {
		return []string{dir}
	}
	var out []string
	if abs, err := filepath.Abs(dir); err == nil {
		out = append(out, abs)
	}
	if exe, err := os.Executable(); err == nil {
		out = append(out, filepath.Join(filepath.Dir(exe), dir))
	}
	return out
}

// loadTemplates loads the template set and keeps the frontal templates of cfg.Kind that match
// the Style/Color/Texture filters (warp swaps in the left/right variants by yaw).
func loadTemplates(cfg Config) ([]*warp.Template, error) {
	var dir string
	tried := templateDirs(cfg.TemplatesDir)
	for _, d := range tried {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			dir = d
			break
		}
	}
	if dir == "" {
		return nil, fmt.Errorf("templates folder %q not found (looked in %s); generate one with `occlude templates generate DIR` or pass --templates DIR",
			cfg.TemplatesDir, strings.Join(tried, ", "))
	}
	all, err := loadTemplateSet(dir, cfg.Workers)
	if err != nil {
		return nil, err
	}
	var keep []*warp.Template
	var seen []string
	for _, t := range all {
		if t.Kind != string(cfg.Kind) || t.Variant != warp.VariantFrontal {
			continue
		}
		seen = append(seen, fmt.Sprintf("%s (style %s, colour %s)", t.Name, t.Style, t.Colour))
		if match(cfg.Style, t.Style) && match(cfg.Color, t.Colour) && match(cfg.Texture, templateTexture(t)) {
			keep = append(keep, t)
		}
	}
	for _, t := range all {
		if !contains(keep, t) && !siblingKept(keep, t) {
			t.Close()
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("no %s template in %s matches style %q, colour %q, texture %q; available: %s",
			cfg.Kind, dir, cfg.Style, cfg.Color, cfg.Texture, listOrNone(seen))
	}
	return keep, nil
}

func match(want, have string) bool { return want == "" || strings.EqualFold(want, have) }

func contains(ts []*warp.Template, t *warp.Template) bool {
	for _, k := range ts {
		if k == t {
			return true
		}
	}
	return false
}

// siblingKept reports whether t is a yaw variant of a kept template (it stays loaded).
func siblingKept(keep []*warp.Template, t *warp.Template) bool {
	for _, k := range keep {
		if k.Group == t.Group {
			return true
		}
	}
	return false
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "; ")
}

// templateTexture is the surface texture of a template. warp's spec has no texture field:
// printed cloth masks carry their pattern (plaid, dots, floral) in the colour field, and every
// other template is a plain surface.
func templateTexture(t *warp.Template) string {
	if t.Style == "cloth" {
		return t.Colour
	}
	return "plain"
}

// loadTemplateSet is warp.LoadTemplates (same specs, errors, order and variant links) with
// the template PNGs decoded by up to workers goroutines: decoding them is most of the fixed
// cost of a run.
func loadTemplateSet(dir string, workers int) ([]*warp.Template, error) {
	var specs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
			specs = append(specs, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load templates from %s: %w", dir, err)
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("load templates from %s: no *.json template specs found", dir)
	}
	loaded := make([]*warp.Template, len(specs))
	loadErrs := make([]error, len(specs))
	var wg sync.WaitGroup
	n := max(1, min(workers, len(specs)))
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(specs); i += n {
				loaded[i], loadErrs[i] = warp.LoadTemplate(specs[i])
			}
		}()
	}
	wg.Wait()
	var ts []*warp.Template
	var errs []error
	names := map[string]string{}
	for i, p := range specs {
		t := loaded[i]
		if loadErrs[i] != nil {
			errs = append(errs, loadErrs[i])
			continue
		}
		if prev, dup := names[t.Name]; dup {
			errs = append(errs, fmt.Errorf("template %s: name %q already used by %s", p, t.Name, prev))
			t.Close()
			continue
		}
		names[t.Name] = p
		ts = append(ts, t)
	}
	if len(errs) > 0 {
		for _, t := range ts {
			t.Close()
		}
		return nil, errors.Join(errs...)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	warp.LinkVariants(ts)
	return ts, nil
}
