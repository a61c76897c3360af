package main

import (
	"context"
	"reflect"
	"testing"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/occlusion"
)

// The same command executed twice in one process: the second run sees its own flags and the
// defaults, nothing of the first.
func TestOptionsDoNotLeakBetweenRuns(t *testing.T) {
	var got []runOptions
	cmd := newRunCmd(func(_ context.Context, o *runOptions) error {
		got = append(got, *o)
		return nil
	})
	runs := [][]string{
		{"--kind", "random", "--seed", "9", "--occluders", "2-4", "--area", "0.1,0.2", "--occluder-types", "solid,hand",
			"--workers", "3", "--resume", "--shard", "1/2", "-q", "--no-face", "skip", "--write-masks", "--templates", "T", "a", "b"},
		{"--kind", "mask", "c", "d"},
	}
	for _, args := range runs {
		if err := cli.Execute(context.Background(), cmd, args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	first := occlusion.DefaultSettings()
	first.Kind, first.Seed, first.NoFace, first.WriteMasks, first.TemplatesDir = occlusion.KindRandom, 9, occlusion.NoFaceSkip, true, "T"
	first.Occluders, first.Area, first.OccluderTypes = cli.IntRange{Min: 2, Max: 4}, cli.FloatRange{Min: 0.1, Max: 0.2}, []string{"solid", "hand"}
	second := occlusion.DefaultSettings()
	second.Kind = occlusion.KindMask
	for i, want := range []runOptions{
		{In: "a", Out: "b", Settings: first, Workers: 3, Resume: true, Shard: "1/2", Quiet: true},
		{In: "c", Out: "d", Settings: second},
	} {
		if len(got) != 2 {
			t.Fatalf("%d runs", len(got))
		}
		g := got[i]
		if len(g.Settings.OccluderTypes) == 0 {
			g.Settings.OccluderTypes = nil // unset: nil or empty alike
		}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("run %d:\n%+v\nwant\n%+v", i+1, g, want)
		}
	}
	if got[1].Settings.Seed != 1 {
		t.Errorf("default seed %d, want 1", got[1].Settings.Seed)
	}
}
