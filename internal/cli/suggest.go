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
