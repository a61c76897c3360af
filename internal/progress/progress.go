// Package progress reports how many of a known number of items are done: a pb/v3 bar on a
// terminal, or a plain line at most every few seconds otherwise (logs, CI, pipes), where a
// bar's carriage returns would turn into thousands of lines. occlude's image loop and ffra's
// training epochs both use it; each caller chooses the bar's template and the plain line.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cheggaaa/pb/v3"
	"github.com/mattn/go-isatty"
)

// Options configure a Reporter.
type Options struct {
	// Bar draws a pb/v3 bar (use IsTerminal on the writer); otherwise plain lines are written.
	Bar bool
	// Template is the bar's pb/v3 template. {{string . "prefix"}} shows Prefix and
	// {{string . "note"}} the text of the latest Add's note.
	Template string
	Prefix   string
	// Refresh is the bar's redraw interval (0: pb's default, 200 ms).
	Refresh time.Duration

	// Header is written once, as its own line, at the start of plain output ("" for none).
	Header string
	// Line renders a plain progress line (without the newline); nil writes none.
	Line func(Status) string
	// Every is the least time between two plain lines; the first comes Every after the start.
	Every time.Duration
}

// Status is the state of a Reporter when it renders a note or a plain line.
type Status struct {
	Done, Total int
	Elapsed     time.Duration // since New
	Note        string        // the latest note ("" before the first)
}

// Rate is the mean number of items per second since the start.
func (s Status) Rate() float64 { return float64(s.Done) / s.Elapsed.Seconds() }

// Percent is Done as a percentage of Total (of 1 when Total is 0).
func (s Status) Percent() float64 { return 100 * float64(s.Done) / float64(max(s.Total, 1)) }

// ETA is the time left at the mean rate, in whole seconds, or "?" before anything is done.
func (s Status) ETA() string {
	rate := s.Rate()
	if !(rate > 0) {
		return "?"
	}
	return (time.Duration(float64(s.Total-s.Done)/rate) * time.Second).String()
}

// Reporter counts finished items and shows them. Its methods may be called from several
// goroutines.
type Reporter struct {
	w     io.Writer
	opts  Options
	bar   *pb.ProgressBar
	total int
	start time.Time

	mu   sync.Mutex
	done int
	note string
	last time.Time // of the latest plain line (the start before the first)
}

// New starts reporting on total items to w; a nil w reports nothing.
func New(w io.Writer, total int, opts Options) *Reporter {
	r := &Reporter{w: w, opts: opts, total: total, start: time.Now()}
	r.last = r.start
	if w == nil {
		return r
	}
	if opts.Bar {
		r.bar = pb.ProgressBarTemplate(opts.Template).New(total)
		r.bar.SetWriter(w)
		r.bar.Set("prefix", opts.Prefix)
		if opts.Refresh > 0 {
			r.bar.SetRefreshRate(opts.Refresh)
		}
		r.bar.Start()
	} else if opts.Header != "" {
		fmt.Fprintln(w, opts.Header)
	}
	return r
}

// Add records n more finished items. note, when not nil, renders the text shown by the bar's
// {{string . "note"}} and in Status.Note, from the counts after this call.
func (r *Reporter) Add(n int, note func(Status) string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += n
	if r.w == nil {
		return
	}
	now := time.Now()
	s := Status{Done: r.done, Total: r.total, Elapsed: now.Sub(r.start), Note: r.note}
	if note != nil {
		r.note = note(s)
		s.Note = r.note
	}
	if r.bar != nil {
		if note != nil {
			r.bar.Set("note", r.note)
		}
		r.bar.Add(n)
		return
	}
	if r.opts.Line == nil || now.Sub(r.last) < r.opts.Every {
		return
	}
	r.last = now
	fmt.Fprintln(r.w, r.opts.Line(s))
}

// Finish stops the bar (it draws its final state); plain output needs no closing line.
func (r *Reporter) Finish() {
	if r.bar != nil {
		r.bar.Finish()
	}
}

// IsTerminal reports whether w is a terminal, where a bar is wanted.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
