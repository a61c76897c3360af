package face3d

import (
	"fmt"
	"math"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// conventions returns the landmarks of the reference head seen with pose p in the two jaw
// conventions: hidden (every jaw point where its 3-D point projects, as AFLW2000-3D annotates)
// and visible (jaw points turned away replaced by the head's outline at their height, as
// 300-W and dlib annotate).
func conventions(p Pose) (hidden, visible face68.Shape) {
	return p.ProjectShape(), ReferenceHead.VisibleShape(p)
}

// TestClassifyJaw: on the near side every jaw point is on the outline in both conventions (the
// chin's points, seen from above, on the outline at their height); on
// the far side of a head turned 30° or more, hidden-contour points are never taken for the
// outline, and visible-contour points are recognised as the outline (at least 5 of the 7 far
// points at 30°, all beyond), for yaw of either sign and some pitch.
func TestClassifyJaw(t *testing.T) {
	for _, yaw := range []float64{30, -30, 45, -45, 60, -60} {
		for _, pitch := range []float64{-15, 0, 15} {
			p := NewPose(yaw, pitch, 5, 80, 200, 200)
			t.Run(fmt.Sprintf("yaw%+.0f_pitch%+.0f", yaw, pitch), func(t *testing.T) {
				hidden, visible := conventions(p)
				hk := ReferenceHead.ClassifyJaw(p, &hidden)
				vk := ReferenceHead.ClassifyJaw(p, &visible)
				farSil := 0
				for j := 0; j <= 16; j++ {
					if j == 8 {
						continue
					}
					far := (Reference[j].X > 0) == (yaw > 0)
					if !far {
						on := func(k JawKind) bool { return k == JawOutline || k == JawSilhouette }
						if !on(hk[j].Kind) || !on(vk[j].Kind) {
							t.Errorf("near jaw %d: hidden %v, visible %v; want it on the outline", j, hk[j].Kind, vk[j].Kind)
						}
						continue
					}
					if hk[j].Kind == JawSilhouette && Reference[j].Y < 1.4 {
						t.Errorf("far jaw %d (hidden convention) taken for the outline", j)
					}
					if vk[j].Kind == JawSilhouette || vk[j].Kind == JawOutline {
						farSil++
					}
					if vk[j].Kind == JawHidden {
						t.Errorf("far jaw %d (visible convention) taken for a hidden point", j)
					}
				}
				if want := map[bool]int{true: 5, false: 7}[math.Abs(yaw) < 40]; farSil < want {
					t.Errorf("%d far visible-contour points recognised, want ≥ %d", farSil, want)
				}
			})
		}
	}
}

// TestVisibleShape: seen frontally both conventions are the same points; turned, only the far
// side's jaw points move (outward, to the outline), and the near side and points 17-67 stay.
func TestVisibleShape(t *testing.T) {
	front := NewPose(0, 0, 0, 100, 200, 200)
	if got, want := ReferenceHead.VisibleShape(front), front.ProjectShape(); got != want {
		t.Fatalf("frontal: VisibleShape differs from ProjectShape")
	}
	p := NewPose(45, 0, 0, 100, 200, 200)
	vis, hid := ReferenceHead.VisibleShape(p), p.ProjectShape()
	moved := 0
	for i := range vis {
		d := face68.Distance(vis[i], hid[i])
		switch {
		case i > 16 || Reference[i].X < 0: // points 17-67 and the near side (image left at yaw > 0)
			if d != 0 {
				t.Errorf("point %d moved by %.2f px", i, d)
			}
		case d > 1:
			moved++
			if vis[i].X <= hid[i].X { // far side is image right: the outline lies further out
				t.Errorf("far jaw point %d: outline x %.1f not right of hidden x %.1f", i, vis[i].X, hid[i].X)
			}
		}
	}
	if moved < 5 {
		t.Errorf("yaw 45: %d far jaw points moved to the outline, want at least 5", moved)
	}
}
