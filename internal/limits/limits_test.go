package limits

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/limits/limitstest"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	os.WriteFile(small, []byte("abc"), 0o644)
	if b, err := ReadFile(small, 3, "label file"); err != nil || string(b) != "abc" {
		t.Fatalf("at the limit: %q %v", b, err)
	}
	_, err := ReadFile(small, 2, "label file")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "label file "+small+": 3 bytes, more than the 2-byte limit") {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 10, "x"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestCheckImageHeader(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string // "" = accepted
	}{
		{"1x1", limitstest.PNGDeclaring(t, 1, 1), ""},
		{"60000x60000", limitstest.PNGDeclaring(t, 60000, 60000), "60000x60000 is larger than the 67108864-pixel limit"},
		{"8192x8192", limitstest.PNGDeclaring(t, 8192, 8192), ""}, // exactly the limit
		{"not an image", []byte("hello"), ""},                     // left to the decoder
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckImageHeader("x.png", c.data)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "image x.png: "+c.want) || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"abc", `"abc"`},
		{strings.Repeat("x", 80), `"` + strings.Repeat("x", 80) + `"`},
		{strings.Repeat("x", 1<<20), `"` + strings.Repeat("x", 80) + `"... (1048576 bytes)`},
		{strings.Repeat("x", 79) + "é" + "tail", `"` + strings.Repeat("x", 79) + `"... (85 bytes)`}, // é not split
	} {
		if got := Excerpt(c.in); got != c.want {
			t.Errorf("Excerpt(%.20q...) = %.120s, want %.120s", c.in, got, c.want)
		}
	}
}

func TestClip(t *testing.T) {
	if got := Clip("train_0001.jpg"); got != "train_0001.jpg" {
		t.Errorf("short: %s", got)
	}
	if got := Clip(strings.Repeat("y", 1000)); got != strings.Repeat("y", 80)+"... (1000 bytes)" {
		t.Errorf("long: %s", got)
	}
}
