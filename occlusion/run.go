package occlusion

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
)

// Summary reports a run.
type Summary struct {
	Items     int               // items this run (or shard) is responsible for
	Processed int               // items processed by this call
	Resumed   int               // items verified and kept from an earlier, interrupted call
	ByStatus  map[string]int    // over all Items, kept and new
	Failed    int               // unreadable + error
	Failures  []string          // "rel: error" of the first failed items by path (at most 20)
	Problems  []dataset.Problem // entries of the input that were skipped
	// Untrusted are what OUT held that was not trusted: links removed (CodeOutputLink), and
	// records of an earlier run that failed validation (CodeUntrustedRecord), whose items
	// were redone.
	Untrusted  []dataset.Problem
	Elapsed    time.Duration // the whole run
	Processing time.Duration // the image-processing phase alone
	PerSecond  float64       // Processed / Elapsed
	Manifest   string        // path of the manifest (or manifest part) written
}

// maxFailures bounds Summary.Failures; the manifest has them all.
const maxFailures = 20

// ErrInterrupted is wrapped by Run's error when the context was cancelled; the output is
// consistent and the run can be continued with Config.Resume.
var ErrInterrupted = errors.New("interrupted")

// Run occludes every selected item of cfg.In into cfg.Out. It returns an error for bad
// settings, an output inside the input, an interrupted run, or (with Strict) the first failed
// image; otherwise failures are counted in the Summary and recorded in the manifest.
func Run(ctx context.Context, c Config) (Summary, error) {
	start := time.Now()
	cfg := c.withDefaults()
	if err := cfg.validate(); err != nil {
		return Summary{}, err
	}
	// Parallelism is one image per worker; OpenCV's pool on top of it costs
	// CPU on images this small (see imageio.SetOpenCVThreads).
	defer imageio.SetOpenCVThreads(imageio.SetOpenCVThreads(1))
	r, err := newRunner(cfg)
	if err != nil {
		return Summary{}, err
	}
	defer r.close()
	sum := Summary{Items: len(r.selected), Problems: r.ds.Problems, Untrusted: r.untrusted, ByStatus: map[string]int{}}
	if cfg.Strict && len(r.ds.Problems) > 0 {
		return sum, fmt.Errorf("problems in the input (strict): %s", dataset.ProblemDigest(r.ds.Problems, 1))
	}
	if err := r.copyAux(); err != nil {
		return sum, err
	}
	done, err := r.resumeState()
	sum.Untrusted = r.untrusted
	if err != nil {
		return sum, err
	}
	sum.Resumed = len(done)
	jpath := filepath.Join(cfg.Out, stateDir, cfg.Shard.journalName())
	j, err := openJournal(jpath, done)
	if err != nil {
		return sum, err
	}
	var todo []dataset.Item
	for _, it := range r.selected {
		if _, ok := done[it.Rel]; !ok {
			todo = append(todo, it)
		}
	}
	pstart := time.Now()
	runErr := r.process(ctx, todo, j, done, &sum)
	sum.Processing = time.Since(pstart)
	if cerr := j.close(); runErr == nil {
		runErr = cerr
	}
	sum.Elapsed = time.Since(start)
	if s := sum.Elapsed.Seconds(); s > 0 {
		sum.PerSecond = float64(sum.Processed) / s
	}
	for _, rec := range done {
		sum.ByStatus[rec.Status]++
		if rec.failed() {
			sum.Failed++
			sum.Failures = append(sum.Failures, rec.In+": "+rec.Error)
		}
	}
	sort.Strings(sum.Failures)
	sum.Failures = sum.Failures[:min(len(sum.Failures), maxFailures)]
	if runErr != nil {
		return sum, runErr
	}
	if err := r.finish(done, jpath, &sum); err != nil {
		return sum, err
	}
	return sum, nil
}

// process runs the workers over todo and journals every record. Items (metadata) stream
// through a bounded channel and each worker holds one chunk of decoded images at a time
// (chunkItems, chunkPixels), so memory does not grow with the dataset; only the small records
// accumulate, for the sorted manifest.
func (r *runner) process(ctx context.Context, todo []dataset.Item, j *journal, done map[string]Record, sum *Summary) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prog := newProgress(r.cfg.Progress, r.cfg.ProgressBar, len(todo))
	defer prog.Finish()

	// The queue holds a chunk per worker, so a worker filling its chunk rarely waits.
	items := make(chan dataset.Item, r.cfg.Workers*chunkItems)
	results := make(chan Record, r.cfg.Workers)
	emit := func(rec Record) { results <- rec }
	var wg sync.WaitGroup
	for w := 0; w < r.cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx, items, emit)
		}()
	}
	go func() {
		defer close(items)
		for _, it := range todo {
			// Checked before the send too: select picks randomly among ready cases, and a
			// cancelled run must not start new items.
			if ctx.Err() != nil {
				return
			}
			select {
			case items <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var firstErr error
	for rec := range results {
		// In-flight items are finished and journaled even after a cancel: their outputs are
		// already written, and journaling them saves redoing them on resume.
		if err := j.append(rec, len(results) == 0); err != nil && firstErr == nil {
			firstErr = err
			cancel()
		}
		done[rec.In] = rec
		sum.Processed++
		prog.Add(1, nil)
		if r.cfg.OnRecord != nil {
			r.cfg.OnRecord(rec)
		}
		if r.cfg.Strict && rec.failed() && firstErr == nil {
			firstErr = fmt.Errorf("%s: %s (strict: stopping; fix or remove the file, then resume the run)", rec.In, rec.Error)
			cancel()
		}
	}
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil && sum.Processed < len(todo) {
		return fmt.Errorf("%w after %d of %d images (%v); the output is consistent and the run can be resumed",
			ErrInterrupted, len(done), len(r.selected), context.Cause(ctx))
	}
	return nil
}

// finish writes the sorted manifest (or this shard's part), then removes the journal, and
// draws the preview.
func (r *runner) finish(done map[string]Record, jpath string, sum *Summary) error {
	data, err := encodeManifest(done)
	if err != nil {
		return err
	}
	mpath := filepath.Join(r.cfg.Out, r.cfg.Shard.ManifestName())
	if err := dataset.WriteFileAtomic(mpath, data); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	sum.Manifest = mpath
	if r.cfg.Kind == KindAlign {
		if err := r.writeAlignedLandmarks(done); err != nil {
			return err
		}
	}
	if err := os.Remove(jpath); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove journal: %w", err)
	}
	if r.cfg.Preview > 0 {
		if err := writePreview(r.ds.Root, r.cfg.Out, done, r.cfg.Preview); err != nil {
			return err
		}
	}
	if r.cfg.Strict && sum.Failed > 0 {
		return fmt.Errorf("%d images failed (strict); see %s", sum.Failed, mpath)
	}
	return nil
}
