// C interface of the dlib shim (shim.cpp). Kept plain C so cgo can call it;
// every function catches C++ exceptions and reports them through *err
// (a malloc'd string the caller frees) instead of letting them unwind into Go.
#ifndef OCCFER_LANDMARKS_SHIM_H
#define OCCFER_LANDMARKS_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

// An 8-bit BGR image owned by the caller (a cv::Mat's buffer). step is the
// row stride in bytes, so sub-images with padding need no copy.
typedef struct {
	const unsigned char *data;
	long rows;
	long cols;
	long step;
} occ_image;

// A detection in dlib's inclusive rectangle convention.
typedef struct {
	long left, top, right, bottom;
	double score;
} occ_det;

void *occ_predictor_load(const char *path, char **err);
void occ_predictor_free(void *sp);

void *occ_detector_new(char **err);
void occ_detector_free(void *det);

// occ_detect runs the HOG detector with `upsample` pyramid_up steps and writes
// up to max_out detections to out; *found receives the total number found.
// Returns 0 on success, -1 on error.
int occ_detect(void *det, occ_image img, int upsample, double adjust_threshold,
               occ_det *out, int max_out, int *found, char **err);

// occ_predict_batch runs the shape predictor on n faces: face i lies in the
// inclusive rectangle boxes[4i..4i+3] (left, top, right, bottom) of imgs[i].
// It writes 68 sub-pixel (x, y) pairs per face to out (136 doubles each).
// When init is not NULL, face i with has_init[i] set starts from the shape
// init[136i..136i+135] (image coordinates) instead of the model's mean shape.
// A face's result does not depend on the other faces of the batch. Returns
// 0, or -1 on error.
int occ_predict_batch(void *sp, const occ_image *imgs, const long *boxes, int n, const double *init,
                      const unsigned char *has_init, double *out, char **err);

// occ_reference_predict loads the model with dlib's own shape_predictor and
// predicts n inclusive boxes (4 longs each) into out (136 doubles each, the
// integer points dlib returns). Only
// the tests use it, to check the fast evaluator against dlib.
int occ_reference_predict(const char *path, occ_image img, const long *boxes, int n,
                          double *out, char **err);

#ifdef __cplusplus
}
#endif

#endif
