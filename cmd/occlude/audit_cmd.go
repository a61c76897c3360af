package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/audit"
)

// auditOptions are the flags of occlude audit.
type auditOptions struct {
	audit.Options
	json  bool   // JSON report (per image and aggregate) instead of the table
	sheet int    // worst cases on the contact sheet (0: no sheet)
	out   string // contact sheet PNG
	in    string // input dataset, for the sheet's input panels
}

func newAuditCmd() *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit OUT [--landmarks FILE] [--pose FILE] [--json] [--sheet N -o SHEET.png [--in IN]]",
		Short: "Score an occluded dataset's occlusion masks against landmarks, by yaw band",
		Long: `audit reads an occlude output folder made with --write-masks and scores every face: the share
of the outer-lip polygon (48-59), of the nose points 30-35 and of the eye polygons (36-47) that
the occluder hides, and the share of the occluder outside the face (the convex hull of the 68
landmarks enlarged 10% about its centre). Masks pass with mouth >= 80%, nose >= 80%, eyes <= 5%,
spill <= 20%; sunglasses with eyes >= 60%, mouth <= 5%, spill <= 25%. Images with status error
or unreadable fail. Faces are grouped by |yaw| (0-15, 15-30, 30-45, 45-60, 60-90 degrees).

Ground truth is --landmarks FILE (68-point JSONL or CSV, paths as the manifest's "in"; faces
that occlude missed then fail) or else the landmarks in the manifest. Yaw comes from --pose
FILE (JSON lines {"path","yaw","pitch","roll"} in degrees), else the manifest's faces[].pose,
else it is estimated from the landmarks (eyes, nose tip, mouth corners).

Examples:
  occlude audit FM_RAF-DB
  occlude audit FM --landmarks truth.jsonl --pose pose.jsonl --json > audit.json
  occlude audit FM --sheet 24 -o worst.png --in RAF-DB/basic`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Out = args[0]
			return runAudit(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Landmarks, "landmarks", "", "ground-truth 68-point landmarks file, JSONL or CSV (default: the manifest's landmarks)")
	f.StringVar(&o.Pose, "pose", "", "head poses, JSON lines {\"path\",\"yaw\",\"pitch\",\"roll\"} in degrees (default: the manifest's, else estimated)")
	f.StringVar(&o.Kind, "kind", "", "occlusion kind whose rules apply: mask, sunglasses or random (default: the run's)")
	f.IntVar(&o.Workers, "workers", 0, "parallel mask readers (0: all cores)")
	f.BoolVar(&o.json, "json", false, "print the report as JSON (per-image results and the aggregate)")
	f.IntVar(&o.sheet, "sheet", 0, "write a contact sheet of the N worst faces (needs -o)")
	f.StringVarP(&o.out, "out", "o", "", "contact sheet PNG (with --sheet)")
	f.StringVar(&o.in, "in", "", "input dataset of the run, for the sheet's input panels")
	return cmd
}

func init() { rootCmd.AddCommand(newAuditCmd()) }

func runAudit(ctx context.Context, o *auditOptions, stdout, stderr io.Writer) error {
	if o.sheet > 0 && o.out == "" {
		return fmt.Errorf("--sheet %d needs -o SHEET.png", o.sheet)
	}
	if o.sheet < 0 {
		return fmt.Errorf("--sheet %d: want a number of faces >= 0", o.sheet)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	rep, err := audit.Run(ctx, o.Options)
	if err != nil {
		return err
	}
	if o.json {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		return err
	}
	if o.sheet > 0 {
		worst := rep.Worst(o.sheet)
		if err := rep.WriteSheet(o.out, worst, o.in); err != nil {
			return err
		}
		failed := 0
		for _, c := range worst {
			if !*c.Face.Pass {
				failed++
			}
		}
		fmt.Fprintf(stderr, "occlude: wrote %s: the %d worst faces, %d of them failed\n", o.out, len(worst), failed)
	}
	return nil
}
