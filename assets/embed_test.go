package assets

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every template file of this folder is in the binary, byte for byte, and nothing else is.
func TestEmbeddedMatchesFolder(t *testing.T) {
	var onDisk, embedded []string
	for _, kind := range []string{"masks", "sunglasses"} {
		entries, err := os.ReadDir(kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".json") || strings.HasSuffix(e.Name(), ".png") {
				onDisk = append(onDisk, kind+"/"+e.Name())
			}
		}
	}
	err := fs.WalkDir(Templates(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			embedded = append(embedded, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(onDisk)
	if !slices.Equal(onDisk, embedded) || len(embedded) < 22 { // 8 mask and 3 sunglasses designs, a spec and an image each
		t.Fatalf("embedded %d files, folder %d:\n%v\n%v", len(embedded), len(onDisk), embedded, onDisk)
	}
	for _, p := range embedded {
		a, _ := fs.ReadFile(Templates(), p)
		b, _ := os.ReadFile(filepath.FromSlash(p))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: embedded bytes differ from the file", p)
		}
	}
}
