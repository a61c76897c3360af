// Package assets holds the overlay templates that ship inside the occlude binary: the mask and
// sunglasses templates rendered by warp/assetgen (`occlude templates generate assets`, or
// `make assets`), each a JSON spec of anchors next to its RGBA PNG (format: warp.Spec).
//
// They are embedded with go:embed, so an installed occlude (go install, or a binary copied
// elsewhere) needs no assets folder at run time. After re-rendering the files, rebuild the
// binaries: the embedded copy is the one compiled in.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed masks/*.json masks/*.png sunglasses/*.json sunglasses/*.png
var files embed.FS

// Templates returns the built-in template set as a read-only file system: masks/*.json,
// masks/*.png, sunglasses/*.json and sunglasses/*.png, byte for byte the files committed in
// this folder.
func Templates() fs.FS { return files }
