package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// unknownCommand is the error for a word that names no subcommand of cmd, with cobra's
// suggestions (edit distance at most 2, or a prefix of a subcommand's name).
func unknownCommand(cmd *cobra.Command, word string) error {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	s := cmd.SuggestionsFor(word)
	if len(s) == 0 {
		return fmt.Errorf("unknown command %q for %q (see %s --help)", word, cmd.CommandPath(), cmd.CommandPath())
	}
	return fmt.Errorf("unknown command %q for %q; did you mean %q?", word, cmd.CommandPath(), strings.Join(s, `" or "`))
}

// PathArgs is the Args check of a command that takes paths and also has subcommands (occlude
// IN OUT beside occlude merge): a first argument that is no existing path and is close to a
// subcommand's name is reported as a mistyped subcommand, before check counts the arguments.
func PathArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 && cmd.HasAvailableSubCommands() {
			if _, err := os.Lstat(args[0]); err != nil {
				if err := unknownCommand(cmd, args[0]); strings.Contains(err.Error(), "did you mean") {
					return err
				}
			}
		}
		return check(cmd, args)
	}
}

// Group makes cmd a command that only holds subcommands: run alone it prints its help, and an
// unknown word gets "did you mean". (cobra suggests only at the root, and answers an unknown
// word under a group with the group's help and exit status 0.)
func Group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return unknownCommand(c, args[0])
		}
		return nil
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	return cmd
}

// OldFlagNames is a flag normalisation (pflag.FlagSet.SetNormalizeFunc) that reads a flag's
// old name as its current one, so command lines written before a rename keep working.
func OldFlagNames(renamed map[string]string) func(*pflag.FlagSet, string) pflag.NormalizedName {
	return func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if n, ok := renamed[name]; ok {
			return pflag.NormalizedName(n)
		}
		return pflag.NormalizedName(name)
	}
}

// suggestFlag is the flag-error handler of every command (cobra passes pflag's parse errors
// through it): "unknown flag: --epoch" gets the command's flags within edit distance 2 or
// of which the word is a prefix, as unknown commands do.
func suggestFlag(cmd *cobra.Command, err error) error {
	word, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok || word == "" {
		return err
	}
	var near []string
	seen := map[string]bool{}
	visit := func(f *pflag.Flag) {
		if seen[f.Name] || f.Hidden {
			return
		}
		seen[f.Name] = true
		if editDistance(word, f.Name) <= 2 || strings.HasPrefix(f.Name, word) {
			near = append(near, "--"+f.Name)
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	if len(near) == 0 {
		return fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())
	}
	return fmt.Errorf("%w; did you mean %s?", err, strings.Join(near, " or "))
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
