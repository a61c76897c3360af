package occlusion

import (
	"fmt"
	"os"
	"strings"

	"github.com/occfer/occfer/assets"
	"github.com/occfer/occfer/warp"
)

// builtinWhere names the embedded template set in messages and template paths.
const builtinWhere = "(built-in)"

// templateSources is the built-in template set (package assets), then cfg.TemplatesDir when
// set: its templates add to the built-in ones, and one with the name of a built-in template
// (its spec's file name without .json) replaces it.
func templateSources(cfg Config) ([]warp.TemplateSource, error) {
	srcs := []warp.TemplateSource{{FS: assets.Templates(), Where: builtinWhere}}
	if cfg.TemplatesDir == "" {
		return srcs, nil
	}
	if st, err := os.Stat(cfg.TemplatesDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("templates folder %q not found (it adds to or overrides the built-in templates; render a full set with `occlude templates generate DIR`)",
			cfg.TemplatesDir)
	}
	return append(srcs, warp.DirSource(cfg.TemplatesDir)), nil
}

// loadTemplates loads the template set and keeps the templates of cfg.Kind that match the
// Style/Color/Texture filters.
func loadTemplates(cfg Config) ([]*warp.Template, error) {
	srcs, err := templateSources(cfg)
	if err != nil {
		return nil, err
	}
	where := builtinWhere
	if cfg.TemplatesDir != "" {
		where += " and " + cfg.TemplatesDir
	}
	all, err := warp.LoadTemplatesFrom(string(cfg.Kind), srcs...)
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
			cfg.Kind, where, cfg.Style, cfg.Color, cfg.Texture, listOrNone(seen))
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
