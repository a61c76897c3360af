package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Reference writes the Markdown reference of root and every command below it, depth first
// in name order: the command path as a heading, its short description, its usage line and
// long help as text, its aliases and a table of its flags (flag, default, meaning) - what
// `--help` prints, so docs/cli.md cannot drift from the commands (see CheckReference).
// cobra's help and completion commands and hidden or deprecated ones are left out.
func Reference(w io.Writer, root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		writeCommand(w, c)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(root)
}

func writeCommand(w io.Writer, c *cobra.Command) {
	fmt.Fprintf(w, "### `%s`\n\n%s.\n\n```text\nUsage: %s\n", c.CommandPath(), strings.TrimSuffix(c.Short, "."), c.UseLine())
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "       %s COMMAND\n", c.CommandPath())
	}
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.Long, "\n"))
	}
	fmt.Fprintf(w, "```\n\n")
	if len(c.Aliases) > 0 {
		fmt.Fprintf(w, "Aliases: `%s`.\n\n", strings.Join(c.Aliases, "`, `"))
	}
	var rows []string
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" || f.Name == "help" {
			return
		}
		name, usage := pflag.UnquoteUsage(f)
		flag := "--" + f.Name
		if f.Shorthand != "" {
			flag = "-" + f.Shorthand + ", " + flag
		}
		if name != "" {
			flag += " " + name
		}
		if _, required := f.Annotations[cobra.BashCompOneRequiredFlag]; required {
			usage += " (required)"
		}
		rows = append(rows, fmt.Sprintf("| `%s` | %s | %s |", flag, defaultCell(f), escapeCell(usage)))
	})
	if len(rows) > 0 {
		fmt.Fprintf(w, "| flag | default | meaning |\n|---|---|---|\n%s\n\n", strings.Join(rows, "\n"))
	}
}

// defaultCell is a flag's default as the table shows it: empty when it is the zero value.
func defaultCell(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "[]", "false":
		return ""
	}
	return "`" + f.DefValue + "`"
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// referenceMarkers delimit the generated reference of one tool in docs/cli.md.
func referenceMarkers(tool string) (begin, end string) {
	return fmt.Sprintf("<!-- BEGIN %s reference: generated from the commands; rewrite with: go test ./cmd/%s -run TestCLIReference -update -->", tool, tool),
		fmt.Sprintf("<!-- END %s reference -->", tool)
}

// CheckReference compares the part of the Markdown file path between root's markers with
// Reference(root). With update it rewrites that part instead. The error names the file, the
// tool and the first line that differs, and how to update.
func CheckReference(path string, root *cobra.Command, update bool) error {
	tool := root.Name()
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	begin, end := referenceMarkers(tool)
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q ... %q markers", path, begin, end)
	}
	var gen bytes.Buffer
	gen.WriteString("\n\n")
	Reference(&gen, root)
	have := doc[i+len(begin) : j]
	if bytes.Equal(have, gen.Bytes()) {
		return nil
	}
	if update {
		out := append(append(append([]byte{}, doc[:i+len(begin)]...), gen.Bytes()...), doc[j:]...)
		return os.WriteFile(path, out, 0o644)
	}
	a, b := strings.Split(string(have), "\n"), strings.Split(gen.String(), "\n")
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	line := bytes.Count(doc[:i+len(begin)], []byte("\n")) + n + 1
	at := func(s []string) string {
		if n < len(s) {
			return s[n]
		}
		return "(end)"
	}
	return fmt.Errorf("%s:%d: the %s reference differs from the commands:\n  doc:      %s\n  commands: %s\nrewrite it with: go test ./cmd/%s -run TestCLIReference -update",
		path, line, tool, at(a), at(b), tool)
}
