package cli

import (
	"fmt"
	"strings"
	"testing"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// array is the environment Slurm gives task id of --array=lo-hi:step.
func array(id, lo, hi, step int) func(string) string {
	return env("SLURM_JOB_ID", "77", "SLURM_ARRAY_TASK_ID", fmt.Sprint(id), "SLURM_ARRAY_TASK_MIN", fmt.Sprint(lo),
		"SLURM_ARRAY_TASK_MAX", fmt.Sprint(hi), "SLURM_ARRAY_TASK_STEP", fmt.Sprint(step),
		"SLURM_ARRAY_TASK_COUNT", fmt.Sprint((hi-lo)/step+1))
}

func TestSlurmShard(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  func(string) string
		i, n int
		err  string
	}{
		{"--array=1-4, task 1", array(1, 1, 4, 1), 1, 4, ""},
		{"--array=1-4, task 4", array(4, 1, 4, 1), 4, 4, ""},
		{"--array=0-3, task 0", array(0, 0, 3, 1), 1, 4, ""},
		{"--array=0-3, task 3", array(3, 0, 3, 1), 4, 4, ""},
		{"--array=5-8, task 6", array(6, 5, 8, 1), 2, 4, ""},
		{"--array=0-30:10, task 20", array(20, 0, 30, 10), 3, 4, ""},
		{"no MAX or STEP", env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "3"), 3, 3, ""},
		{"--array=1,2,9", env("SLURM_ARRAY_TASK_ID", "9", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_MAX", "9",
			"SLURM_ARRAY_TASK_STEP", "1", "SLURM_ARRAY_TASK_COUNT", "3"), 0, 0, "not the 3 tasks of one evenly spaced range"},
		{"outside Slurm", env(), 0, 0, "not a task of a Slurm array job (SLURM_ARRAY_TASK_ID is not set)"},
		{"plain job", env("SLURM_JOB_ID", "12"), 0, 0, "Slurm job 12 is not an array job"},
		{"no COUNT", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "1"), 0, 0, "SLURM_ARRAY_TASK_COUNT is not set"},
		{"bad ID", env("SLURM_ARRAY_TASK_ID", "x"), 0, 0, `SLURM_ARRAY_TASK_ID="x" is not an array index`},
		{"ID outside", env("SLURM_ARRAY_TASK_ID", "7", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_MAX", "4", "SLURM_ARRAY_TASK_COUNT", "4"), 0, 0, "task index 7 is not in the array 1..4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i, n, err := SlurmShard(tc.env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || i != tc.i || n != tc.n {
				t.Fatalf("shard %d/%d, %v; want %d/%d", i, n, err, tc.i, tc.n)
			}
		})
	}
	// Every task of an array gets a different shard, together all of 1..n.
	seen := map[int]bool{}
	for id := 0; id <= 14; id += 2 {
		i, n, err := SlurmShard(array(id, 0, 14, 2))
		if err != nil || n != 8 || seen[i] {
			t.Fatalf("task %d: %d/%d %v", id, i, n, err)
		}
		seen[i] = true
	}
	if len(seen) != 8 {
		t.Fatalf("shards %v", seen)
	}
}
