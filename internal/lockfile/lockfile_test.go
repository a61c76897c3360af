package lockfile

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as a lock holder in another process: LOCKFILE_HOLD=path takes the
// lock (LOCKFILE_SHARED=1: shared), prints "held" and waits until its stdin closes.
func TestMain(m *testing.M) {
	if p := os.Getenv("LOCKFILE_HOLD"); p != "" {
		l, err := Acquire(p, Options{Shared: os.Getenv("LOCKFILE_SHARED") == "1"})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("held")
		bufio.NewReader(os.Stdin).ReadString('\n')
		l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holder starts another process holding the lock at path and returns it once it holds it.
func holder(t *testing.T, path string, shared bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "holder-arg")
	cmd.Env = append(os.Environ(), "LOCKFILE_HOLD="+path)
	if shared {
		cmd.Env = append(cmd.Env, "LOCKFILE_SHARED=1")
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		t.Fatalf("holder process: %q", line)
	}
	return cmd
}

func busy(t *testing.T, err error) *BusyError {
	t.Helper()
	var b *BusyError
	if !errors.As(err, &b) {
		t.Fatalf("want a BusyError, got %v", err)
	}
	return b
}

// A second process is refused with a message naming the first (pid and command line); when the
// first dies without releasing (kill -9), its lock is taken over.
func TestSecondProcessRefusedThenTakesOver(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	h := holder(t, p, false)
	_, err := Acquire(p, Options{})
	b := busy(t, err)
	if b.Holder.PID != h.Process.Pid || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", h.Process.Pid)) ||
		!strings.Contains(err.Error(), "holder-arg") {
		t.Fatalf("refusal %q does not name the holder (pid %d, its command)", err, h.Process.Pid)
	}
	if _, err := Acquire(p, Options{Shared: true}); err == nil {
		t.Fatal("shared lock granted beside an exclusive one")
	}
	if err := h.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	if got := ReadHolder(p); got.PID != h.Process.Pid {
		t.Fatalf("the dead holder's record is gone: %+v", got)
	}
	l, err := Acquire(p, Options{})
	if err != nil {
		t.Fatalf("stale lock of a killed process not taken over: %v", err)
	}
	if got := ReadHolder(p); got.PID != os.Getpid() {
		t.Fatalf("lock file names %+v after the takeover, want this process", got)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("released lock file left behind")
	}
}

// flock belongs to the open file: two opens in one process conflict too.
func TestSameProcessConflicts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	l, err := Acquire(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b := busy(t, func() error { _, err := Acquire(p, Options{}); return err }()); b.Holder.PID != os.Getpid() {
		t.Fatalf("holder %+v, want this process", b.Holder)
	}
	l.Release()
	l2, err := Acquire(p, Options{})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}

// A lock file left with a dead process's record (and no flock held) is stale.
func TestStaleRecordTakenOver(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	host, _ := os.Hostname()
	os.WriteFile(p, []byte(fmt.Sprintf(`{"pid":%d,"host":%q,"command":["occlude","x"]}`, cmd.Process.Pid, host)), 0o644)
	l, err := Acquire(p, Options{})
	if err != nil {
		t.Fatalf("stale lock file: %v", err)
	}
	l.Release()
	// Garbage in the file is no obstacle either.
	os.WriteFile(p, []byte("\x00\xffnot json"), 0o644)
	l, err = Acquire(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
}

// Shared holders admit each other and refuse an exclusive one; the file goes with the last.
func TestShared(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	other := holder(t, p, true)
	mine, err := Acquire(p, Options{Shared: true})
	if err != nil {
		t.Fatalf("second shared holder: %v", err)
	}
	if _, err := Acquire(p, Options{}); err == nil {
		t.Fatal("exclusive lock granted beside shared ones")
	}
	if err := mine.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal("the lock file went while another shared holder has it")
	}
	other.Process.Signal(syscall.SIGKILL)
	other.Wait()
	ex, err := Acquire(p, Options{})
	if err != nil {
		t.Fatalf("after the shared holders: %v", err)
	}
	if err := ex.Downgrade(); err != nil {
		t.Fatal(err)
	}
	sh, err := Acquire(p, Options{Shared: true})
	if err != nil {
		t.Fatalf("shared beside a downgraded lock: %v", err)
	}
	sh.Release()
	ex.Release()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("lock file left after the last shared holder")
	}
}
