package progress

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, 3, Options{
		Header: "job: 3 items",
		Line:   func(s Status) string { return fmt.Sprintf("job %d/%d [%s]", s.Done, s.Total, s.Note) },
	})
	r.Add(1, nil)
	r.Add(1, func(s Status) string { return fmt.Sprintf("after %d", s.Done) })
	r.Add(1, nil)
	r.Finish()
	want := "job: 3 items\njob 1/3 []\njob 2/3 [after 2]\njob 3/3 [after 2]\n"
	if buf.String() != want {
		t.Fatalf("output %q, want %q", buf.String(), want)
	}
}

func TestPlainLinesThrottled(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, 5, Options{Every: time.Hour, Line: func(Status) string { return "line" }})
	for range 5 {
		r.Add(1, nil)
	}
	if buf.Len() != 0 {
		t.Fatalf("wrote %q within the first interval", buf.String())
	}
}

func TestConcurrentAdds(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, 400, Options{Line: func(s Status) string { return fmt.Sprint(s.Done) }})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				r.Add(1, nil)
			}
		}()
	}
	wg.Wait()
	lines := strings.Fields(buf.String())
	if len(lines) != 400 || lines[399] != "400" {
		t.Fatalf("%d lines, last %q; want 400 ending in 400", len(lines), lines[len(lines)-1])
	}
	for i, l := range lines {
		if l != fmt.Sprint(i+1) {
			t.Fatalf("line %d is %q: counts out of order", i, l)
		}
	}
}

func TestBar(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, 4, Options{Bar: true, Prefix: "epoch 1/2",
		Template: `{{string . "prefix"}} {{counters . }} {{string . "note"}}`,
		Header:   "never shown with a bar", Line: func(Status) string { return "never" }})
	r.Add(3, func(s Status) string { return fmt.Sprintf("loss %d", s.Done) })
	r.Add(1, func(s Status) string { return fmt.Sprintf("loss %d", s.Done) })
	r.Finish()
	out := buf.String()
	if !strings.Contains(out, "epoch 1/2 4 / 4 loss 4") {
		t.Errorf("bar output %q lacks the final state", out)
	}
	if strings.Contains(out, "never") {
		t.Errorf("bar output %q has plain-mode text", out)
	}
}

func TestSilent(t *testing.T) {
	r := New(nil, 2, Options{Bar: true, Line: func(Status) string { t.Fatal("rendered a line for a nil writer"); return "" }})
	r.Add(2, func(Status) string { t.Fatal("rendered a note for a nil writer"); return "" })
	r.Finish()
}

func TestStatus(t *testing.T) {
	cases := []struct {
		name    string
		s       Status
		rate    float64
		percent float64
		eta     string
	}{
		{"half way", Status{Done: 50, Total: 100, Elapsed: 10 * time.Second}, 5, 50, "10s"},
		{"nothing done", Status{Done: 0, Total: 10, Elapsed: time.Second}, 0, 0, "?"},
		{"fraction of a second left", Status{Done: 3, Total: 4, Elapsed: 2 * time.Second}, 1.5, 75, "0s"},
		{"empty job", Status{Done: 0, Total: 0, Elapsed: time.Second}, 0, 0, "?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.Rate(); got != c.rate {
				t.Errorf("Rate %v, want %v", got, c.rate)
			}
			if got := c.s.Percent(); got != c.percent {
				t.Errorf("Percent %v, want %v", got, c.percent)
			}
			if got := c.s.ETA(); got != c.eta {
				t.Errorf("ETA %q, want %q", got, c.eta)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}
