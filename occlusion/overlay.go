package occlusion

import (
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/warp"
)

// overlay draws template t on face f with warp's pose-aware placement and realistic
// compositing, adds what it covered to the canvas mask, and records template, pose and
// placement. Masks on FaceMesh's landmarks keep the far-eye margin (warp.Options.FarEyeMargin:
// FaceMesh puts a turned face's far eye too high).
func (r *runner) overlay(img gocv.Mat, cv *canvas, f landmarks.Face, t *warp.Template, rng *rand.Rand, fr FaceRecord) (FaceRecord, error) {
	opts := warp.DefaultOptions()
	opts.FarEyeMargin = f.FaceMesh
	res, err := warp.Apply(img, f.Points, t, opts, rng)
	if err != nil {
		return fr, err
	}
	for i, v := range res.Mask.Pix {
		if v >= 128 {
			cv.occ.Pix[i] = 255
		}
	}
	fr.Template = &TemplateInfo{Name: t.Name, Style: t.Style, Color: t.Colour, Texture: templateTexture(t)}
	fr.Pose = poseInfo(res.Pose)
	fr.Placement = res.Placement
	fr.SilhouetteCut = math.Round(res.SilhouetteCut*1e4) / 1e4
	return fr, nil
}

func poseInfo(p face3d.Pose) *PoseInfo {
	return &PoseInfo{Yaw: round2(p.Yaw), Pitch: round2(p.Pitch), Roll: round2(p.Roll)}
}

// facePose is the pose recorded for a face occluded without a template (random occluders):
// the same fit that places templates, absent when the landmarks admit none.
func facePose(s face68.Shape) *PoseInfo {
	fit, err := face3d.FitPose(&s)
	if err != nil {
		return nil
	}
	return poseInfo(fit.Pose)
}
