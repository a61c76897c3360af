package train

import (
	"fmt"
	"io"
	"time"

	"github.com/occfer/occfer/internal/progress"
)

// newProgress starts the display of an epoch of total images: running loss, accuracy and
// images/s on a pb/v3 bar on a terminal, or a plain line every 10 s otherwise (logs, CI,
// pipes). w == nil disables it.
func newProgress(w io.Writer, title string, total int) *progress.Reporter {
	return progress.New(w, total, progress.Options{
		Bar:      progress.IsTerminal(w),
		Template: `{{string . "prefix"}} {{counters . }} {{bar . }} {{percent . }} {{string . "note"}}`,
		Prefix:   title,
		Refresh:  250 * time.Millisecond,
		Every:    10 * time.Second,
		Line: func(s progress.Status) string {
			return fmt.Sprintf("%s %d/%d %s", title, s.Done, s.Total, s.Note)
		},
	})
}

// epochNote is the text after the bar: running loss and accuracy, mean images/s.
func epochNote(loss, acc float64) func(progress.Status) string {
	return func(s progress.Status) string {
		return fmt.Sprintf("loss %.4f acc %.2f%% %.1f img/s", loss, 100*acc, s.Rate())
	}
}
