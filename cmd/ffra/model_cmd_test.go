package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/model"
)

// runFFRA executes ffra in this process, as main does, and returns what it printed.
func runFFRA(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	err := cli.Execute(context.Background(), root, args)
	return out.String(), err
}

func TestModelSummaryCommand(t *testing.T) {
	out, err := runFFRA(t, "model", "summary", "--variant", "resnet18", "--input-size", "112", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var s model.ModelSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if s.Params != 11_180_103 || s.InputSize != 112 || len(s.Modules) == 0 {
		t.Fatalf("summary: params %d, input %d, %d modules", s.Params, s.InputSize, len(s.Modules))
	}
	out, err = runFFRA(t, "model", "summary", "--variant", "ffra")
	if err != nil || !strings.Contains(out, "14280135 trainable params") || !strings.Contains(out, "LocalAttention") {
		t.Fatalf("table: %v\n%s", err, out)
	}
	if _, err := runFFRA(t, "model", "summary", "--variant", "vgg"); err == nil || !strings.Contains(err.Error(), "unknown model variant") {
		t.Fatalf("unknown variant: %v", err)
	}
}

func TestEnvCommand(t *testing.T) {
	for _, name := range []string{"env", "version"} {
		out, err := runFFRA(t, name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "libtorch     "+model.LibtorchVersion()) || !strings.Contains(out, "CUDA devices") {
			t.Fatalf("%s output:\n%s", name, out)
		}
	}
}
