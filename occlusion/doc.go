// Package occlusion is the dataset run behind `occlude`: it reads a dataset (dataset.Open),
// finds 68 facial landmarks per image (landmarks files, RAF-DB annotations, dlib detection or the
// aligned-crop fallback), draws the occlusion (a face-mask or sunglasses template fitted by warp,
// or random occluders), and writes a mirrored output tree plus a manifest.
//
// Output bytes never depend on the worker count, the processing order, sharding or resuming:
// every random choice comes from dataset.ItemRNG(seed, rel, purpose), the aligned-fallback
// calibration is computed from a fixed sample of the whole sorted dataset, and the manifest is
// assembled in rel order from a journal at the end of the run.
package occlusion
