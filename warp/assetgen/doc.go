// Package assetgen renders the overlay templates shipped in assets/: face
// masks (surgical, N95 with valve, KN95, cloth patterns) and sunglasses
// (aviator, wayfarer, round), each as an RGBA PNG with its anchors JSON, in
// frontal, left and right variants. Everything is drawn procedurally (no
// third-party images), anti-aliased by 3×3 supersampling, and written with
// deterministic bytes so regenerating the assets leaves git clean.
//
// Regenerate with `go generate ./warp/assetgen` or `occlude templates generate`.
package assetgen

//go:generate go run ./cmd/gentemplates -out ../../assets
