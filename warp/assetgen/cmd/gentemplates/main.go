// Command gentemplates writes the procedural overlay templates (see package
// assetgen) into a folder, by default ../../assets for `go generate`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/occfer/occfer/warp/assetgen"
)

func main() {
	out := flag.String("out", "assets", "folder that receives masks/ and sunglasses/")
	flag.Parse()
	paths, err := assetgen.Generate(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentemplates:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d files under %s\n", len(paths), *out)
}
