package imageio

// #cgo pkg-config: opencv4
// #cgo CXXFLAGS: -std=c++11
// #include "threads.h"
import "C"

// SetOpenCVThreads sets the size of OpenCV's own thread pool (process-wide)
// and returns the previous size, for restoring it. Callers that already run
// one image per worker should set 1: OpenCV's parallel loops on images of a
// few thousand pixels only add hand-offs and spinning threads (measured on a
// 2-core machine: 27% more CPU per image in a 2-worker occlude run).
func SetOpenCVThreads(n int) int {
	return int(C.occ_cv_set_threads(C.int(n)))
}
