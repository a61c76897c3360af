package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// ErrInterrupted is the cause of a context cancelled by SIGINT or SIGTERM (see WithInterrupt).
var ErrInterrupted = errors.New("interrupted")

// ExitInterrupted is the exit status of a command stopped by SIGINT or SIGTERM, in all three
// tools: 128 + SIGINT's number, what a shell reports for a process killed by Ctrl-C.
const ExitInterrupted = 130

// interruptAnnotation marks a command that stops cleanly when its context is cancelled.
const interruptAnnotation = "occfer.interrupt"

// StopsCleanly marks cmd as watching its context: on the first SIGINT or SIGTERM its context
// is cancelled and it is left to finish what it is writing and return. Commands without the
// mark are ended at once with ExitInterrupted (they are short, or have nothing to keep).
func StopsCleanly(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[interruptAnnotation] = "clean"
}

func stopsCleanly(cmd *cobra.Command) bool { return cmd.Annotations[interruptAnnotation] == "clean" }

// Main builds the command tree, runs it on the process arguments and exits with Run's status.
// Building the tree in the call keeps every flag value inside this one execution.
func Main(newRoot func() *cobra.Command) {
	os.Exit(Run(newRoot(), os.Args[1:], os.Stderr))
}

// Run executes root with args under WithInterrupt and returns the exit status: 0 on success,
// 1 on an error, ExitInterrupted when a signal stopped the command. An error is printed to
// stderr as "<root name>: <error>".
func Run(root *cobra.Command, args []string, stderr io.Writer) int {
	clean := false
	if target, _, err := root.Find(args); err == nil {
		clean = stopsCleanly(target)
	}
	ctx, stop := WithInterrupt(context.Background(), root.Name(), stderr, clean, func() { os.Exit(ExitInterrupted) })
	defer stop()
	err := Execute(ctx, root, args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
	}
	return ExitCode(ctx, err)
}

// ExitCode maps a command's result to its exit status: 0 without an error, ExitInterrupted
// when ctx was interrupted (whatever error the stopped command returned), else 1.
func ExitCode(ctx context.Context, err error) int {
	switch {
	case err == nil:
		return 0
	case Interrupted(ctx):
		return ExitInterrupted
	default:
		return 1
	}
}

// Interrupted reports whether SIGINT or SIGTERM cancelled ctx.
func Interrupted(ctx context.Context) bool { return errors.Is(context.Cause(ctx), ErrInterrupted) }

// WithInterrupt returns a context that the first SIGINT or SIGTERM cancels with a cause
// wrapping ErrInterrupted. With clean, it prints "<name>: <signal>: stopping cleanly" and the
// command is left to stop; a second signal calls quit. Without clean the first signal
// prints "<name>: interrupted" and calls quit. quit is meant to exit the process with
// ExitInterrupted. stop releases the signals.
func WithInterrupt(parent context.Context, name string, stderr io.Writer, clean bool, quit func()) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			if !clean {
				fmt.Fprintf(stderr, "\n%s: interrupted (%s)\n", name, signalName(s))
				quit()
				return
			}
			fmt.Fprintf(stderr, "\n%s: %s: stopping cleanly (press Ctrl-C again to quit at once)\n", name, signalName(s))
			cancel(fmt.Errorf("%w by %s", ErrInterrupted, signalName(s)))
		case <-done:
			return
		}
		select {
		case <-sigs:
			quit()
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(context.Canceled)
	}
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// Execute runs root with args on ctx. Every flag of the tree is first put back to its default
// (cobra keeps the values of an earlier Execute), so executing the same command twice in one
// process never carries a setting from the first run into the second.
func Execute(ctx context.Context, root *cobra.Command, args []string) error {
	if err := ResetFlags(root); err != nil {
		return err
	}
	root.SetFlagErrorFunc(suggestFlag)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

// ResetFlags puts every flag of cmd and its subcommands back to its default value and marks
// it unset (Flag.Changed, which FlagSet.Changed and cobra's required-flag check read). pflag's
// own list of set flags cannot be cleared, so FlagSet.Visit and NFlag still include those of
// an earlier execution: commands test Changed instead.
func ResetFlags(cmd *cobra.Command) error {
	var err error
	reset := func(f *pflag.Flag) {
		if err != nil {
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			var def []string
			if d := strings.Trim(f.DefValue, "[]"); d != "" {
				def = strings.Split(d, ",")
			}
			err = sv.Replace(def)
		} else {
			err = f.Value.Set(f.DefValue)
		}
		if err != nil {
			err = fmt.Errorf("reset flag --%s to %q: %w", f.Name, f.DefValue, err)
		}
		f.Changed = false
	}
	cmd.Flags().VisitAll(reset)
	cmd.PersistentFlags().VisitAll(reset)
	for _, c := range cmd.Commands() {
		if e := ResetFlags(c); e != nil && err == nil {
			err = e
		}
	}
	return err
}
