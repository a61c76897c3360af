// Package lockfile keeps two occfer processes from writing one output tree at once (issue 11):
// an advisory lock (flock(2)) on a lock file inside the tree, which also names its holder (pid,
// host, command line, start time) for the message that refuses a second writer.
//
// flock is held by an open file, so the kernel releases it when its process ends, however it
// ends (kill -9 included): a lock file left by a dead process is taken over by the next one.
// Two opens of the file conflict even inside one process. Where the file system has no flock
// (some network file systems answer ENOLCK), the recorded holder decides instead: a lock whose
// holder is a live process on this host, or any process on another host (which cannot be
// checked from here), is busy; a lock whose holder is dead is stale and taken over.
//
// The lock file exists only while held: Release removes it (a shared holder only when it is
// the last one), and Acquire checks after locking that the path still names the file it
// locked, so a process that opened the file just before its removal retries on the new one.
package lockfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Holder identifies the process that holds a lock.
type Holder struct {
	PID     int      `json:"pid"`
	Host    string   `json:"host"`
	Command []string `json:"command"`
	Started string   `json:"started"` // UTC, RFC 3339
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	s := fmt.Sprintf("pid %d", h.PID)
	if h.Host != "" {
		s += " on " + h.Host
	}
	if len(h.Command) > 0 {
		s += " (" + strings.Join(h.Command, " ") + ")"
	}
	if h.Started != "" {
		s += ", started " + h.Started
	}
	return s
}

// Self is the holder record of this process.
func Self() Holder {
	host, _ := os.Hostname()
	return Holder{PID: os.Getpid(), Host: host, Command: os.Args, Started: time.Now().UTC().Format(time.RFC3339)}
}

// BusyError is returned by Acquire when another process holds the lock.
type BusyError struct {
	Path   string
	Holder Holder // zero when the holder did not record itself (a shared holder)
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("%s is held by %s", e.Path, e.Holder)
}

// Lock is a held lock; Release it when the work is done.
type Lock struct {
	path   string
	f      *os.File
	shared bool
	flock  bool // false: the file system has no flock and the holder record is the lock
}

// Options choose the kind of lock.
type Options struct {
	// Shared takes a shared lock: any number of shared holders, no exclusive one. Shared
	// holders do not record themselves in the file (they would overwrite one another).
	Shared bool
	// Wait blocks until the lock is free instead of returning a BusyError; for short
	// critical sections only.
	Wait bool
}

// Acquire takes the lock at path, without waiting unless o.Wait; the file is created when missing (its folder
// must exist). It returns a *BusyError naming the holder when another process (or another
// open in this one) holds it in a conflicting way.
func Acquire(path string, o Options) (*Lock, error) {
	for attempt := 0; ; attempt++ {
		l, retry, err := try(path, o)
		if err == nil && !retry {
			return l, nil
		}
		if err != nil {
			return nil, err
		}
		if attempt == 100 {
			return nil, fmt.Errorf("lock %s: the file keeps being replaced", path)
		}
	}
}

func try(path string, o Options) (*Lock, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", path, err)
	}
	how := syscall.LOCK_EX
	if o.Shared {
		how = syscall.LOCK_SH
	}
	l := &Lock{path: path, f: f, shared: o.Shared, flock: true}
	if !o.Wait {
		how |= syscall.LOCK_NB
	}
	err = flock(f, how)
	switch {
	case err == nil:
	case errors.Is(err, syscall.EWOULDBLOCK):
		h, _ := readHolder(f)
		f.Close()
		return nil, false, &BusyError{Path: path, Holder: h}
	case errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS):
		// No flock here: the recorded holder decides.
		if h, _ := readHolder(f); h.mayHold() {
			f.Close()
			return nil, false, &BusyError{Path: path, Holder: h}
		}
		l.flock = false
	default:
		f.Close()
		return nil, false, fmt.Errorf("lock %s: %w", path, err)
	}
	// The holder before us may have removed the file between our open and our flock: then
	// we hold a lock on a file nobody else will open. Start again on the current one.
	if !samePath(f, path) {
		f.Close()
		return nil, true, nil
	}
	if !o.Shared {
		if err := l.record(Self()); err != nil {
			l.Release()
			return nil, false, err
		}
	} else if l.flock {
		// A record there is stale (an exclusive holder that died): clear it, so a refusal
		// never names a dead process.
		f.Truncate(0)
	}
	return l, false, nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// samePath reports whether path still names the open file f.
func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// record writes h into the lock file, replacing what was there.
func (l *Lock) record(h Holder) error {
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	if _, err := l.f.WriteAt(append(data, '\n'), 0); err != nil {
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	return nil
}

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// Downgrade turns an exclusive lock into a shared one (for work that starts alone, then
// admits others, as occlude's shards do). flock does not promise that the change is atomic:
// another process may take the lock in between, which the error then names. The holder
// record is cleared, since the other shared holders cannot keep it current.
func (l *Lock) Downgrade() error {
	if l.shared {
		return nil
	}
	if l.flock {
		if err := l.f.Truncate(0); err != nil {
			return fmt.Errorf("lock %s: %w", l.path, err)
		}
		if err := flock(l.f, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
			h, _ := readHolder(l.f)
			return &BusyError{Path: l.path, Holder: h}
		}
	}
	l.shared = true
	return nil
}

// Release removes the lock file (a shared holder only when no other holds it) and unlocks.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	last := !l.shared
	if l.shared && l.flock {
		last = flock(l.f, syscall.LOCK_EX|syscall.LOCK_NB) == nil
	}
	var err error
	if last && samePath(l.f, l.path) {
		if rerr := os.Remove(l.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = fmt.Errorf("unlock %s: %w", l.path, rerr)
		}
	}
	if cerr := l.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("unlock %s: %w", l.path, cerr)
	}
	l.f = nil
	return err
}

// ReadHolder returns the holder recorded in the lock file at path; the zero Holder when the
// file is missing, empty or not a holder record.
func ReadHolder(path string) Holder {
	f, err := os.Open(path)
	if err != nil {
		return Holder{}
	}
	defer f.Close()
	h, _ := readHolder(f)
	return h
}

// readHolder decodes the holder record; at most 64 KiB are read, whatever the file holds.
func readHolder(f *os.File) (Holder, error) {
	var h Holder
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 64<<10))
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return Holder{}, err
	}
	if len(h.Command) > 64 {
		h.Command = h.Command[:64]
	}
	return h, nil
}

// mayHold reports whether h may still hold its lock: a running process on this host, or a
// process on another host, which cannot be checked from here.
func (h Holder) mayHold() bool {
	if h.PID <= 0 {
		return false
	}
	if host, _ := os.Hostname(); h.Host != host {
		return true
	}
	err := syscall.Kill(h.PID, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// DirFile is the lock file of a folder locked with LockDir (a hidden name: dataset walks skip
// it, so a locked folder read as a dataset does not list it).
const DirFile = ".occfer.lock"

// LockDir takes the exclusive lock of the folder dir (DirFile inside it; dir must exist). A
// refusal names what (e.g. "run folder"), dir and the holder, and says what to do.
func LockDir(dir, what string) (*Lock, error) {
	l, err := Acquire(filepath.Join(dir, DirFile), Options{})
	var b *BusyError
	if errors.As(err, &b) {
		return nil, fmt.Errorf("%s %s is in use by %s: two runs must not write one folder; wait for it to finish or stop it (a lock of a process that died is taken over)", what, dir, b.Holder)
	}
	return l, err
}
