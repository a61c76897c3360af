// Package onnxcheck holds the test that runs model.ExportONNX's files through OpenCV's DNN
// module (gocv) and compares the logits with the model's own. It is a package of its own so
// that only this test binary links both libtorch and OpenCV; the ffra binary links no OpenCV.
package onnxcheck
