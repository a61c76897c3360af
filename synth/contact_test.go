package synth

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// update rewrites docs/img/synth_classes.png:
//
//	go test ./synth/ -run TestContactSheet -update
var update = flag.Bool("update", false, "rewrite docs/img/synth_classes.png from the current drawing")

const sheetPath = "../docs/img/synth_classes.png"

func TestContactSheet(t *testing.T) {
	const per, size = 6, 100
	sheet, err := ContactSheet(1, per, size)
	if err != nil {
		t.Fatal(err)
	}
	if b := sheet.Bounds(); b.Dx() != 80+per*(size+2) || b.Dy() != 7*(size+2) {
		t.Fatalf("sheet is %v", b)
	}
	// Every cell holds a face that differs from its neighbours, and the label column has ink.
	cell := func(row, col int) []byte {
		var px []byte
		for y := range size {
			o := sheet.PixOffset(80+col*(size+2), row*(size+2)+y)
			px = append(px, sheet.Pix[o:o+4*size]...)
		}
		return px
	}
	for r := range 7 {
		for c := range per {
			if c > 0 && bytes.Equal(cell(r, c), cell(r, c-1)) {
				t.Errorf("row %d: cells %d and %d are identical", r, c-1, c)
			}
		}
		ink := 0
		for y := r * (size + 2); y < r*(size+2)+size; y++ {
			for x := range 80 {
				if sheet.RGBAAt(x, y).R < 128 {
					ink++
				}
			}
		}
		if ink < 20 {
			t.Errorf("row %d (%s): no class name drawn", r, ClassNames[r])
		}
	}
	if *update {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, sheet); err != nil {
			t.Fatal(err)
		}
		if err := dataset.WriteFileAtomic(filepath.FromSlash(sheetPath), buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		return
	}
	// The committed sheet must show the current drawing, so the README never shows stale
	// faces. Pixels, not bytes, are compared, with a little slack: PNG bytes change with the Go
	// release, and float rounding (FMA on some CPUs) can move an edge pixel by a level or two.
	f, err := os.Open(filepath.FromSlash(sheetPath))
	if err != nil {
		t.Skipf("%s missing; create it with -update: %v", sheetPath, err)
	}
	defer f.Close()
	have, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", sheetPath, err)
	}
	if have.Bounds() != sheet.Bounds() {
		t.Fatalf("%s is %v, current sheet %v; rerun with -update", sheetPath, have.Bounds(), sheet.Bounds())
	}
	off := 0
	for y := range sheet.Bounds().Dy() {
		for x := range sheet.Bounds().Dx() {
			r, g, b, _ := have.At(x, y).RGBA()
			c := sheet.RGBAAt(x, y)
			if absDiff(r>>8, c.R) > 8 || absDiff(g>>8, c.G) > 8 || absDiff(b>>8, c.B) > 8 {
				off++
			}
		}
	}
	if n := sheet.Bounds().Dx() * sheet.Bounds().Dy(); off > 50 {
		t.Errorf("%s is stale (%d of %d pixels differ); rerun with -update", sheetPath, off, n)
	}
}

func absDiff(a uint32, b uint8) uint32 {
	if a > uint32(b) {
		return a - uint32(b)
	}
	return uint32(b) - a
}
