package dataset

// Layout names a dataset layout.
type Layout string

const (
	LayoutRAFDB   Layout = "rafdb"
	LayoutFolders Layout = "folders"
	LayoutSingle  Layout = "single"
)

// Item is one image of a dataset. Only metadata: the pixels are decoded by whoever needs them.
type Item struct {
	Rel     string // slash path relative to Root, e.g. "Image/aligned/train_00001_aligned.jpg"
	Abs     string // path on disk
	Label   int    // class index 0..6 (ClassNames), or -1 when the layout has no label for it
	Split   string // "train", "test" or "" when the layout does not say
	Aligned bool   // a pre-aligned crop (RAF-DB Image/aligned/, or declared aligned by the user)
	Stem    string // RAF-DB stem ("train_00001"), else the file name without extension
}

// Problem is an input entry that was skipped, with the file, line (0 when not a line) and why.
type Problem struct {
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return p.Path + ":" + itoa(p.Line) + ": " + p.Reason
	}
	return p.Path + ": " + p.Reason
}

// Dataset is an opened dataset: its layout, its items sorted by Rel, the non-image files that a
// mirrored output must carry, and the entries that were skipped.
type Dataset struct {
	Root     string
	Layout   Layout
	Items    []Item
	AuxFiles []string
	Problems []Problem
}

// OpenOptions changes how a tree is read.
type OpenOptions struct {
	// Aligned declares every image a pre-aligned face crop (RAF-DB's Image/aligned is always).
	Aligned bool
	// RAFImages selects RAF-DB's image folder: "aligned", "original", "both", or "" for
	// aligned when Image/aligned exists, else original.
	RAFImages string
}

// Split returns the items of one split ("train", "test"), in Rel order.
func (d *Dataset) Split(name string) []Item {
	var out []Item
	for _, it := range d.Items {
		if it.Split == name {
			out = append(out, it)
		}
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
