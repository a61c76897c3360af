package audit

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The audit reads a manifest of OUT like user input: a record whose mask or output leaves OUT
// is refused with the manifest's file and line, and a mask reached through a link out of OUT
// is not read; nothing outside OUT is opened because of a hand-edited manifest.
func TestManifestPathsStayInsideOut(t *testing.T) {
	s := boxShape()
	m := NewMask(130, 130)
	fillRect(m, 40, 55, 82, 95)
	build := func(t *testing.T) string {
		o := newOutTree(t, "mask")
		o.add("a.png", "from-file", 130, 130, &s, m)
		out := o.write()
		// A valid mask beside OUT: read through "../", the audit would succeed.
		g := image.NewGray(image.Rect(0, 0, 130, 130))
		copy(g.Pix, m.Pix)
		writePNG(t, filepath.Join(filepath.Dir(out), "secret.png"), g)
		return out
	}
	edit := func(t *testing.T, out, from, to string) {
		p := filepath.Join(out, "manifest.jsonl")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, []byte(strings.Replace(string(b), from, to, 1)))
	}
	for _, tc := range []struct {
		name string
		prep func(t *testing.T, out string)
		want string
	}{
		{"mask leaves OUT", func(t *testing.T, out string) {
			edit(t, out, `"mask":"occlusion_masks/a.png.png"`, `"mask":"../secret.png"`)
		}, "manifest.jsonl:1"},
		{"absolute mask", func(t *testing.T, out string) {
			edit(t, out, `"mask":"occlusion_masks/a.png.png"`, `"mask":"`+filepath.Join(filepath.Dir(out), "secret.png")+`"`)
		}, "manifest.jsonl:1"},
		{"out leaves OUT", func(t *testing.T, out string) {
			edit(t, out, `"out":"a.png"`, `"out":"../secret.png"`)
		}, "manifest.jsonl:1"},
		{"mask is a link out of OUT", func(t *testing.T, out string) {
			p := filepath.Join(out, "occlusion_masks", "a.png.png")
			os.Remove(p)
			if err := os.Symlink(filepath.Join(filepath.Dir(out), "secret.png"), p); err != nil {
				t.Fatal(err)
			}
		}, "outside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := build(t)
			tc.prep(t, out)
			_, err := Run(context.Background(), Options{Out: out})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("audit of an edited manifest: %v; want an error naming %q", err, tc.want)
			}
		})
	}
}
