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
		{[]string{in, out}, `required flag(s) "kind" not set`},
		{[]string{"merg", out}, `unknown command "merg" for "occlude"; did you mean "merge"?`},
		{[]string{"--kind", "mask", "templats", "generate"}, `unknown command "templats" for "occlude"; did you mean "templates"?`},
		{[]string{"templates", "chek", "x.json"}, `unknown command "chek" for "occlude templates"; did you mean "check"?`},
		{[]string{"templates", "check", "x.json"}, `required flag(s) "face", "out" not set`},
		{[]string{"--kind", "mask", "--workers", "-1", in, out}, "--workers -1: want 0 (one per CPU) or a positive count"},
		{[]string{"--kind", "mask", "--workers", "100000", in, out}, "--workers 100000: at most"},
		{[]string{"--kind", "hat", in, out}, `unknown kind "hat"`},
		{[]string{"--kind", "mask", "--shard", "5/4", in, out}, "shard 5/4: want 1 <= i <= n"},
		{[]string{"--kind", "mask", "--no-face", "drop", in, out}, `unknown no-face policy "drop"`},
		{[]string{"--kind", "random", "--area", "0.3-0.1", in, out}, `invalid argument "0.3-0.1" for "--area" flag: "0.3-0.1": MIN 0.3 is above MAX 0.1`},
		{[]string{"--kind", "random", "--occluders", "0-2", in, out}, "occluder count 0..2"},
		// an explicit zero range is not "the default" (issue 11: --area 0-0 was accepted)
		{[]string{"--kind", "random", "--area", "0-0", in, out}, "--area 0,0: want 0 < MIN <= MAX <= 1"},
		{[]string{"--kind", "random", "--area", "0,0", in, out}, "--area 0,0: want 0 < MIN <= MAX <= 1"},
		{[]string{"--kind", "random", "--occluders", "0,0", in, out}, "--occluders 0,0: want 1 <= MIN <= MAX"},
		// likewise --size 0 silently gave 100-pixel crops
		{[]string{"align", "--size", "0", in, out}, "--size 0: want 16..4096 pixels"},
		{[]string{"align", "--size", "8", in, out}, "aligned crop size 8: want 16..4096 pixels"},
		{[]string{"--kind", "mask", "--preview", "100000000", in, out}, "preview count 100000000"},
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
	// Wait for two journal lines, however slow the machine (no deadline: go test's
	// -timeout catches a hang); a run that ends first fails the test.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for progress := false; !progress; {
		select {
		case err := <-exited:
			t.Fatalf("occlude ended before two images were done (%v): %s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		b, _ := os.ReadFile(journal)
		progress = bytes.Count(b, []byte("\n")) >= 2
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := <-exited
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "continue with the same occlude command and --resume") {
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
	// --output is the old name of --out
	_, stderr, code = run(t, "templates", "check", bad, "--face", "../../testdata/astronaut.png", "--output", png)
	if code == 0 || !strings.Contains(stderr, bad) {
		t.Errorf("bad template: exit %d, %q", code, stderr)
	}
}

// The templates are in the binary: a run from a folder without assets/ works, and gives the
// same bytes as a run with --templates pointing at the repository's assets/.
func TestRunsFromAnyFolder(t *testing.T) {
	in := photos(t, 1)
	outs := []string{filepath.Join(t.TempDir(), "builtin"), filepath.Join(t.TempDir(), "folder")}
	for i, extra := range [][]string{nil, {"--templates", mustAbs(t, "../../assets")}} {
		cmd := occlude(append([]string{"--kind", "mask", "-q", in, outs[i]}, extra...)...)
		cmd.Dir = t.TempDir()
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("occlude %v from %s: %v\n%s", extra, cmd.Dir, err, b)
		}
	}
	for _, f := range []string{"manifest.jsonl", "img_000.png", ".occfer/occlude.json"} {
		a, err1 := os.ReadFile(filepath.Join(outs[0], f))
		b, err2 := os.ReadFile(filepath.Join(outs[1], f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: built-in and folder templates differ (%v, %v)", f, err1, err2)
		}
	}
	if m, _ := os.ReadFile(filepath.Join(outs[0], "manifest.jsonl")); !bytes.Contains(m, []byte(`"status":"detected"`)) {
		t.Errorf("manifest: %s", m)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// --shard slurm: the tasks of an array job (indexes 0 and 1 here, as --array=0-1 gives) each
// take their shard; merged, they equal an unsharded run. Outside an array job it is refused.
func TestSlurmShards(t *testing.T) {
	in := photos(t, 4)
	dir := t.TempDir()
	single, sharded := filepath.Join(dir, "single"), filepath.Join(dir, "sharded")
	if _, serr, code := run(t, "--kind", "sunglasses", "-q", in, single); code != 0 {
		t.Fatalf("single run: %s", serr)
	}
	for id := 0; id <= 1; id++ {
		cmd := occlude("--kind", "sunglasses", "-q", "--shard", "slurm", in, sharded)
		cmd.Env = append(cmd.Env, "SLURM_JOB_ID=5", fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", id), "SLURM_ARRAY_TASK_MIN=0",
			"SLURM_ARRAY_TASK_MAX=1", "SLURM_ARRAY_TASK_COUNT=2", "SLURM_ARRAY_TASK_STEP=1")
		out, err := cmd.CombinedOutput()
		if want := fmt.Sprintf("shard %d/2", id+1); err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("task %d: %v, want %q in\n%s", id, err, want, out)
		}
	}
	if _, serr, code := run(t, "merge", sharded); code != 0 {
		t.Fatalf("merge: %s", serr)
	}
	for _, f := range []string{"manifest.jsonl", "img_000.png", "img_003.png"} {
		a, _ := os.ReadFile(filepath.Join(single, f))
		b, _ := os.ReadFile(filepath.Join(sharded, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the single run and the merged Slurm shards", f)
		}
	}
	cmd := occlude("--kind", "mask", "--shard", "slurm", in, filepath.Join(dir, "x"))
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "SLURM_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, "OCCLUDE_TEST_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not a task of a Slurm array job") {
		t.Fatalf("outside Slurm: %v\n%s", err, out)
	}
}
