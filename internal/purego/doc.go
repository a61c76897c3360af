// Package purego holds no code: its test keeps the packages that must build without cgo
// (no libtorch through gotch, no OpenCV through gocv, no dlib) free of it. ffra's data side,
// run folders, metrics, plots, the model configuration and the landmark types are read on
// machines that have only some of those libraries (docs/design.md). Standard-library
// packages with cgo files (net, os/user) are allowed: they build with CGO_ENABLED=0 too.
package purego
