package textfile

import (
	"slices"
	"testing"
)

func TestLines(t *testing.T) {
	type line struct {
		n    int
		text string
	}
	cases := []struct {
		name string
		in   string
		want []line
	}{
		{"plain", "a 1\nb 2\n", []line{{1, "a 1"}, {2, "b 2"}}},
		{"bom", "\xEF\xBB\xBFa 1\nb 2", []line{{1, "a 1"}, {2, "b 2"}}},
		{"crlf", "a 1\r\nb 2\r\n", []line{{1, "a 1"}, {2, "b 2"}}},
		{"bom crlf trailing blanks", "\xEF\xBB\xBFa 1 \t\r\n\r\nb 2  \r\n  \r\n", []line{{1, "a 1"}, {2, ""}, {3, "b 2"}, {4, ""}}},
		{"old mac", "a\rb\r", []line{{1, "a"}, {2, "b"}}},
		{"no final newline", "a\nb", []line{{1, "a"}, {2, "b"}}},
		{"empty", "", nil},
		{"only bom", "\xEF\xBB\xBF", nil},
		{"leading blanks kept", "  a\n", []line{{1, "  a"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []line
			for n, s := range Lines([]byte(c.in)) {
				got = append(got, line{n, s})
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Lines(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
	// Stopping early must not panic or continue.
	count := 0
	for range Lines([]byte("a\nb\nc\n")) {
		count++
		break
	}
	if count != 1 {
		t.Errorf("break after the first line yielded %d lines", count)
	}
	if got := string(StripBOM([]byte("\xEF\xBB\xBFx"))); got != "x" {
		t.Errorf("StripBOM = %q", got)
	}
}
