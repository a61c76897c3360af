package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// parseCase is one row of a parser's table: the input, and the value it gives or a part of
// the error it gives (err "" = no error).
type parseCase[R comparable] struct {
	in   string
	want R
	err  string
}

// testParse runs each case as a subtest named by its input.
func testParse[R comparable](t *testing.T, parse func(string) (R, error), cases []parseCase[R]) {
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parse(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("%v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParseIntRange(t *testing.T) {
	testParse(t, ParseIntRange, []parseCase[IntRange]{
		{"1,3", IntRange{1, 3}, ""},
		{" 2 , 5 ", IntRange{2, 5}, ""},
		{"1-3", IntRange{1, 3}, ""}, // occlude's old form
		{"4", IntRange{4, 4}, ""},
		{"-3,-1", IntRange{-3, -1}, ""},
		{"-3-1", IntRange{}, "negative bounds as MIN,MAX"},
		{"3,1", IntRange{}, "MIN 3 is above MAX 1"},
		{"1,2,3", IntRange{}, "want MIN,MAX whole numbers"},
		{"1-2-3", IntRange{}, "want MIN,MAX whole numbers"},
		{"a,b", IntRange{}, "want MIN,MAX whole numbers"},
		{"", IntRange{}, "want MIN,MAX whole numbers"},
	})
}

func TestParseFloatRange(t *testing.T) {
	testParse(t, ParseFloatRange, []parseCase[FloatRange]{
		{"0.05,0.25", FloatRange{0.05, 0.25}, ""},
		{"0.05-0.25", FloatRange{0.05, 0.25}, ""},
		{"1e-3-2e-1", FloatRange{0.001, 0.2}, ""},
		{"1E-3,1", FloatRange{0.001, 1}, ""},
		{"0.75,1.3333333", FloatRange{0.75, 1.3333333}, ""},
		{"-0.5,0.5", FloatRange{-0.5, 0.5}, ""},
		{"0.5", FloatRange{0.5, 0.5}, ""},
		{"-0.5-0.5", FloatRange{}, "negative bounds"},
		{"0.3-0.1", FloatRange{}, "MIN 0.3 is above MAX 0.1"},
		{"NaN,1", FloatRange{}, "finite"},
		{"0,Inf", FloatRange{}, "finite"},
		{"x", FloatRange{}, "want MIN,MAX numbers"},
	})
}

// Ranges read and write JSON as the flag syntax, so a config file says "1,3" like the flag.
func TestRangeJSON(t *testing.T) {
	var v struct {
		N IntRange   `json:"n"`
		F FloatRange `json:"f"`
	}
	if err := json.Unmarshal([]byte(`{"n":"2-4","f":"0.1,0.2"}`), &v); err != nil || v.N != (IntRange{2, 4}) || v.F != (FloatRange{0.1, 0.2}) {
		t.Fatalf("%+v, %v", v, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"n":"2,4","f":"0.1,0.2"}` {
		t.Fatalf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"n":"4,2"}`), &v); err == nil || !strings.Contains(err.Error(), "MIN 4 is above MAX 2") {
		t.Fatalf("bad range in JSON: %v", err)
	}
}
