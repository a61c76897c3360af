package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/occfer/occfer/internal/cli"
)

// The tests run the real command: the test binary re-executes itself as occfer.
func TestMain(m *testing.M) {
	if os.Getenv("OCCFER_TEST_MAIN") == "1" {
		os.Args = append([]string{"occfer"}, os.Args[1:]...)
		main()
	}
	os.Exit(m.Run())
}

func occfer(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "OCCFER_TEST_MAIN=1")
	return cmd
}

// Ctrl-C stops `occfer run` with exit status 130 and a message naming the command that
// continues it (the same occfer run CONFIG, there is no --resume); that rerun finishes.
func TestInterruptNamesTheRerun(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	os.WriteFile(config, []byte(`{"out": "out", "source": {"synth": {"train": 70, "test": 35}},
	  "occlude": [{"name": "fm", "kind": "mask"}]}`), 0o644)
	cmd := occfer("run", config)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if strings.HasPrefix(lines.Text(), "synth:") {
			cmd.Process.Signal(os.Interrupt)
			break
		}
	}
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130:\n%s", err, log.String())
	}
	if want := "continue with: occfer run " + config; !strings.Contains(log.String(), want) || strings.Contains(log.String(), "--resume") {
		t.Fatalf("stderr lacks %q (or names --resume):\n%s", want, log.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rerun := occfer("run", config)
	if out, err := rerun.CombinedOutput(); err != nil || ctx.Err() != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "fm", "manifest.jsonl")); err != nil {
		t.Fatalf("rerun did not finish the occlude step: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rnu", "x.json"}, `unknown command "rnu" for "occfer"; did you mean "run"?`},
		{[]string{"run"}, "accepts 1 arg(s), received 0"},
		{[]string{"run", "/nonexistent.json"}, "pipeline config: open /nonexistent.json"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := cli.Execute(context.Background(), newRootCmd(), tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// The same command twice in one process: the second run reads its own config argument.
func TestOptionsPerRun(t *testing.T) {
	var got []string
	cmd := newRunCmd(func(_ context.Context, o *runOptions) error {
		got = append(got, o.Config)
		return nil
	})
	for _, a := range []string{"a.json", "b.json"} {
		if err := cli.Execute(context.Background(), cmd, []string{a}); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(got, " ") != "a.json b.json" {
		t.Fatalf("configs %v", got)
	}
}
