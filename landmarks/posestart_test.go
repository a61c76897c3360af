package landmarks

import (
	"fmt"
	"math"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/synth"
)

// TestPredictStartsFromInit: a start given in FaceBox.Init is used (the result is not the
// mean-shape start's), and the cascade refines a start that is already the face's landmarks
// by small steps only: started from its own landmarks of the astronaut, the predictor lands
// within 3% of the inter-ocular distance of them, while a start shifted by a quarter of that
// distance gives other landmarks.
func TestPredictStartsFromInit(t *testing.T) {
	p := testPredictor(t)
	img, f := astronautFace(t)
	first, err := p.PredictInBox(img, f.Box)
	if err != nil {
		t.Fatal(err)
	}
	io := first.InterOcular()
	shifted := first
	for i := range shifted {
		shifted[i].X += io / 4
	}
	got, errs := p.PredictBatch([]FaceBox{{Img: img, Box: f.Box, Init: &first}, {Img: img, Box: f.Box, Init: &shifted}, {Img: img, Box: f.Box}})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
	}
	if got[2] != first {
		t.Fatalf("no Init: PredictBatch differs from PredictInBox")
	}
	if got[0] == first {
		t.Errorf("started from its own landmarks: bit-identical to the mean-shape start, Init ignored?")
	}
	if e := meanError(got[0], first); e > 0.03 {
		t.Errorf("started from its own landmarks: moved %.3f inter-ocular distances, want <= 0.03", e)
	}
	if got[1] == got[0] {
		t.Errorf("shifted start gave the same landmarks as the unshifted one")
	}
	t.Logf("own start: %.4f IOD from the first pass; shifted start: %.4f", meanError(got[0], first), meanError(got[1], first))
}

// TestPredictBatchPosed: a face whose first landmarks fit a head turned by less than
// RestartYaw keeps them bit for bit; one turned further is predicted again from PoseStart of
// its fitted pose, and its landmarks are exactly that prediction. The faces are synth faces
// drawn at yaw 0 to 60 deg (dlib finds some of them turned, some not) and the astronaut; at
// least one restarted face lands elsewhere than its first pass.
func TestPredictBatchPosed(t *testing.T) {
	p := testPredictor(t)
	astro, af := astronautFace(t)
	jobs := []FaceBox{{Img: astro, Box: af.Box}}
	for _, yaw := range []float64{0, 30, -30, 45, -45, 60} {
		for seed := uint64(1); seed <= 3; seed++ {
			rgba, pl, err := synth.PosedFace(seed, fmt.Sprintf("f%d.png", seed), int(seed), 256, synth.View{Yaw: yaw})
			if err != nil {
				t.Fatal(err)
			}
			img, err := gocv.ImageToMatRGB(rgba)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			jobs = append(jobs, FaceBox{Img: img, Box: pl.Visible.Box()})
		}
	}
	first, errs := p.PredictBatch(jobs)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
	}
	got, restarted, errs := p.PredictBatchPosed(jobs)
	nturned, moved := 0, 0
	for i := range jobs {
		if errs[i] != nil {
			t.Fatalf("job %d: %v", i, errs[i])
		}
		fit, err := face3d.FitPose(&first[i])
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
		turned := math.Abs(fit.Pose.Yaw) >= RestartYaw
		if restarted[i] != turned {
			t.Errorf("job %d: first pass yaw %.1f: restarted %v", i, fit.Pose.Yaw, restarted[i])
			continue
		}
		if !turned {
			if got[i] != first[i] {
				t.Errorf("job %d: yaw %.1f below RestartYaw, landmarks changed", i, fit.Pose.Yaw)
			}
			continue
		}
		nturned++
		if meanError(got[i], first[i]) > 0.05 {
			moved++
		}
		start := PoseStart(fit.Pose)
		want, errs := p.PredictBatch([]FaceBox{{Img: jobs[i].Img, Box: jobs[i].Box, Init: &start}})
		if errs[0] != nil || got[i] != want[0] {
			t.Errorf("job %d: restarted landmarks are not the prediction from PoseStart (err %v)", i, errs[0])
		}
	}
	if nturned == 0 || nturned == len(jobs) {
		t.Fatalf("%d of %d faces restarted: the set must hold both kinds", nturned, len(jobs))
	}
	if restarted[0] {
		t.Errorf("the frontal astronaut was restarted")
	}
	if moved == 0 {
		t.Errorf("no restarted face moved by more than 0.05 inter-ocular distances: the start is not used")
	}
}
