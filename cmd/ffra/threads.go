package main

import (
	"fmt"

	"github.com/occfer/occfer/model"
	"github.com/spf13/pflag"
)

// threadsFlag adds --threads (libtorch's intra-op threads) to a command that runs the model.
func threadsFlag(f *pflag.FlagSet, n *int) {
	f.IntVar(n, "threads", 0, "libtorch intra-op threads on the CPU (0: the CPUs available to the process)")
}

// setThreads applies --threads before the command's first tensor op (see model.SetThreads).
func setThreads(n int) error {
	if _, err := model.SetThreads(n); err != nil {
		return fmt.Errorf("--threads: %w", err)
	}
	return nil
}
