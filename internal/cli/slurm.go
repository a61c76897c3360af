package cli

import (
	"fmt"
	"strconv"
)

// SlurmShard returns the shard i of n (1-based) of this task of a Slurm job array, for
// `--shard slurm`. getenv is os.Getenv (a parameter for tests).
//
// Slurm numbers array tasks by the indexes given to sbatch --array, which may start at 0 or
// at any other number and may have a step (--array=0-15, --array=1-16, --array=0-30:2). It
// sets SLURM_ARRAY_TASK_ID (this task's index), SLURM_ARRAY_TASK_COUNT, _MIN, _MAX and _STEP
// (Slurm's sbatch documentation, "OUTPUT ENVIRONMENT VARIABLES"; job_array.html). The index is
// mapped onto 1..COUNT as (ID-MIN)/STEP + 1, so any evenly spaced range works. An index list
// that is not one evenly spaced range (--array=1,2,9) cannot be mapped and is refused, as is
// a process outside an array job.
func SlurmShard(getenv func(string) string) (i, n int, err error) {
	if getenv("SLURM_ARRAY_TASK_ID") == "" {
		if job := getenv("SLURM_JOB_ID"); job != "" {
			return 0, 0, fmt.Errorf("--shard slurm: Slurm job %s is not an array job (SLURM_ARRAY_TASK_ID is not set); submit it with sbatch --array=1-N", job)
		}
		return 0, 0, fmt.Errorf("--shard slurm: not a task of a Slurm array job (SLURM_ARRAY_TASK_ID is not set); submit with sbatch --array=1-N, or give --shard i/n")
	}
	num := func(name string, def int) (int, error) {
		s := getenv(name)
		if s == "" {
			if def >= 0 {
				return def, nil
			}
			return 0, fmt.Errorf("--shard slurm: %s is not set (Slurm sets it for array jobs)", name)
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("--shard slurm: %s=%q is not an array index", name, s)
		}
		return v, nil
	}
	id, err := num("SLURM_ARRAY_TASK_ID", -1)
	if err != nil {
		return 0, 0, err
	}
	count, err := num("SLURM_ARRAY_TASK_COUNT", -1)
	if err != nil {
		return 0, 0, err
	}
	lo, err := num("SLURM_ARRAY_TASK_MIN", -1)
	if err != nil {
		return 0, 0, err
	}
	step, err := num("SLURM_ARRAY_TASK_STEP", 1)
	if err != nil {
		return 0, 0, err
	}
	hi, err := num("SLURM_ARRAY_TASK_MAX", lo+(count-1)*max(step, 1))
	if err != nil {
		return 0, 0, err
	}
	if count < 1 || step < 1 || hi < lo || (hi-lo)%step != 0 || (hi-lo)/step+1 != count {
		return 0, 0, fmt.Errorf("--shard slurm: array indexes %d..%d (step %d) are not the %d tasks of one evenly spaced range; submit with --array=MIN-MAX or --array=MIN-MAX:STEP", lo, hi, step, count)
	}
	if id < lo || id > hi || (id-lo)%step != 0 {
		return 0, 0, fmt.Errorf("--shard slurm: task index %d is not in the array %d..%d (step %d)", id, lo, hi, step)
	}
	return (id-lo)/step + 1, count, nil
}
