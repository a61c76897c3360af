package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestMain lets the test binary act as a small command (helperRoot) for the signal tests.
func TestMain(m *testing.M) {
	if os.Getenv("CLI_TEST_HELPER") == "1" {
		Main(helperRoot)
	}
	os.Exit(m.Run())
}

// helperRoot has "wait", which stops cleanly when its context is cancelled, and "hang", which
// never looks at it.
func helperRoot() *cobra.Command {
	root := Group(&cobra.Command{Use: "helper", SilenceUsage: true, SilenceErrors: true})
	wait := &cobra.Command{Use: "wait", RunE: func(cmd *cobra.Command, _ []string) error {
		fmt.Println("ready")
		<-cmd.Context().Done()
		return fmt.Errorf("stopped: %w", context.Cause(cmd.Context()))
	}}
	StopsCleanly(wait)
	hang := &cobra.Command{Use: "hang", RunE: func(*cobra.Command, []string) error {
		fmt.Println("ready")
		select {}
	}}
	root.AddCommand(wait, hang)
	return root
}

func TestInterruptExitStatus(t *testing.T) {
	for _, tc := range []struct {
		cmd     string
		signals []os.Signal
		stderr  string
	}{
		{"wait", []os.Signal{os.Interrupt}, "helper: SIGINT: stopping cleanly (press Ctrl-C again to quit at once)\nhelper: stopped: interrupted by SIGINT\n"},
		{"wait", []os.Signal{syscall.SIGTERM}, "helper: SIGTERM: stopping cleanly"},
		{"hang", []os.Signal{syscall.SIGTERM}, "helper: interrupted (SIGTERM)\n"},
		{"hang", []os.Signal{os.Interrupt}, "helper: interrupted (SIGINT)\n"},
	} {
		t.Run(fmt.Sprint(tc.cmd, tc.signals), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tc.cmd)
			cmd.Env = append(os.Environ(), "CLI_TEST_HELPER=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
				cmd.Process.Kill()
				t.Fatalf("helper: %q %v", line, err)
			}
			for _, s := range tc.signals {
				cmd.Process.Signal(s)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-done:
			case <-time.After(time.Minute):
				cmd.Process.Kill()
				t.Fatal("helper did not stop")
			}
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ExitCode() != ExitInterrupted {
				t.Fatalf("exit: %v, want status %d; stderr %q", werr, ExitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.stderr)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	if ExitCode(ctx, nil) != 0 || ExitCode(ctx, errors.New("x")) != 1 {
		t.Error("not interrupted: want 0 and 1")
	}
	cancel(fmt.Errorf("%w by SIGINT", ErrInterrupted))
	if ExitCode(ctx, errors.New("x")) != ExitInterrupted || ExitCode(ctx, nil) != 0 || !Interrupted(ctx) {
		t.Error("interrupted: want 130 on an error, 0 on success")
	}
	plain, stop := context.WithCancel(context.Background())
	stop()
	if Interrupted(plain) || ExitCode(plain, errors.New("x")) != 1 {
		t.Error("a context cancelled by other means is no interrupt")
	}
}

func TestWorkers(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{-1, "--workers -1: want 0 (one per CPU) or a positive count"},
		{MaxWorkers() + 1, fmt.Sprintf("--workers %d: at most %d on this machine", MaxWorkers()+1, MaxWorkers())},
	} {
		if _, err := Workers("--workers", tc.n); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d: %v, want %q", tc.n, err, tc.want)
		}
	}
	if n, err := Workers("--workers", 0); err != nil || n < 1 {
		t.Errorf("0: %d, %v; want the CPU count", n, err)
	}
	if n, err := Workers("--workers", MaxWorkers()); err != nil || n != MaxWorkers() {
		t.Errorf("max: %d, %v", n, err)
	}
}

func TestSuggestions(t *testing.T) {
	root := helperRoot()
	run := &cobra.Command{Use: "run IN OUT", Args: PathArgs(cobra.ExactArgs(2)), RunE: func(*cobra.Command, []string) error { return nil }}
	run.AddCommand(&cobra.Command{Use: "merge", Run: func(*cobra.Command, []string) {}})
	existing := t.TempDir() + "/merg"
	os.Mkdir(existing, 0o755)
	for _, tc := range []struct {
		cmd  *cobra.Command
		args []string
		want string
	}{
		{root, []string{"wiat"}, `unknown command "wiat" for "helper"; did you mean "wait"?`},
		{root, []string{"zzz"}, `unknown command "zzz" for "helper" (see helper --help)`},
		{run, []string{"merg", "OUT"}, `unknown command "merg" for "run"; did you mean "merge"?`},
		{run, []string{existing, "OUT"}, ""}, // an existing path is an input, not a typo
		{run, []string{"zzz", "OUT"}, ""},
		{run, []string{"merg"}, `unknown command "merg" for "run"; did you mean "merge"?`},
		{run, []string{"zzz"}, "accepts 2 arg(s), received 1"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := Execute(context.Background(), tc.cmd, tc.args)
			if tc.want == "" {
				if err != nil {
					t.Errorf("err %v, want none", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// TestFlagSuggestions: an unknown flag names the command's flags that are close to it.
func TestFlagSuggestions(t *testing.T) {
	newCmd := func() *cobra.Command {
		c := &cobra.Command{Use: "train", RunE: func(*cobra.Command, []string) error { return nil }}
		c.Flags().Int("epochs", 1, "")
		c.Flags().Int("eval-batch", 1, "")
		c.Flags().String("kind", "", "")
		return c
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--epoch", "3"}, "unknown flag: --epoch; did you mean --epochs?"},
		{[]string{"--kindd", "mask"}, "unknown flag: --kindd; did you mean --kind?"},
		{[]string{"--eval", "3"}, "unknown flag: --eval; did you mean --eval-batch?"},
		{[]string{"--zzzzzz"}, "unknown flag: --zzzzzz (see train --help)"},
		{[]string{"-x"}, "unknown shorthand flag: 'x' in -x"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := Execute(context.Background(), newCmd(), tc.args)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}
