package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holder is the pid recorded in a lock file (0 when missing or empty).
func holderPID(p string) int {
	var h struct {
		PID int `json:"pid"`
	}
	b, _ := os.ReadFile(p)
	json.Unmarshal(b, &h)
	return h.PID
}

// startLocked starts occlude with args and returns it once it holds the lock file lock (its
// pid recorded there), frozen with SIGSTOP so that it holds the lock for as long as the test
// needs, however fast the machine. A run that ends first fails the test.
func startLocked(t *testing.T, lock string, args ...string) (*exec.Cmd, *bytes.Buffer, chan error) {
	t.Helper()
	cmd := occlude(args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGCONT); cmd.Process.Kill() })
	for holderPID(lock) != cmd.Process.Pid {
		select {
		case err := <-exited:
			t.Fatalf("occlude %v ended before it was seen holding %s (%v): %s", args, lock, err, stderr.String())
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr, exited
}

// Two runs on one OUT: the second is refused at once with a message naming the first (pid and
// command line), and the first finishes alone, so OUT holds one kind only. Before the lock,
// `occlude --kind random` and `occlude --kind mask` started a second apart both exited 0 and
// mixed the kinds.
func TestSecondRunOnOneOutRefused(t *testing.T) {
	in := photos(t, 3)
	out := filepath.Join(t.TempDir(), "out")
	lock := filepath.Join(out, ".occfer", "lock")
	first, firstErr, exited := startLocked(t, lock, "--kind", "random", "--workers", "1", "-q", in, out)
	_, stderr, code := run(t, "--kind", "mask", "-q", in, out)
	want := fmt.Sprintf("is in use by pid %d", first.Process.Pid)
	if code == 0 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "--kind random") {
		t.Fatalf("second run: exit %d, %q; want a refusal with %q and the first run's command", code, stderr, want)
	}
	// merge is a writer of OUT too.
	if _, stderr, code := run(t, "merge", out); code == 0 || !strings.Contains(stderr, want) {
		t.Fatalf("merge during a run: exit %d, %q", code, stderr)
	}
	first.Process.Signal(syscall.SIGCONT)
	if err := <-exited; err != nil {
		t.Fatalf("first run: %v: %s", err, firstErr)
	}
	m, err := os.ReadFile(filepath.Join(out, "manifest.jsonl"))
	if err != nil || bytes.Count(m, []byte("\n")) != 3 || bytes.Contains(m, []byte(`"template"`)) || !bytes.Contains(m, []byte(`"occluders"`)) {
		t.Fatalf("manifest of the first run is not purely random occlusion (%v):\n%s", err, m)
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("lock file left after the run: %v", err)
	}
}

// A run killed with SIGKILL cannot release its lock; the next run takes it over.
func TestLockOfKilledRunTakenOver(t *testing.T) {
	in := photos(t, 2)
	out := filepath.Join(t.TempDir(), "out")
	lock := filepath.Join(out, ".occfer", "lock")
	first, _, exited := startLocked(t, lock, "--kind", "mask", "--workers", "1", "-q", in, out)
	first.Process.Signal(syscall.SIGKILL)
	<-exited
	if holderPID(lock) != first.Process.Pid {
		t.Fatal("the killed run's lock file is gone; the test proves nothing")
	}
	if _, stderr, code := run(t, "--kind", "mask", "-q", "--resume", in, out); code != 0 {
		t.Fatalf("run after a killed one: exit %d: %s", code, stderr)
	}
}

// Shards share OUT: they run side by side, while a whole run (or a merge) is refused beside
// them with a message naming the shards.
func TestShardsShareOut(t *testing.T) {
	in := photos(t, 4)
	out := filepath.Join(t.TempDir(), "out")
	s1, _, exited := startLocked(t, filepath.Join(out, ".occfer", "lock.shard-1-of-2"), "--kind", "mask", "--workers", "1", "-q", "--shard", "1/2", in, out)
	if _, stderr, code := run(t, "--kind", "mask", "--workers", "1", "-q", "--shard", "2/2", in, out); code != 0 {
		t.Fatalf("shard 2/2 beside shard 1/2: exit %d: %s", code, stderr)
	}
	_, stderr, code := run(t, "--kind", "mask", "-q", in, out)
	if code == 0 || !strings.Contains(stderr, fmt.Sprintf("pid %d", s1.Process.Pid)) || !strings.Contains(stderr, "--shard 1/2") {
		t.Fatalf("whole run beside a shard: exit %d, %q; want a refusal naming shard 1/2", code, stderr)
	}
	if _, stderr, code := run(t, "--kind", "mask", "-q", "--shard", "1/2", in, out); code == 0 || !strings.Contains(stderr, fmt.Sprintf("pid %d", s1.Process.Pid)) {
		t.Fatalf("the same shard twice: exit %d, %q", code, stderr)
	}
	s1.Process.Signal(syscall.SIGCONT)
	if err := <-exited; err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, "merge", out); code != 0 || !strings.Contains(stderr, "merged 2 parts") {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, "merge", out); code != 0 || !strings.Contains(stderr, "nothing to merge") {
		t.Fatalf("second merge: exit %d: %s", code, stderr)
	}
	left, _ := filepath.Glob(filepath.Join(out, ".occfer", "lock*"))
	if len(left) > 0 {
		t.Errorf("lock files left: %v", left)
	}
}
