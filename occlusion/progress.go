package occlusion

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cheggaaa/pb/v3"
)

// progress reports items as they finish: a pb/v3 bar (rate and ETA) on a terminal, or a plain
// line every plainEvery otherwise, so logs of batch jobs stay readable.
type progress struct {
	bar   *pb.ProgressBar
	w     io.Writer
	total int
	start time.Time

	mu       sync.Mutex
	done     int
	lastLine time.Time
}

const plainEvery = 5 * time.Second

func newProgress(w io.Writer, useBar bool, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if w == nil {
		return p
	}
	if useBar {
		p.bar = pb.New(total)
		p.bar.SetWriter(w)
		p.bar.SetTemplateString(`{{counters . }} {{bar . }} {{percent . }} {{speed . "%s img/s" "? img/s"}} {{rtime . "ETA %s"}}`)
		p.bar.Start()
	} else {
		p.lastLine = p.start
		fmt.Fprintf(w, "occlude: %d images to process\n", total)
	}
	return p
}

func (p *progress) add(n int) {
	if p.bar != nil {
		p.bar.Add(n)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.w == nil || time.Since(p.lastLine) < plainEvery {
		return
	}
	p.lastLine = time.Now()
	el := time.Since(p.start).Seconds()
	rate := float64(p.done) / el
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).String()
	}
	fmt.Fprintf(p.w, "occlude: %d/%d images (%.1f%%), %.1f img/s, ETA %s\n",
		p.done, p.total, 100*float64(p.done)/float64(max(p.total, 1)), rate, eta)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
