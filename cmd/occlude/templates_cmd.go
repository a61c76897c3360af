package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/warp"
	"github.com/occfer/occfer/warp/assetgen"
)

// newTemplatesCmd is `occlude templates` and its subcommands.
func newTemplatesCmd() *cobra.Command {
	cmd := cli.Group(&cobra.Command{
		Use:   "templates",
		Short: "Generate or check overlay templates",
	})
	cmd.AddCommand(newGenerateCmd(), newCheckCmd())
	return cmd
}

func newGenerateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "generate [DIR]",
		Short: "Render the built-in mask and sunglasses templates into DIR (default assets)",
		Long: `generate renders the mask and sunglasses templates that are built into occlude into DIR
(DIR/masks and DIR/sunglasses, a JSON spec and an RGBA PNG each): the same bytes as the
repository's assets/ folder. Edit a copy to make your own and pass it with --templates.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "assets"
			if len(args) == 1 {
				dir = args[0]
			}
			paths, err := assetgen.Generate(dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "occlude: wrote %d files under %s\n", len(paths), dir)
			return nil
		},
	}
}

type checkOptions struct {
	Template, Face, Out, Predictor string
}

func newCheckCmd() *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check TEMPLATE.json --face IMAGE -o OUT.png",
		Short: "Validate a template and render its anchors on a sample face",
		Long: `check loads and validates the template (anchors, transform, image), finds the largest face
in IMAGE with dlib, draws the template on it with each anchor's face point (green circle),
fitted position (red cross) and residual, writes OUT.png and prints the residuals.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Template = args[0]
			return runCheck(*o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Face, "face", "", "sample face `IMAGE`")
	f.StringVarP(&o.Out, "out", "o", "", "output `PNG`")
	f.SetNormalizeFunc(cli.OldFlagNames(map[string]string{"output": "out"}))
	f.StringVar(&o.Predictor, "predictor", "", "dlib 68-point model `FILE` (default /usr/share/dlib/...)")
	for _, name := range []string{"face", "out"} {
		if err := cmd.MarkFlagRequired(name); err != nil {
			panic(err)
		}
	}
	return cmd
}

func runCheck(o checkOptions, stdout io.Writer) error {
	t, err := warp.LoadTemplate(o.Template)
	if err != nil {
		return err
	}
	defer t.Close()
	img, err := imageio.Decode(o.Face)
	if err != nil {
		return err
	}
	defer img.Close()
	pred, err := landmarks.Open(o.Predictor)
	if err != nil {
		return err
	}
	defer pred.Close()
	faces, err := pred.Detect(img)
	if err != nil {
		return fmt.Errorf("%s: %w", o.Face, err)
	}
	if len(faces) == 0 {
		return fmt.Errorf("%s: no face found; use a frontal face photo", o.Face)
	}
	out, res, err := warp.RenderAnchors(img, faces[0].Points, t)
	if err != nil {
		return err
	}
	defer out.Close()
	data, err := imageio.Encode(o.Out, out)
	if err != nil {
		return err
	}
	if err := dataset.WriteFileAtomic(o.Out, data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "template %s (%s, style %s, colour %s, %s fit): valid\n", t.Name, t.Kind, t.Style, t.Colour, t.Transform)
	for _, r := range res {
		fmt.Fprintf(stdout, "  anchor %-14s residual %5.1f px\n", r.Name, r.Distance)
	}
	fmt.Fprintln(stdout, "wrote", o.Out)
	return nil
}
