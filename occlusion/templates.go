package occlusion

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

// loadTemplates loads the template set and keeps the templates of cfg.Kind that match the
// Style/Color/Texture filters.
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
	all, err := warp.LoadTemplatesOfKind(dir, string(cfg.Kind))
	if err != nil {
		return nil, err
	}
	var keep []*warp.Template
	var seen []string
	for _, t := range all {
		if t.Kind != string(cfg.Kind) {
			continue
		}
		seen = append(seen, fmt.Sprintf("%s (style %s, colour %s)", t.Name, t.Style, t.Colour))
		if match(cfg.Style, t.Style) && match(cfg.Color, t.Colour) && match(cfg.Texture, templateTexture(t)) {
			keep = append(keep, t)
		}
	}
	for _, t := range all {
		if !contains(keep, t) {
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
