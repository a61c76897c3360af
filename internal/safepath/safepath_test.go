package safepath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mkfile(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mklink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func TestWalk(t *testing.T) {
	base := t.TempDir()
	root, out := filepath.Join(base, "in"), filepath.Join(base, "out")
	mkfile(t, filepath.Join(out, "secret"), "s")
	mkfile(t, filepath.Join(root, "a", "x.jpg"), "x")
	mkfile(t, filepath.Join(root, ".hidden", "h.jpg"), "h")
	mklink(t, "x.jpg", filepath.Join(root, "a", "rel.jpg"))
	mklink(t, filepath.Join(root, "a", "x.jpg"), filepath.Join(root, "abs.jpg"))
	mklink(t, "../../out/secret", filepath.Join(root, "a", "up"))
	mklink(t, filepath.Join(out, "secret"), filepath.Join(root, "absout"))
	mklink(t, "a", filepath.Join(root, "dirlink"))
	mklink(t, "../out", filepath.Join(root, "dirout"))
	mklink(t, "self", filepath.Join(root, "self"))
	mklink(t, "nowhere", filepath.Join(root, "dangling"))
	// A link whose path passes through a link out and back in still resolves inside.
	mklink(t, "../../in/a/x.jpg", filepath.Join(root, "a", "roundtrip.jpg"))
	files, skipped, err := Walk(root, func(rel, name string, dir bool) bool { return strings.HasPrefix(name, ".") })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(files, " "), "a/rel.jpg a/roundtrip.jpg a/x.jpg abs.jpg"; got != want {
		t.Errorf("files %q, want %q", got, want)
	}
	want := map[string]string{"a/up": CodeOutside, "absout": CodeOutside, "dirlink": CodeDirLink, "dirout": CodeOutside,
		"self": CodeLinkLoop, "dangling": CodeBrokenLink}
	if len(skipped) != len(want) {
		t.Errorf("skipped %v, want %d entries", skipped, len(want))
	}
	for _, s := range skipped {
		t.Run(s.Rel, func(t *testing.T) {
			if want[s.Rel] != s.Code || s.Path != filepath.Join(root, filepath.FromSlash(s.Rel)) || s.Reason == "" {
				t.Errorf("%+v, want code %q", s, want[s.Rel])
			}
		})
	}
	if _, _, err := Walk(filepath.Join(base, "missing"), nil); err == nil {
		t.Error("missing root accepted")
	}
}

func TestRel(t *testing.T) {
	for _, tc := range []struct {
		rel string
		ok  bool
	}{
		{"a.jpg", true}, {"train/happy/a.jpg", true}, {"occlusion_masks/a.jpg.png", true}, {"..a/b..", true},
		{"", false}, {"/etc/passwd", false}, {"../../../../etc/hostname", false}, {"a/../../b", false},
		{"a/./b", false}, {"a//b", false}, {"a/", false}, {".", false}, {"a\\..\\b", false}, {"a\x00b", false},
	} {
		t.Run(tc.rel, func(t *testing.T) {
			got, err := Rel(tc.rel)
			if (err == nil) != tc.ok || (tc.ok && got != tc.rel) {
				t.Errorf("Rel(%q) = %q, %v; want ok=%v", tc.rel, got, err, tc.ok)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "out")
	mkfile(t, filepath.Join(base, "secret"), "s")
	mkfile(t, filepath.Join(root, "a", "x.jpg"), "x")
	mklink(t, "../../secret", filepath.Join(root, "a", "leak"))
	mklink(t, "x.jpg", filepath.Join(root, "a", "ok"))
	if p, err := Within(root, "a/x.jpg"); err != nil || p != filepath.Join(root, "a", "x.jpg") {
		t.Errorf("Within a/x.jpg = %q, %v", p, err)
	}
	if _, err := Within(root, "a/ok"); err != nil {
		t.Errorf("link inside refused: %v", err)
	}
	for _, rel := range []string{"a/leak", "../secret", "a", "a/missing.jpg", "/etc/hostname"} {
		if p, err := Within(root, rel); err == nil {
			t.Errorf("Within(%q) accepted: %s", rel, p)
		}
	}
}

func TestCheckOutput(t *testing.T) {
	in := t.TempDir()
	other := t.TempDir()
	mkfile(t, filepath.Join(in, "img.jpg"), "x")
	link := filepath.Join(other, "alias")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, out string
		inputs    []string
		ok        bool
	}{
		{"separate", filepath.Join(other, "out"), []string{in}, true},
		{"same", in, []string{in}, false},
		{"inside", filepath.Join(in, "sub", "out"), []string{in}, false},
		{"inside through a link", filepath.Join(link, "out"), []string{in}, false},
		{"input through a link", filepath.Join(in, "out"), []string{link}, false},
		{"sibling with a common prefix", in + "-sibling", []string{in}, true},
		{"second input", filepath.Join(in, "run"), []string{other, in}, false},
		{"file input stands for its folder", filepath.Join(in, "cams"), []string{filepath.Join(in, "img.jpg")}, false},
		{"input inside the output", other, []string{filepath.Join(other, "alias")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOutput(tc.out, tc.inputs...)
			if (err == nil) != tc.ok {
				t.Errorf("CheckOutput(%s, %v) = %v, want ok=%v", tc.out, tc.inputs, err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "choose a folder outside the input") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestRemoveLinks(t *testing.T) {
	base := t.TempDir()
	out, elsewhere := filepath.Join(base, "out"), filepath.Join(base, "elsewhere")
	mkfile(t, filepath.Join(elsewhere, "keep.txt"), "k")
	mkfile(t, filepath.Join(out, "train", "a.jpg"), "a")
	mkfile(t, filepath.Join(out, "data", "in.jpg"), "i")
	mklink(t, elsewhere, filepath.Join(out, "val"))
	mklink(t, "a.jpg", filepath.Join(out, "train", "b.jpg"))
	mklink(t, "in.jpg", filepath.Join(out, "data", "link.jpg")) // inside an input: kept
	removed, err := RemoveLinks(out, filepath.Join(out, "data"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range removed {
		got = append(got, l.String())
	}
	if want := "train/b.jpg -> a.jpg|val -> " + elsewhere; strings.Join(got, "|") != want {
		t.Errorf("removed %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "keep.txt")); err != nil {
		t.Errorf("target touched: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(out, "data", "link.jpg")); err != nil {
		t.Errorf("link inside an input removed: %v", err)
	}
	if r, err := RemoveLinks(filepath.Join(base, "none")); err != nil || len(r) != 0 {
		t.Errorf("missing root: %v %v", r, err)
	}
}
