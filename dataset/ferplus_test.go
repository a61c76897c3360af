package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// grayPNG encodes a w x h grayscale image whose pixels are v, v+1, ...
func grayPNG(t *testing.T, w, h int, v uint8) string {
	t.Helper()
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = v + uint8(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// ferPlusTree writes a FERPlus folder tree whose label.csv files carry a BOM, CRLF line ends,
// a header, a missing image and crafted votes.
func ferPlusTree(t *testing.T) string {
	t.Helper()
	img := grayPNG(t, 2, 2, 10)
	crlf := func(s string) string { return "\xEF\xBB\xBF" + strings.ReplaceAll(s, "\n", "\r\n") }
	return writeTree(t, map[string]string{
		"FER2013Train/label.csv": crlf(`name,box,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF
fer0000000.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0
fer0000001.png,"(0, 0, 48, 48)",6,0,1,1,0,0,0,0,2,0
fer0000002.png,"(0, 0, 48, 48)",0,6,0,0,0,0,0,4,0,0
fer0000003.png,"(0, 0, 48, 48)",1,1,1,1,1,1,1,3,0,0
fer0000004.png,"(0, 0, 48, 48)",0,0,0,0,0,0,0,0,10,0
fer0000009.png,"(0, 0, 48, 48)",0,10,0,0,0,0,0,0,0,0
fer0000005.png,"(0, 0, 48, 48)",0,10,0,0,0,0,0
  
`),
		"FER2013Valid/label.csv": crlf(`fer0000006.png,"(0, 0, 48, 48)",0,6,0,0,0,0,0,4,0,0
fer0000007.png,"(0, 0, 48, 48)",2,0,0,0,0,0,0,0,0,8
`),
		"FER2013Train/fer0000000.png": img, "FER2013Train/fer0000001.png": img, "FER2013Train/fer0000002.png": img,
		"FER2013Train/fer0000003.png": img, "FER2013Train/fer0000004.png": img, "FER2013Train/fer0000005.png": img,
		"FER2013Train/extra.png":      img,
		"FER2013Valid/fer0000006.png": img, "FER2013Valid/fer0000007.png": img,
	})
}

func TestOpenFERPlusFolders(t *testing.T) {
	root := ferPlusTree(t)
	type want struct {
		label  int
		target []float32
	}
	cases := []struct {
		name  string
		opts  LabelOptions
		items map[string]want
		codes []string
	}{
		{"majority 8", LabelOptions{}, map[string]want{
			"FER2013Train/fer0000001.png": {0, nil}, "FER2013Train/fer0000002.png": {1, nil},
			"FER2013Train/fer0000003.png": {7, nil}, "FER2013Valid/fer0000006.png": {1, nil},
		}, []string{CodeNoMajority, CodeUnknownWinner, CodeNotAFace}},
		{"majority 7", LabelOptions{FERPlusClasses: 7}, map[string]want{
			"FER2013Train/fer0000001.png": {0, nil}, "FER2013Train/fer0000002.png": {1, nil}, "FER2013Valid/fer0000006.png": {1, nil},
		}, []string{CodeNoMajority, CodeContempt, CodeUnknownWinner, CodeNotAFace}},
		{"crossentropy 8: soft targets on train only", LabelOptions{FERPlusMode: ModeCrossEntropy}, map[string]want{
			"FER2013Train/fer0000000.png": {0, []float32{4.0 / 7, 0, 0, 0, 3.0 / 7, 0, 0, 0}},
			"FER2013Train/fer0000001.png": {0, []float32{1, 0, 0, 0, 0, 0, 0, 0}},
			"FER2013Train/fer0000002.png": {1, []float32{0, 0.6, 0, 0, 0, 0, 0, 0.4}},
			"FER2013Train/fer0000003.png": {7, []float32{0, 0, 0, 0, 0, 0, 0, 1}},
			"FER2013Valid/fer0000006.png": {1, nil},
		}, []string{CodeUnknownWinner, CodeNotAFace}},
		{"probability 7", LabelOptions{FERPlusMode: ModeProbability, FERPlusClasses: 7}, map[string]want{
			"FER2013Train/fer0000000.png": {0, []float32{4.0 / 7, 0, 0, 0, 3.0 / 7, 0, 0}},
			"FER2013Train/fer0000001.png": {0, []float32{1, 0, 0, 0, 0, 0, 0}},
			"FER2013Train/fer0000002.png": {1, []float32{0, 1, 0, 0, 0, 0, 0}},
			"FER2013Valid/fer0000006.png": {1, nil},
		}, []string{CodeContempt, CodeUnknownWinner, CodeNotAFace}},
	}
	// Problems every mode has: the short line 8 and the missing image on line 7 of the train
	// labels, and two images no label.csv lists: extra.png and the image of the short line.
	common := []string{CodeBadLine, CodeMissingImage, CodeUnlisted, CodeUnlisted}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Open(root, OpenOptions{LabelOptions: c.opts})
			if err != nil {
				t.Fatal(err)
			}
			n := 8
			if c.opts.FERPlusClasses == 7 {
				n = 7
			}
			if d.Layout != LayoutFERPlus || len(d.Classes) != n || d.Classes[0] != Neutral || d.Classes[1] != Happiness {
				t.Fatalf("layout %s classes %v", d.Layout, d.Classes)
			}
			if len(d.Items) != 9 {
				t.Fatalf("%d items, want 9 (8 listed images + extra.png)", len(d.Items))
			}
			labelled := 0
			for _, it := range d.Items {
				w, ok := c.items[it.Rel]
				if !ok {
					if it.Label != -1 {
						t.Errorf("%s: label %d, want none", it.Rel, it.Label)
					}
					continue
				}
				labelled++
				if it.Label != w.label || len(it.Target) != len(w.target) {
					t.Errorf("%s: label %d target %v, want %d %v", it.Rel, it.Label, it.Target, w.label, w.target)
					continue
				}
				for k := range w.target {
					if d := it.Target[k] - w.target[k]; d > 1e-6 || d < -1e-6 {
						t.Errorf("%s: target %v, want %v", it.Rel, it.Target, w.target)
						break
					}
				}
			}
			if labelled != len(c.items) {
				t.Errorf("%d of the expected items found", labelled)
			}
			var codes []string
			for _, p := range d.Problems {
				if p.Path == "" || (p.Code != CodeUnlisted && p.Line == 0) {
					t.Errorf("problem without file or line: %+v", p)
				}
				codes = append(codes, p.Code)
			}
			wantCodes := append(append([]string{}, common...), c.codes...)
			slices.Sort(codes)
			slices.Sort(wantCodes)
			if !slices.Equal(codes, wantCodes) {
				t.Errorf("problem codes %v, want %v\n%v", codes, wantCodes, d.Problems)
			}
		})
	}
	// Lines are counted as the file has them despite the BOM, CRLF and header: the missing
	// fer0000009.png is line 7, the short row line 8; the not-a-face image of the
	// validation file is its line 2.
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	for _, p := range d.Problems {
		lines[p.Code] = p.Line
	}
	if lines[CodeMissingImage] != 7 || lines[CodeBadLine] != 8 || lines[CodeNotAFace] != 2 || lines[CodeNoMajority] != 2 {
		t.Errorf("problem lines %v", lines)
	}
}

// TestDescribeJSON: `ffra data --json` has exactly the keys layout, classes, splits (train,
// val, test; classes in order) and problems.
func TestDescribeJSON(t *testing.T) {
	d, err := Open(ferPlusTree(t), OpenOptions{LabelOptions: LabelOptions{FERPlusClasses: 7}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(Describe(d, 2))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"layout":"ferplus","classes":["Neutral","Happiness","Surprise","Sadness","Anger","Disgust","Fear"],` +
		`"splits":{"train":{"Neutral":1,"Happiness":1,"Surprise":0,"Sadness":0,"Anger":0,"Disgust":0,"Fear":0},` +
		`"val":{"Neutral":0,"Happiness":1,"Surprise":0,"Sadness":0,"Anger":0,"Disgust":0,"Fear":0},` +
		`"test":{"Neutral":0,"Happiness":0,"Surprise":0,"Sadness":0,"Anger":0,"Disgust":0,"Fear":0}},"problems":[`
	if !strings.HasPrefix(string(data), want) {
		t.Fatalf("JSON\n%s\nwant prefix\n%s", data, want)
	}
	var back struct {
		Problems []ProblemGroup `json:"problems"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, g := range back.Problems {
		total += g.Count
		if len(g.Examples) == 0 || len(g.Examples) > 2 || !strings.Contains(g.Examples[0], "FER2013") {
			t.Errorf("group %+v", g)
		}
	}
	if total != len(d.Problems) {
		t.Errorf("groups count %d problems, dataset has %d", total, len(d.Problems))
	}
	var text bytes.Buffer
	if err := WriteText(&text, d, Describe(d, 2)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "1 Happiness") || !strings.Contains(text.String(), "contempt-dropped") {
		t.Errorf("text:\n%s", text.String())
	}
}

// fer2013Files returns a tiny fer2013.csv (2x2 images) and a matching fer2013new.csv.
func fer2013Files() (fer, ferNew string) {
	fer = "emotion,pixels,Usage\n" +
		"3,0 1 2 3,Training\n" + // happy
		"0,4 5 6 7,Training\n" + // angry
		"6,8 9 10 11,PublicTest\n" +
		"9,1 1 1 1,Training\n" + // no FER2013 label
		"4,1 2 3,PrivateTest\n" + // not a square
		"5,200 201 202 203,PrivateTest\n"
	ferNew = "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n" +
		"Training,fer0000000.png,0,10,0,0,0,0,0,0,0,0\n" +
		"Training,,0,0,0,0,0,0,0,0,0,10\n" + // dropped by the FERPlus authors
		"PublicTest,fer0000002.png,8,0,0,0,0,0,0,2,0,0\n" +
		"Training,fer0000003.png,0,0,0,0,0,0,0,0,0,10\n" +
		"PrivateTest,fer0000004.png,0,0,0,10,0,0,0,0,0,0\n" +
		"PublicTest,fer0000005.png,0,0,9,0,0,0,0,0,1,0\n" // Usage differs from fer2013.csv
	return fer, ferNew
}

func TestOpenFER2013CSV(t *testing.T) {
	fer, ferNew := fer2013Files()
	t.Run("fer2013 alone", func(t *testing.T) {
		root := writeTree(t, map[string]string{FER2013CSV: "\xEF\xBB\xBF" + strings.ReplaceAll(fer, "\n", "\r\n")})
		d, err := Open(root, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Layout != LayoutFER2013CSV || !slices.Equal(d.Classes, []string{Anger, Disgust, Fear, Happiness, Sadness, Surprise, Neutral}) {
			t.Fatalf("layout %s classes %v", d.Layout, d.Classes)
		}
		want := []struct {
			rel   string
			label int
			pix0  uint8
		}{{"test/surprise/fer0000005.png", 5, 200}, {"train/angry/fer0000001.png", 0, 4}, {"train/happy/fer0000000.png", 3, 0}, {"val/neutral/fer0000002.png", 6, 8}}
		if len(d.Items) != len(want) {
			t.Fatalf("%d items: %+v", len(d.Items), d.Items)
		}
		for i, w := range want {
			it := d.Items[i]
			if it.Rel != w.rel || it.Label != w.label || it.Pixels == nil || it.Pixels.W != 2 || it.Pixels.Pix[0] != w.pix0 || it.Abs != "" {
				t.Errorf("item %d = %+v, want %+v", i, it, w)
			}
		}
		if len(d.Problems) != 2 || d.Problems[0].Line != 5 || d.Problems[0].Code != CodeUnknownLabel || d.Problems[1].Line != 6 {
			t.Errorf("problems %v", d.Problems)
		}
		if _, err := Open(root, OpenOptions{NeedFiles: true}); err == nil || !strings.Contains(err.Error(), "ffra data") {
			t.Errorf("NeedFiles: %v", err)
		}
	})
	t.Run("with fer2013new", func(t *testing.T) {
		root := writeTree(t, map[string]string{FER2013CSV: fer, FERPlusCSV: ferNew})
		d, err := Open(root, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Layout != LayoutFERPlusCSV || len(d.Classes) != 8 {
			t.Fatalf("layout %s classes %v", d.Layout, d.Classes)
		}
		got := map[string]int{}
		for _, it := range d.Items {
			got[it.Rel] = it.Label
		}
		want := map[string]int{"FER2013Train/fer0000000.png": 1, "FER2013Valid/fer0000002.png": 0, "FER2013Test/fer0000005.png": 2}
		if len(got) != len(want) {
			t.Errorf("items %v, want %v", got, want)
		}
		for rel, l := range want {
			if got[rel] != l {
				t.Errorf("%s: label %d, want %d (all %v)", rel, got[rel], l, got)
			}
		}
		codes := map[string]int{}
		for _, p := range d.Problems {
			codes[p.Code] = p.Line
		}
		// fer2013.csv: line 5 no label, line 6 not square; fer2013new.csv: line 3 dropped
		// row, line 7 Usage differs. Row 3 (not-a-face votes) has no FER2013 label so never
		// gets as far as the votes.
		if codes[CodeFERPlusNoName] != 3 || codes[CodeUsage] != 7 || codes[CodeUnknownLabel] != 5 || codes[CodeBadLine] != 6 || len(d.Problems) != 4 {
			t.Errorf("problems %v", d.Problems)
		}
		rows := strings.Split(ferNew, "\n")
		short := writeTree(t, map[string]string{FER2013CSV: fer, FERPlusCSV: strings.Join(rows[:4], "\n")})
		if _, err := Open(short, OpenOptions{}); err == nil || !strings.Contains(err.Error(), "same rows") {
			t.Errorf("row count mismatch: %v", err)
		}
	})
	t.Run("fer2013new alone", func(t *testing.T) {
		root := writeTree(t, map[string]string{FERPlusCSV: ferNew})
		if _, err := Open(root, OpenOptions{}); err == nil || !strings.Contains(err.Error(), FER2013CSV) {
			t.Errorf("fer2013new.csv without fer2013.csv: %v", err)
		}
	})
}

// TestExportFERPlusCSV: the export is a FERPlus folder tree that reads back as the same
// items, labels and pixels, and a second export writes the same bytes.
func TestExportFERPlusCSV(t *testing.T) {
	fer, ferNew := fer2013Files()
	root := writeTree(t, map[string]string{FER2013CSV: fer, FERPlusCSV: ferNew})
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Export(d, filepath.Join(root, "out")); err == nil {
		t.Error("export into the input tree accepted")
	}
	out := filepath.Join(t.TempDir(), "exp")
	sum, err := Export(d, out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Images != 3 || sum.LabelFiles != 3 {
		t.Errorf("export summary %+v", sum)
	}
	label, _ := os.ReadFile(filepath.Join(out, "FER2013Train", FERPlusLabelFile))
	if string(label) != "fer0000000.png,\"(0, 0, 2, 2)\",0,10,0,0,0,0,0,0,0,0\n" {
		t.Errorf("label.csv = %q", label)
	}
	back, err := Open(out, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Layout != LayoutFERPlus || len(back.Items) != len(d.Items) || len(back.Problems) != 0 {
		t.Fatalf("read back: %s, %d items, problems %v", back.Layout, len(back.Items), back.Problems)
	}
	for i, it := range back.Items {
		if it.Rel != d.Items[i].Rel || it.Label != d.Items[i].Label || it.Split != d.Items[i].Split {
			t.Errorf("item %d: %+v, want %+v", i, it, d.Items[i])
		}
		data, _ := os.ReadFile(it.Abs)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if g, ok := img.(*image.Gray); !ok || !bytes.Equal(g.Pix, d.Items[i].Pixels.Pix) {
			t.Errorf("%s: pixels differ", it.Rel)
		}
	}
	first, _ := os.ReadFile(back.Items[0].Abs)
	if _, err := Export(d, out); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(back.Items[0].Abs)
	if !bytes.Equal(first, again) {
		t.Error("a second export wrote different bytes")
	}
	// A FER2013-only export reads back by name; with --class-order fer2013 in FER2013's order.
	only := writeTree(t, map[string]string{FER2013CSV: fer})
	d2, err := Open(only, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(t.TempDir(), "exp2")
	if _, err := Export(d2, out2); err != nil {
		t.Fatal(err)
	}
	back2, err := Open(out2, OpenOptions{NeedLabels: true, LabelOptions: LabelOptions{ClassOrder: "fer2013"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range back2.Items {
		if it.Rel != d2.Items[i].Rel || it.Label != d2.Items[i].Label {
			t.Errorf("fer2013 export item %d: %+v, want %+v", i, it, d2.Items[i])
		}
	}
}

// TestReadCSVUnclosedQuote: a record whose quote is not closed is reported on the line it
// starts on, saying how far it ran; the records around it are read with their own lines.
func TestReadCSVUnclosedQuote(t *testing.T) {
	data := "\xEF\xBB\xBFa.png,\"(0, 0, 48, 48)\",1\r\n" +
		"b.png,\"(0, 0, 48, 48),1\r\n" +
		"c.png,\"(0, 0, 48, 48)\",1\r\n" +
		"d.png,\"(0, 0, 48, 48)\",1\r\n"
	var got []string
	type bad struct {
		line   int
		reason string
	}
	var bads []bad
	err := readCSV("label.csv", []byte(data),
		func(line int, rec []string) { got = append(got, fmt.Sprintf("%d:%s", line, rec[0])) },
		func(line int, reason string) { bads = append(bads, bad{line, reason}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(bads) != 1 || bads[0].line != 2 || !strings.Contains(bads[0].reason, "runs on to line 3") {
		t.Fatalf("bad records %+v, want one on line 2 that runs on to line 3", bads)
	}
	if !slices.Equal(got, []string{"1:a.png", "4:d.png"}) {
		t.Errorf("records %v, want [1:a.png 4:d.png]", got)
	}
}
