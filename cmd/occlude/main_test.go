package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests run the real command: the test binary re-executes itself as occlude.
func TestMain(m *testing.M) {
	if os.Getenv("OCCLUDE_TEST_MAIN") == "1" {
		os.Args = append([]string{"occlude"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func occlude(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "OCCLUDE_TEST_MAIN=1")
	return cmd
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := occlude(args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// photos writes n copies of the astronaut photo.
func photos(t *testing.T, n int) string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	for i := 0; i < n; i++ {
		if err := os.WriteFile(filepath.Join(in, fmt.Sprintf("img_%03d.png", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func TestUsageErrors(t *testing.T) {
	in := photos(t, 1)
	out := filepath.Join(t.TempDir(), "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "mask"}, "accepts 2 arg(s)"},
		{[]string{in, out}, "--kind is required"},
		{[]string{"--kind", "hat", in, out}, `unknown kind "hat"`},
		{[]string{"--kind", "mask", "--shard", "5/4", in, out}, "shard 5/4: want 1 <= i <= n"},
		{[]string{"--kind", "mask", "--no-face", "drop", in, out}, `unknown no-face policy "drop"`},
		{[]string{"--kind", "random", "--area", "0.3-0.1", in, out}, "occluder area 0.3..0.1"},
		{[]string{"--kind", "mask", "--templates", "/nonexistent", in, out}, `templates folder "/nonexistent" not found`},
		{[]string{"--kind", "mask", in, filepath.Join(in, "o")}, "inside the input folder"},
		{[]string{"merge", out}, "merge: open " + out + ": no such file or directory"},
	} {
		_, stderr, code := run(t, tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("occlude %v: exit %d, stderr %q; want non-zero and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// Ctrl-C stops the run cleanly: exit 130 with a message to resume, and --resume finishes it.
func TestInterruptAndResume(t *testing.T) {
	in := photos(t, 40)
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"--kind", "sunglasses", "--templates", "../../assets", "--workers", "1", in, out}
	cmd := occlude(args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(out, ".occfer", "journal.jsonl")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if b, _ := os.ReadFile(journal); bytes.Count(b, []byte("\n")) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no progress: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "rerun with --resume") {
		t.Fatalf("after SIGINT: %v, stderr %q; want exit 130 and a --resume hint", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.jsonl")); !os.IsNotExist(err) {
		t.Fatal("interrupted run wrote the manifest")
	}
	temps, _ := filepath.Glob(filepath.Join(out, ".occfer-tmp-*"))
	if len(temps) > 0 {
		t.Fatalf("temporary files left after the interrupt: %v", temps)
	}
	_, serr, code := run(t, append(args, "--resume")...)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, serr)
	}
	b, err := os.ReadFile(filepath.Join(out, "manifest.jsonl"))
	if err != nil || bytes.Count(b, []byte("\n")) != 40 {
		t.Fatalf("manifest after resume: %d lines, %v", bytes.Count(b, []byte("\n")), err)
	}
}

func TestTemplatesCheck(t *testing.T) {
	png := filepath.Join(t.TempDir(), "check.png")
	stdout, stderr, code := run(t, "templates", "check", "../../assets/masks/mask_surgical_blue.json",
		"--face", "../../testdata/astronaut.png", "-o", png)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "mask_surgical_blue") || !strings.Contains(stdout, "valid") || !strings.Contains(stdout, "residual") {
		t.Errorf("report: %q", stdout)
	}
	b, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("no PNG written: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"kind": "mask", "anchors": [`), 0o644)
	_, stderr, code = run(t, "templates", "check", bad, "--face", "../../testdata/astronaut.png", "-o", png)
	if code == 0 || !strings.Contains(stderr, bad) {
		t.Errorf("bad template: exit %d, %q", code, stderr)
	}
}
