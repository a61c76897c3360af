package occlusion

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/lockfile"
	"github.com/occfer/occfer/internal/safepath"
)

// lockFile is OUT's lock (internal/lockfile), in the state folder. An unsharded run and a
// merge hold it alone; the shards of a run share it, each holding its own lockShardFile too,
// so shards may run side by side into one OUT but never beside another run or a merge.
const lockFile = "lock"

func lockShardFile(s Shard) string { return fmt.Sprintf("lock.shard-%d-of-%d", s.I, s.N) }

// outLock is what a run holds on OUT.
type outLock struct {
	main, shard *lockfile.Lock
}

// alone reports whether the run holds OUT by itself (no shards beside it).
func (l *outLock) alone() bool { return l.shard == nil }

// claimOut prepares OUT for a run, before anything else is written there: links that a hand
// edit left in OUT are removed (reported in the returned problems, code "output-link"), the
// state folder is created and OUT is locked. The caller has checked that OUT is not inside the
// input (safepath.CheckOutput).
func claimOut(out, in string, shard Shard) (*outLock, []dataset.Problem, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, nil, fmt.Errorf("create output folder %s: %w", out, err)
	}
	links, err := safepath.RemoveLinks(out, in)
	if err != nil {
		return nil, nil, err
	}
	var probs []dataset.Problem
	for _, l := range links {
		probs = append(probs, dataset.Problem{Path: filepath.Join(out, filepath.FromSlash(l.Rel)), Code: CodeOutputLink, Item: l.Rel,
			Reason: fmt.Sprintf("a link to %s in the output folder: removed (occfer writes only real files and folders in its outputs)", l.Target)})
	}
	if err := os.MkdirAll(filepath.Join(out, stateDir), 0o755); err != nil {
		return nil, nil, fmt.Errorf("create output folder %s: %w", out, err)
	}
	l, err := lockOut(out, shard)
	return l, probs, err
}

// lockOut takes OUT's locks for a run of shard s (the zero Shard: the whole run).
func lockOut(out string, s Shard) (*outLock, error) {
	l := &outLock{}
	var err error
	if l.main, err = lockfile.Acquire(filepath.Join(out, stateDir, lockFile), lockfile.Options{Shared: s.Active()}); err != nil {
		return nil, busyOut(out, err)
	}
	if s.Active() {
		if l.shard, err = lockfile.Acquire(filepath.Join(out, stateDir, lockShardFile(s)), lockfile.Options{}); err != nil {
			l.release()
			return nil, busyOut(out, err)
		}
	}
	return l, nil
}

// settingsLock serialises the shards' check and record of OUT's settings, so that two shards
// started together with different settings cannot both pass; it is held for milliseconds.
func (l *outLock) settingsLock(out string) (*lockfile.Lock, error) {
	if l.alone() {
		return nil, nil
	}
	return lockfile.Acquire(filepath.Join(out, stateDir, "lock.settings"), lockfile.Options{Wait: true})
}

func (l *outLock) release() {
	if l == nil {
		return
	}
	l.shard.Release()
	l.main.Release()
}

// busyOut words a refusal: who holds OUT (the shards running in it, when they hold it
// together), and what to do.
func busyOut(out string, err error) error {
	var b *lockfile.BusyError
	if !errors.As(err, &b) {
		return err
	}
	who := b.Holder.String()
	if b.Holder.PID == 0 {
		parts, _ := filepath.Glob(filepath.Join(out, stateDir, "lock.shard-*"))
		sort.Strings(parts)
		var hs []string
		for _, p := range parts {
			if h := lockfile.ReadHolder(p); h.PID != 0 {
				hs = append(hs, h.String())
			}
		}
		if len(hs) > 0 {
			who = "shards running in it: " + strings.Join(hs, "; ")
		}
	}
	return fmt.Errorf("output folder %s is in use by %s: two runs must not write one output; wait for it to finish or stop it (a lock of a process that died is taken over)", out, who)
}
