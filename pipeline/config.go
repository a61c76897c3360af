// Package pipeline runs the whole product from one config file: make or find the clean
// dataset, synthesise its occluded variants, train FFRA-Net on one of them and evaluate on all,
// and draw a contact sheet. Every step is deterministic in the config's seed and resumable, so
// the same config gives the same bytes, and an interrupted run continues where it stopped.
package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/safepath"
	"github.com/occfer/occfer/internal/textfile"
	"github.com/occfer/occfer/occlusion"
)

// Config is the pipeline config file (JSON). Relative paths are resolved against the folder of
// the config file, so a config and its data can move together.
type Config struct {
	Seed      uint64        `json:"seed"`      // default 1; every step's seed unless the step sets its own
	Out       string        `json:"out"`       // work folder: datasets, run folder, report
	Workers   int           `json:"workers"`   // 0: all cores
	Templates string        `json:"templates"` // template folder added to the built-in templates (optional)
	Source    Source        `json:"source"`
	Occlude   []OccludeStep `json:"occlude"`
	Train     *TrainStep    `json:"train,omitempty"`
	Sheet     *SheetStep    `json:"sheet,omitempty"`
	Protocol  *ProtocolStep `json:"protocol,omitempty"` // many runs laid out as the paper's tables

	over Overrides // from the command line
}

// Overrides are the command line's additions to a config (occfer run --data, -o, --epochs,
// --limit, --subset).
type Overrides struct {
	Data    string   // the dataset of a config whose source names none (a path, relative to the working folder)
	Out     string   // work folder, replacing the config's "out"
	Epochs  int      // every training run's epochs (0: the config's)
	Limit   int      // at most this many training images per run (0: the config's)
	Subsets []string // extra protocol subsets NAME=SET@LIST (paths relative to the working folder)
	Seeds   []uint64 // the protocol's seeds, replacing the config's
	// Settings are run config fields (JSON, as the protocol's "settings") laid over every
	// protocol run's settings, e.g. {"model": {"input_size": 112}} for a quick smoke test.
	Settings string
}

// Source is the clean dataset: exactly one of Path, Synth and Fixture.
type Source struct {
	Path    string       `json:"path,omitempty"`    // an existing tree (RAF-DB basic, class folders)
	Synth   *SynthSource `json:"synth,omitempty"`   // generated 7-class expression faces (ffra synth)
	Fixture *FixtureSrc  `json:"fixture,omitempty"` // re-shots of one portrait (real detection path)
}

// SynthSource generates the procedural expression dataset into OUT/clean.
type SynthSource struct {
	Train int `json:"train"`
	Test  int `json:"test"`
	Size  int `json:"size,omitempty"`
}

// FixtureSrc re-shoots one portrait into a RAF-DB-shaped tree in OUT/clean.
type FixtureSrc struct {
	Image   string `json:"image"`
	FaceBox [4]int `json:"face_box,omitempty"` // x0,y0,x1,y1 of the face; zero: the astronaut's
	Train   int    `json:"train"`
	Test    int    `json:"test"`
}

// OccludeStep makes one occluded variant of the clean dataset in OUT/<name>. Besides its name
// it takes every setting of the occlude command, under the flag's name in snake_case
// (occlusion.Settings: "kind", "style", "no_face", "occluders": "1,3", ...), with the same
// defaults; "seed" defaults to the pipeline's seed and "templates" to the pipeline's templates
// folder. Relative paths ("templates", "landmarks", "predictor") are resolved against the
// config file's folder.
type OccludeStep struct {
	Name string `json:"name"`
	occlusion.Settings

	seedSet    bool     // the step has its own "seed"
	zeroRanges []string // ranges given as 0,0, which would silently mean their defaults
}

// zeroRangeWant says what an occlude range needs; its zero value means "the default", so an
// explicit 0,0 is refused rather than replaced.
var zeroRangeWant = map[string]string{
	"area":      "want 0 < MIN <= MAX <= 1 (fractions of the face box)",
	"occluders": "want 1 <= MIN <= MAX",
}

// UnmarshalJSON reads a step over occlude's defaults, refusing unknown fields, and notes
// whether it sets its own seed.
func (s *OccludeStep) UnmarshalJSON(data []byte) error {
	type plain OccludeStep // without this method
	p := plain{Settings: occlusion.DefaultSettings()}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("occlude step: %w", err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return fmt.Errorf("occlude step: %w", err)
	}
	_, p.seedSet = keys["seed"]
	if _, ok := keys["area"]; ok && p.Area == (cli.FloatRange{}) {
		p.zeroRanges = append(p.zeroRanges, "area")
	}
	if _, ok := keys["occluders"]; ok && p.Occluders == (cli.IntRange{}) {
		p.zeroRanges = append(p.zeroRanges, "occluders")
	}
	*s = OccludeStep(p)
	return nil
}

// stepSettings returns the occlude settings of step s in the pipeline c: the pipeline's seed and
// templates folder where the step has none of its own.
func (c Config) stepSettings(s OccludeStep) occlusion.Settings {
	set := s.Settings
	if !s.seedSet {
		set.Seed = c.Seed
	}
	if set.TemplatesDir == "" {
		set.TemplatesDir = c.Templates
	}
	return set
}

// SheetStep draws the contact sheet OUT/<file> from the clean set and every occluded set.
type SheetStep struct {
	Rows int    `json:"rows"`
	Cell int    `json:"cell"`
	File string `json:"file"`
}

// CleanName is the name of the clean dataset in reports and --val lists.
const CleanName = "clean"

var stepName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// LoadConfig reads and validates a config file, resolving relative paths against its folder.
func LoadConfig(path string) (Config, error) {
	return LoadConfigWith(path, Overrides{})
}

// LoadConfigWith reads a config file as LoadConfig does, then applies the command line's
// overrides. --data gives the dataset to a config whose "source" is empty; a config that
// names its own dataset refuses it.
func LoadConfigWith(path string, o Overrides) (Config, error) {
	data, err := limits.ReadFile(path, limits.ConfigFile, "pipeline config")
	if err != nil {
		return Config{}, fmt.Errorf("pipeline config: %w", err)
	}
	return parseConfig(path, data, o)
}

// parseConfig reads the config file path whose content is data and applies o (see
// LoadConfigWith).
func parseConfig(path string, data []byte, o Overrides) (Config, error) {
	c := Config{Seed: 1} // a config without "seed" means seed 1, as the commands do
	if err := decodeConfig(data, &c); err != nil {
		return Config{}, fmt.Errorf("pipeline config %s: %w", path, err)
	}
	base := filepath.Dir(path)
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	abs(&c.Out)
	abs(&c.Source.Path)
	abs(&c.Templates)
	for i := range c.Occlude {
		st := &c.Occlude[i].Settings
		abs(&st.TemplatesDir)
		abs(&st.LandmarksFile)
		abs(&st.PredictorPath)
		abs(&st.MediaPipeDir)
	}
	if c.Source.Fixture != nil {
		abs(&c.Source.Fixture.Image)
	}
	if err := c.apply(o); err != nil {
		return Config{}, fmt.Errorf("pipeline config %s: %w", path, err)
	}
	if c.Protocol != nil {
		if err := c.Protocol.resolveSubsets(c, o.Subsets, base, ""); err != nil {
			return Config{}, fmt.Errorf("pipeline config %s: %w", path, err)
		}
	}
	if err := c.validate(); err != nil {
		return Config{}, fmt.Errorf("pipeline config %s: %w", path, err)
	}
	return c, nil
}

// apply lays the command line's overrides over the config.
func (c *Config) apply(o Overrides) error {
	c.over = o
	if o.Data != "" {
		if c.Source != (Source{}) {
			return fmt.Errorf("--data %s: the config names its own dataset in \"source\"; --data gives one to a config that names none", o.Data)
		}
		p, err := filepath.Abs(o.Data)
		if err != nil {
			return fmt.Errorf("--data: %w", err)
		}
		c.Source.Path = p
	}
	if o.Out != "" {
		p, err := filepath.Abs(o.Out)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		c.Out = p
	}
	if o.Epochs < 0 || o.Limit < 0 {
		return fmt.Errorf("--epochs %d and --limit %d must be >= 0", o.Epochs, o.Limit)
	}
	if (len(o.Subsets) > 0 || len(o.Seeds) > 0) && c.Protocol == nil {
		return fmt.Errorf("--subset and --seeds: the config has no \"protocol\"")
	}
	if len(o.Seeds) > 0 {
		c.Protocol.Seeds = o.Seeds
	}
	if o.Settings != "" && c.Protocol == nil {
		return fmt.Errorf("--settings: the config has no \"protocol\"")
	}
	return nil
}

func (c Config) validate() error {
	if c.Out == "" {
		return fmt.Errorf("\"out\" is required")
	}
	if _, err := cli.Workers(`"workers"`, c.Workers); err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{c.Source.Path != "", c.Source.Synth != nil, c.Source.Fixture != nil} {
		if set {
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("\"source\" names no dataset: give one with --data PATH, or set one of path, synth and fixture")
	}
	if n != 1 {
		return fmt.Errorf("\"source\" needs exactly one of path, synth and fixture (got %d)", n)
	}
	seen := map[string]bool{CleanName: true, "run": true, RunsDir: true}
	for _, s := range c.Occlude {
		if !stepName.MatchString(s.Name) || seen[s.Name] {
			return fmt.Errorf("occlude step name %q must be unique, not %q, \"run\" or %q, and use letters, digits, _ or -", s.Name, CleanName, RunsDir)
		}
		seen[s.Name] = true
		if err := s.Validate(); err != nil {
			return fmt.Errorf("occlude step %q: %w", s.Name, err)
		}
		if len(s.zeroRanges) > 0 {
			z := s.zeroRanges[0]
			return fmt.Errorf("occlude step %q: %q 0,0: %s", s.Name, z, zeroRangeWant[z])
		}
	}
	if c.Train != nil {
		if err := c.Train.validate(seen); err != nil {
			return err
		}
	}
	if c.Protocol != nil {
		sets := map[string]bool{CleanName: true}
		for _, s := range c.Occlude {
			sets[s.Name] = true
		}
		if err := c.Protocol.validate(c, sets); err != nil {
			return err
		}
	}
	if c.Sheet != nil {
		if err := c.Sheet.validate(); err != nil {
			return err
		}
	}
	return nil
}

// Contact sheet bounds: a sheet of rows x (1 + occlude steps) cells of cell x cell pixels.
const (
	MaxSheetRows = 1000
	MinSheetCell = 16
	MaxSheetCell = 1024
)

func (s *SheetStep) validate() error {
	if s.Rows < 1 || s.Rows > MaxSheetRows {
		return fmt.Errorf("sheet \"rows\" %d: want 1 to %d", s.Rows, MaxSheetRows)
	}
	if s.Cell < MinSheetCell || s.Cell > MaxSheetCell {
		return fmt.Errorf("sheet \"cell\" %d: want %d to %d pixels", s.Cell, MinSheetCell, MaxSheetCell)
	}
	// The sheet is written at OUT/<file>: a path that leaves OUT is refused.
	if _, err := safepath.Rel(s.File); err != nil {
		return fmt.Errorf("sheet \"file\" %s: %w (want a file name inside \"out\")", limits.Excerpt(s.File), err)
	}
	if !sheetFile.MatchString(s.File) {
		return fmt.Errorf("sheet \"file\" %s: want a file name ending in .png, written in \"out\"", limits.Excerpt(s.File))
	}
	return nil
}

var sheetFile = regexp.MustCompile(`^[A-Za-z0-9_.-]+\.png$`)

// endOfJSON refuses anything but white space after the JSON value dec has read: a second
// object or stray text is a broken file, not something to ignore.
func endOfJSON(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON object (at byte %d)", dec.InputOffset())
	}
	return nil
}

// CleanDir is where the clean dataset is: the source path, or OUT/clean when generated.
func (c Config) CleanDir() string {
	if c.Source.Path != "" {
		return c.Source.Path
	}
	return filepath.Join(c.Out, CleanName)
}

// SetDir is the folder of a named dataset (CleanName or an occlude step's name).
func (c Config) SetDir(name string) string {
	if name == CleanName {
		return c.CleanDir()
	}
	return filepath.Join(c.Out, name)
}

// rel expresses p relative to Out when it lies inside it, so reports do not depend on where
// the work folder is.
func (c Config) rel(p string) string {
	r, err := filepath.Rel(c.Out, p)
	if err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return p
	}
	return filepath.ToSlash(r)
}

// decodeConfig decodes one JSON object into c, refusing unknown fields and anything after
// the object (a UTF-8 byte-order mark is dropped); a syntax or type error names its line and column (encoding/json gives a byte
// offset), an empty file says so instead of "EOF".
func decodeConfig(data []byte, c *Config) error {
	data = textfile.StripBOM(data) // an editor's UTF-8 byte-order mark is not an error
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty file (want a JSON object)")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	at := func(off int64) string {
		off = min(max(off, 0), int64(len(data)))
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	if err := dec.Decode(c); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("%s: %w", at(syn.Offset), err)
		case errors.As(err, &typ):
			return fmt.Errorf("%s: %w", at(typ.Offset), err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("the file ends inside the JSON object: %w", err)
		}
		return err
	}
	end := dec.InputOffset()
	if rest := bytes.TrimLeft(data[end:], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("%s: data after the JSON object", at(int64(len(data)-len(rest))))
	}
	return nil
}
