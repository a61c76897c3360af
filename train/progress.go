package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cheggaaa/pb/v3"
	"github.com/mattn/go-isatty"
)

// progress shows the running loss, accuracy and images/s of an epoch: a pb/v3 bar on a
// terminal, or a plain line every few seconds (logs, CI, pipes), where a bar's carriage
// returns would turn into thousands of lines.
type progress struct {
	w      io.Writer
	bar    *pb.ProgressBar
	title  string
	total  int
	start  time.Time
	last   time.Time
	every  time.Duration
	images int
}

const barTemplate = `{{string . "prefix"}} {{counters . }} {{bar . }} {{percent . }} {{string . "suffix"}}`

// newProgress starts the display of an epoch of total images. w == nil disables it.
func newProgress(w io.Writer, title string, total int) *progress {
	p := &progress{w: w, title: title, total: total, start: time.Now(), every: 10 * time.Second}
	p.last = p.start
	if w == nil {
		return p
	}
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		p.bar = pb.ProgressBarTemplate(barTemplate).New(total)
		p.bar.SetWriter(w)
		p.bar.Set("prefix", title)
		p.bar.SetRefreshRate(250 * time.Millisecond)
		p.bar.Start()
	}
	return p
}

// update records n more images and the running loss and accuracy.
func (p *progress) update(n int, loss, acc float64) {
	p.images += n
	if p.w == nil {
		return
	}
	ips := float64(p.images) / time.Since(p.start).Seconds()
	suffix := fmt.Sprintf("loss %.4f acc %.2f%% %.1f img/s", loss, 100*acc, ips)
	if p.bar != nil {
		p.bar.Set("suffix", suffix)
		p.bar.Add(n)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		fmt.Fprintf(p.w, "%s %d/%d %s\n", p.title, p.images, p.total, suffix)
	}
}

// done closes the bar.
func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
