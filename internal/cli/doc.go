// Package cli holds what the three commands (occlude, ffra, occfer) share so that they speak
// one vocabulary (docs/cli.md): the MIN,MAX range syntax, the interrupt context and exit
// status, the --workers rule, "did you mean" for mistyped subcommands, the Slurm array shard,
// and the generator of docs/cli.md's reference. It is pure Go (no cgo), so every command and
// any library can use it without linking OpenCV or libtorch.
package cli
