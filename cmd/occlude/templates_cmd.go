package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/warp"
	"github.com/occfer/occfer/warp/assetgen"
)

var templatesCmd = &cobra.Command{
	Use:   "templates",
	Short: "Generate or check overlay templates",
}

var generateCmd = &cobra.Command{
	Use:   "generate [DIR]",
	Short: "Render the built-in mask and sunglasses templates into DIR (default assets)",
	Args:  cobra.MaximumNArgs(1),
	RunE: func(cmd *cobra.Command, args []string) error {
		dir := "assets"
		if len(args) == 1 {
			dir = args[0]
		}
		paths, err := assetgen.Generate(dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "occlude: wrote %d files under %s\n", len(paths), dir)
		return nil
	},
}

var checkFlags struct{ face, out, predictor string }

var checkCmd = &cobra.Command{
	Use:   "check TEMPLATE.json --face IMAGE -o OUT.png",
	Short: "Validate a template and render its anchors on a sample face",
	Long: `check loads and validates the template (anchors, transform, image), finds the largest face
in IMAGE with dlib, draws the template on it with each anchor's face point (green circle),
fitted position (red cross) and residual, writes OUT.png and prints the residuals.`,
	Args: cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) error {
		if checkFlags.face == "" || checkFlags.out == "" {
			return fmt.Errorf("--face IMAGE and -o OUT.png are required")
		}
		t, err := warp.LoadTemplate(args[0])
		if err != nil {
			return err
		}
		defer t.Close()
		img, err := imageio.Decode(checkFlags.face)
		if err != nil {
			return err
		}
		defer img.Close()
		pred, err := landmarks.Open(checkFlags.predictor)
		if err != nil {
			return err
		}
		defer pred.Close()
		faces, err := pred.Detect(img)
		if err != nil {
			return fmt.Errorf("%s: %w", checkFlags.face, err)
		}
		if len(faces) == 0 {
			return fmt.Errorf("%s: no face found; use a frontal face photo", checkFlags.face)
		}
		var shape warp.Shape
		for i, p := range faces[0].Points {
			shape[i] = warp.Point{X: p.X, Y: p.Y}
		}
		out, res, err := warp.RenderAnchors(img, shape, t)
		if err != nil {
			return err
		}
		defer out.Close()
		data, err := imageio.Encode(checkFlags.out, out)
		if err != nil {
			return err
		}
		if err := dataset.WriteFileAtomic(checkFlags.out, data); err != nil {
			return err
		}
		fmt.Printf("template %s (%s, style %s, colour %s, %s fit): valid\n", t.Name, t.Kind, t.Style, t.Colour, t.Transform)
		for _, r := range res {
			fmt.Printf("  anchor %-14s residual %5.1f px\n", r.Name, r.Distance)
		}
		fmt.Println("wrote", checkFlags.out)
		return nil
	},
}

func init() {
	checkCmd.Flags().StringVar(&checkFlags.face, "face", "", "sample face image")
	checkCmd.Flags().StringVarP(&checkFlags.out, "output", "o", "", "output PNG")
	checkCmd.Flags().StringVar(&checkFlags.predictor, "predictor", "", "dlib 68-point model (default /usr/share/dlib/...)")
	templatesCmd.AddCommand(generateCmd, checkCmd)
	rootCmd.AddCommand(templatesCmd)
}
