package face68

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testShape is a distinct, non-integer shape so parsing errors show.
func testShape(k float64) Shape {
	var s Shape
	for i := range s {
		s[i] = Point{k + float64(i) + 0.25, 2*k + float64(i)*0.5}
	}
	return s
}

func csvLine(rel string, s Shape) string {
	var b strings.Builder
	b.WriteString(rel)
	for _, p := range s {
		fmt.Fprintf(&b, ",%g,%g", p.X, p.Y)
	}
	return b.String() + "\n"
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFileJSONL(t *testing.T) {
	a, b := testShape(1), testShape(7)
	var data []byte
	data = AppendJSONL(data, "Image/aligned/train_00001_aligned.jpg", a, -1)
	data = append(data, '\n') // blank lines are allowed
	data = AppendJSONL(data, "./x/../Image/b.jpg", b, -1)
	got, err := LoadFile(writeTemp(t, "landmarks68.jsonl", string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["Image/aligned/train_00001_aligned.jpg"] != a || got["Image/b.jpg"] != b {
		t.Errorf("got %d shapes, keys/values wrong: %v", len(got), keys(got))
	}
}

// TestLoadFileLandmarkers: a line's "landmarker" (written by AppendJSONLBy, after the
// landmarks) is read back per cleaned path; lines without one, and CSV files, give none;
// LoadFile reads the same shapes.
func TestLoadFileLandmarkers(t *testing.T) {
	a, b := testShape(1), testShape(2)
	data := AppendJSONLBy(nil, "./crops/a.jpg", a, -1, "facemesh")
	if !strings.HasSuffix(string(data), `]],"landmarker":"facemesh"}`+"\n") {
		t.Fatalf("line %q: want the landmarker after the landmarks", data)
	}
	data = AppendJSONL(data, "crops/b.jpg", b, -1)
	file := writeTemp(t, "landmarks68.jsonl", string(data))
	shapes, by, err := LoadFileLandmarkers(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(shapes) != 2 || shapes["crops/a.jpg"] != a || shapes["crops/b.jpg"] != b {
		t.Errorf("shapes: keys %v", keys(shapes))
	}
	if len(by) != 1 || by["crops/a.jpg"] != "facemesh" {
		t.Errorf("landmarkers %v, want crops/a.jpg: facemesh only", by)
	}
	plain, err := LoadFile(file)
	if err != nil || len(plain) != 2 || plain["crops/a.jpg"] != a {
		t.Errorf("LoadFile: %v, %v", keys(plain), err)
	}
	_, by, err = LoadFileLandmarkers(writeTemp(t, "l.csv", csvLine("a.jpg", a)))
	if err != nil || len(by) != 0 {
		t.Errorf("csv: landmarkers %v, %v; want none", by, err)
	}
}

func keys(m map[string]Shape) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	return k
}

func TestLoadFileCSV(t *testing.T) {
	a, b := testShape(3), testShape(4)
	header := "path"
	for i := range 68 {
		header += fmt.Sprintf(",x%d,y%d", i, i)
	}
	for _, withHeader := range []bool{true, false} {
		content := csvLine("a.jpg", a) + csvLine("sub/b.png", b)
		if withHeader {
			content = header + "\n" + content
		}
		got, err := LoadFile(writeTemp(t, "lm.csv", content))
		if err != nil {
			t.Fatalf("header=%v: %v", withHeader, err)
		}
		if len(got) != 2 || got["a.jpg"] != a || got["sub/b.png"] != b {
			t.Errorf("header=%v: wrong shapes, keys %v", withHeader, keys(got))
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	good := string(AppendJSONL(nil, "a.jpg", testShape(1), -1))
	short := `{"path":"b.jpg","landmarks":[[1,2],[3,4]]}` + "\n"
	badNum := strings.Replace(string(AppendJSONL(nil, "b.jpg", testShape(1), -1)), "[1.25,", `["x",`, 1)
	cases := []struct {
		name, file, content, want string
	}{
		{"wrong count", "l.jsonl", good + short, "line 2: 2 landmarks, want 68"},
		{"bad number", "l.jsonl", good + badNum, `line 2: "landmarks" holds a JSON string, want a number`},
		{"not json", "l.jsonl", "{oops\n", "line 1"},
		{"triple", "l.jsonl", strings.Replace(good, "[1.25,2]", "[1.25,2,3]", 1), "line 1: landmark 0 is not an [x, y] pair"},
		{"missing path", "l.jsonl", strings.Replace(good, `"path":"a.jpg",`, "", 1), `line 1: missing "path"`},
		{"dotdot", "l.jsonl", string(AppendJSONL(nil, "../evil.jpg", testShape(1), -1)), "line 1: unsafe path"},
		{"inner dotdot", "l.jsonl", string(AppendJSONL(nil, "a/../../evil.jpg", testShape(1), -1)), "line 1: unsafe path"},
		{"absolute", "l.jsonl", string(AppendJSONL(nil, "/etc/x.jpg", testShape(1), -1)), "line 1: unsafe path"},
		{"backslash", "l.jsonl", string(AppendJSONL(nil, `a\b.jpg`, testShape(1), -1)), "line 1: unsafe path"},
		{"duplicate", "l.jsonl", good + good, "line 2: duplicate path \"a.jpg\" (first on line 1)"},
		{"csv count", "l.csv", csvLine("a.jpg", testShape(1)) + "b.jpg,1,2\n", "line 2: 3 fields, want 137"},
		{"csv number", "l.csv", csvLine("a.jpg", testShape(1)) + strings.Replace(csvLine("b.jpg", testShape(1)), ",1.25,", ",1.2.5,", 1), "line 2: landmark 0: bad number \"1.2.5\""},
		{"csv nan", "l.csv", strings.Replace(csvLine("b.jpg", testShape(1)), ",1.25,", ",NaN,", 1), "line 1: landmark 0: bad number"},
		{"csv dotdot", "l.csv", csvLine("../b.jpg", testShape(1)), "line 1: unsafe path"},
		{"landmarker case", "l.jsonl", good + string(AppendJSONLBy(nil, "b.jpg", testShape(1), -1, "FaceMesh")), `line 2: landmarker "FaceMesh"`},
		{"landmarker empty", "l.jsonl", strings.Replace(good, `]]}`, `]],"landmarker":""}`, 1), "line 1: landmarker"},
		{"landmarker number", "l.jsonl", strings.Replace(good, `]]}`, `]],"landmarker":3}`, 1), `line 1: "landmarker" holds a JSON number, want a string`},
		{"path array", "l.jsonl", strings.Replace(good, `"path":"a.jpg"`, `"path":[1]`, 1), `line 1: "path" holds a JSON array, want a string`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := writeTemp(t, c.file, c.content)
			_, err := LoadFile(file)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want the file name and %q", err, c.want)
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "none.jsonl")
	if _, err := LoadFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
}

// TestLoadFileBOMAndCRLF: files saved by Windows tools (a UTF-8 byte-order mark, CRLF line
// ends, trailing blanks) read exactly like clean ones, and errors still name the right line.
func TestLoadFileBOMAndCRLF(t *testing.T) {
	a, b := testShape(2), testShape(5)
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", " \r\n") }
	jsonl := "\xEF\xBB\xBF" + crlf(string(AppendJSONL(AppendJSONL(nil, "a.jpg", a, -1), "b.jpg", b, -1))+"\n")
	csvData := "\xEF\xBB\xBF" + crlf(csvLine("a.jpg", a)+csvLine("b.jpg", b))
	for _, c := range []struct{ name, data string }{{"landmarks68.jsonl", jsonl}, {"landmarks68.csv", csvData}} {
		t.Run(c.name, func(t *testing.T) {
			got, err := LoadFile(writeTemp(t, c.name, c.data))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got["a.jpg"] != a || got["b.jpg"] != b {
				t.Errorf("got %d shapes %v; want a.jpg and b.jpg with their points", len(got), keys(got))
			}
		})
	}
	// After two shapes and a blank line, a bad line of a BOM + CRLF file is line 4.
	bad := jsonl + "{\"path\": \"c.jpg\"}\r\n"
	if _, err := LoadFile(writeTemp(t, "l.jsonl", bad)); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("bad line after a blank one: %v, want line 4", err)
	}
}

func TestAppendJSONLPrecision(t *testing.T) {
	var s Shape
	s[0] = Point{1.25, -0.0004}
	s[67] = Point{100, 1.0 / 3}
	cases := []struct {
		name      string
		prec      int
		first     string
		last      string
		roundTrip bool
	}{
		{"shortest", -1, "[1.25,-0.0004]", "[100,0.3333333333333333]", true},
		{"3 decimals", 3, "[1.250,-0.000]", "[100.000,0.333]", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := string(AppendJSONL(nil, "Image/a.jpg", s, c.prec))
			if !strings.HasPrefix(line, `{"path":"Image/a.jpg","landmarks":[`+c.first+",[0") || !strings.HasSuffix(line, ","+c.last+"]}\n") {
				t.Fatalf("line %q", line)
			}
			got, err := LoadFile(writeTemp(t, "lm.jsonl", line))
			if err != nil {
				t.Fatal(err)
			}
			if (got["Image/a.jpg"] == s) != c.roundTrip {
				t.Errorf("read back %v, want exact round trip %v", got["Image/a.jpg"][0], c.roundTrip)
			}
		})
	}
}
