package occlusion

import (
	"fmt"
	"io"
	"time"

	"github.com/occfer/occfer/internal/progress"
)

// newProgress reports images as they finish: a pb/v3 bar (rate and ETA) when useBar (a
// terminal), or a plain line every 5 s otherwise, so logs of batch jobs stay readable.
func newProgress(w io.Writer, useBar bool, total int) *progress.Reporter {
	return progress.New(w, total, progress.Options{
		Bar:      useBar,
		Template: `{{counters . }} {{bar . }} {{percent . }} {{speed . "%s img/s" "? img/s"}} {{rtime . "ETA %s"}}`,
		Header:   fmt.Sprintf("occlude: %d images to process", total),
		Every:    5 * time.Second,
		Line: func(s progress.Status) string {
			return fmt.Sprintf("occlude: %d/%d images (%.1f%%), %.1f img/s, ETA %s", s.Done, s.Total, s.Percent(), s.Rate(), s.ETA())
		},
	})
}
