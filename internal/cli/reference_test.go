package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func docRoot(def int) *cobra.Command {
	root := Group(&cobra.Command{Use: "tool", Short: "A tool."})
	sub := &cobra.Command{Use: "do IN", Short: "Do it", Long: "Does it.\n\nExamples:\n  tool do x", Aliases: []string{"run"},
		RunE: func(*cobra.Command, []string) error { return nil }}
	sub.Flags().IntP("count", "n", def, "how many `N`")
	sub.Flags().String("out", "", "output | file")
	sub.Flags().Bool("hidden", false, "not shown")
	sub.Flags().MarkHidden("hidden")
	sub.MarkFlagRequired("out")
	root.AddCommand(sub)
	return root
}

func TestReference(t *testing.T) {
	var b strings.Builder
	Reference(&b, docRoot(3))
	want := "### `tool`\n\nA tool.\n\n```text\nUsage: tool\n       tool COMMAND\n```\n\n" +
		"### `tool do`\n\nDo it.\n\n```text\nUsage: tool do IN [flags]\n\nDoes it.\n\nExamples:\n  tool do x\n```\n\n" +
		"Aliases: `run`.\n\n" +
		"| flag | default | meaning |\n|---|---|---|\n" +
		"| `-n, --count N` | `3` | how many N |\n" +
		"| `--out string` |  | output \\| file (required) |\n\n"
	if b.String() != want {
		t.Errorf("reference:\n%s\nwant:\n%s", b.String(), want)
	}
}

// CheckReference passes on an up-to-date file, names the first differing line otherwise, and
// -update rewrites only the tool's part.
func TestCheckReference(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cli.md")
	begin, end := referenceMarkers("tool")
	os.WriteFile(p, []byte("# intro\n\n"+begin+"\nstale\n"+end+"\n\nafter\n"), 0o644)
	if err := CheckReference(p, docRoot(3), false); err == nil || !strings.Contains(err.Error(), p+":4: the tool reference differs") ||
		!strings.Contains(err.Error(), "go test ./cmd/tool -run TestCLIReference -update") {
		t.Fatalf("stale file: %v", err)
	}
	if err := CheckReference(p, docRoot(3), true); err != nil {
		t.Fatal(err)
	}
	if err := CheckReference(p, docRoot(3), false); err != nil {
		t.Fatalf("after update: %v", err)
	}
	doc, _ := os.ReadFile(p)
	if !strings.HasPrefix(string(doc), "# intro\n\n"+begin+"\n\n### `tool`") || !strings.HasSuffix(string(doc), end+"\n\nafter\n") {
		t.Fatalf("update touched more than the reference:\n%s", doc)
	}
	err := CheckReference(p, docRoot(4), false)
	if err == nil || !strings.Contains(err.Error(), "doc:      | `-n, --count N` | `3` |") || !strings.Contains(err.Error(), "commands: | `-n, --count N` | `4` |") {
		t.Fatalf("changed default: %v", err)
	}
	os.WriteFile(p, []byte("no markers"), 0o644)
	if err := CheckReference(p, docRoot(3), true); err == nil || !strings.Contains(err.Error(), "markers") {
		t.Fatalf("no markers: %v", err)
	}
}
