package occlusion

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/warp"
)

// digests lists name:digest of every loaded template, as the settings record does.
func digests(ts []*warp.Template) map[string]string {
	out := map[string]string{}
	for _, t := range ts {
		out[t.Name] = templateDigest(t)
	}
	return out
}

// The built-in set is the committed assets/ folder: same templates, same settings digests (so
// outputs made with --templates assets resume without it), and a folder given with
// --templates replaces a built-in template of the same name and adds new names.
func TestBuiltinTemplatesAndOverrides(t *testing.T) {
	load := func(t *testing.T, kind Kind, dir string) map[string]string {
		t.Helper()
		ts, err := loadTemplates(Config{Settings: Settings{Kind: kind, TemplatesDir: dir}})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, x := range ts {
				x.Close()
			}
		}()
		return digests(ts)
	}
	for kind, least := range map[Kind]int{KindMask: 8, KindSunglasses: 3} {
		t.Run(string(kind), func(t *testing.T) {
			builtin, folder := load(t, kind, ""), load(t, kind, "../assets")
			if len(builtin) < least || len(builtin) != len(folder) {
				t.Fatalf("built-in %d templates, folder %d", len(builtin), len(folder))
			}
			for name, d := range folder {
				if builtin[name] != d {
					t.Errorf("%s: built-in digest %s, folder %s", name, builtin[name], d)
				}
			}
		})
	}
	t.Run("override and add", func(t *testing.T) {
		dir := t.TempDir()
		copyTemplate := func(from, to string, edit func(*warp.Spec)) {
			raw, err := os.ReadFile(filepath.Join("../assets/masks", from+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var s warp.Spec
			json.Unmarshal(raw, &s)
			png, _ := os.ReadFile(filepath.Join("../assets/masks", s.Image))
			s.Image = to + ".png"
			edit(&s)
			out, _ := json.Marshal(s)
			os.WriteFile(filepath.Join(dir, to+".json"), out, 0o644)
			os.WriteFile(filepath.Join(dir, to+".png"), png, 0o644)
		}
		copyTemplate("mask_surgical_blue", "mask_surgical_blue", func(s *warp.Spec) { s.Anchors[0].Template[1]++ })
		copyTemplate("mask_surgical_blue", "mask_mine_red", func(s *warp.Spec) { s.Style, s.Colour = "mine", "red" })
		builtin, got := load(t, KindMask, ""), load(t, KindMask, dir)
		if len(got) != len(builtin)+1 || got["mask_mine_red"] == "" {
			t.Errorf("%d templates with the folder, %d built in: want one added", len(got), len(builtin))
		}
		for name, d := range builtin {
			changed := got[name] != d
			if changed != (name == "mask_surgical_blue") {
				t.Errorf("%s: digest %s with the folder, %s built in", name, got[name], d)
			}
		}
		ts, err := loadTemplates(Config{Settings: Settings{Kind: KindMask, TemplatesDir: dir, Style: "mine"}})
		if err != nil || len(ts) != 1 || !strings.HasPrefix(ts[0].SpecPath, dir) {
			t.Fatalf("style filter on the added template: %v, %d templates", err, len(ts))
		}
		ts[0].Close()
	})
}
