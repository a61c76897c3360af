package dataset

import (
	"fmt"
	"sort"
	"strconv"
)

// Layout names a dataset layout.
type Layout string

const (
	LayoutRAFDB      Layout = "rafdb"       // EmoLabel/list_patition_label.txt + Image/aligned|original
	LayoutFolders    Layout = "folders"     // train/ val/ test/ and class folders, or any tree of images
	LayoutSingle     Layout = "single"      // one image file
	LayoutFERPlus    Layout = "ferplus"     // FER2013Train/ FER2013Valid/ FER2013Test/ with label.csv
	LayoutFERPlusCSV Layout = "ferplus-csv" // fer2013.csv + fer2013new.csv (images in memory)
	LayoutFER2013CSV Layout = "fer2013-csv" // fer2013.csv alone (images in memory)
)

// Gray is an 8-bit grayscale image held in memory, row-major (FER2013's 48x48 pixel rows).
type Gray struct {
	W, H int
	Pix  []uint8 // len W*H
}

// Item is one image of a dataset. Only metadata, except for layouts whose images live inside
// a CSV file (Pixels).
type Item struct {
	Rel     string // slash path relative to Root, e.g. "Image/aligned/train_00001_aligned.jpg"
	Abs     string // path on disk; "" when the image lives in memory (Pixels)
	Label   int    // index into Dataset.Classes, or -1 when the item has no usable label
	Split   string // "train", "val", "test", or "" when the layout does not say
	Aligned bool   // a pre-aligned crop (RAF-DB Image/aligned/, or declared aligned by the user)
	Stem    string // RAF-DB stem ("train_00001"), else the file name without extension

	// Target is the soft label of the FERPlus probability and crossentropy modes on the train
	// split: a distribution over Dataset.Classes summing to 1; Label is its argmax. nil else.
	Target []float32
	// Votes are FERPlus's ten crowd votes (neutral .. contempt, unknown, not-a-face), nil for
	// other layouts.
	Votes []int
	// Pixels holds the image of a CSV layout (fer2013.csv); nil for image files.
	Pixels *Gray
	// Source names where the item's label (or, for CSV layouts, its pixels) comes from, as
	// "file:line", for messages; "" when there is none.
	Source string
}

// Where names the item for a message: its file, or the CSV line that holds it.
func (it Item) Where() string {
	if it.Abs != "" {
		return it.Abs
	}
	return it.Source
}

// Problem codes: the reason of a Problem in a word, for counting by reason (ffra data).
const (
	CodeBadLine       = "bad-line"           // a line that does not parse
	CodeUnknownLabel  = "unknown-label"      // a label value outside the layout's labels
	CodeUnsafeName    = "unsafe-name"        // an image name that leaves the dataset folder
	CodeDuplicate     = "duplicate"          // a name listed again
	CodeMissingImage  = "missing-image"      // a listed image that does not exist
	CodeUnlisted      = "unlisted-image"     // an image the label file does not list
	CodeNoClassFolder = "no-class-folder"    // an image under no folder naming a class
	CodeNoMajority    = "no-majority"        // FERPlus majority: no class has more than half the votes
	CodeSpreadVotes   = "spread-votes"       // FERPlus probability/crossentropy: votes too spread (reference code rule)
	CodeUnknownWinner = "unknown-winner"     // FERPlus: the winning vote is "unknown"
	CodeNotAFace      = "not-a-face-winner"  // FERPlus: the winning vote is "not a face"
	CodeContempt      = "contempt-dropped"   // FERPlus with 7 classes: the winner is contempt
	CodeFERPlusNoName = "ferplus-dropped"    // fer2013new.csv row with no image name (dropped by the FERPlus authors)
	CodeUsage         = "usage-mismatch"     // fer2013new.csv and fer2013.csv disagree on a row's split
	CodeUnreadable    = "unreadable-image"   // an image that could not be decoded
	CodeNoLabel       = "no-label"           // an item without a usable label
	CodeListed        = "not-in-dataset"     // a subset list names an image the dataset lacks
	CodeAmbiguous     = "ambiguous-name"     // a subset list name that matches several images
	CodeLabelDiffers  = "list-label-differs" // a subset list's label disagrees with the dataset's
)

// Problem is an input entry that was skipped (or, for CodeLabelDiffers, noted), with the
// file, line (0 when not a line), why, and the item concerned when there is one.
//
// A Problem with Count above 1 stands for Count problems of one file and code that are not
// listed one by one (see DefaultMaxProblems); Line is then the first of them.
type Problem struct {
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	Code   string `json:"code,omitempty"`
	Item   string `json:"item,omitempty"` // Rel of the item it concerns
	Reason string `json:"reason"`
	Count  int    `json:"count,omitempty"`
}

// Weight is the number of problems p stands for: Count, or 1.
func (p Problem) Weight() int { return max(1, p.Count) }

func (p Problem) String() string {
	if p.Line > 0 {
		return p.Path + ":" + strconv.Itoa(p.Line) + ": " + p.Reason
	}
	return p.Path + ": " + p.Reason
}

// Dataset is an opened dataset: its layout, class names, items sorted by Rel, the non-image
// files that a mirrored output must carry, and the entries that were skipped.
type Dataset struct {
	Root     string
	Layout   Layout
	Classes  []string // Item.Label indexes this; canonical names (see CanonicalClass)
	Order    string   // the class order the labels were read with ("rafdb", "ferplus", ...)
	Items    []Item
	AuxFiles []string // sorted slash paths; only files that passed the path rule (safepath.Walk)
	Problems []Problem
}

// HasAux reports whether rel is one of the dataset's non-image files. Side files named by
// convention (landmarks68.jsonl at the root, RAF-DB's Annotation/ files) are read only when
// listed here, so a link that leaves the tree is never read through them.
func (d *Dataset) HasAux(rel string) bool {
	i := sort.SearchStrings(d.AuxFiles, rel)
	return i < len(d.AuxFiles) && d.AuxFiles[i] == rel
}

// LabelOptions say how labels are read. They change what a model learns, so a training run
// records them (config.json "labels") and a resume reads the data the same way.
type LabelOptions struct {
	// ClassOrder gives the meaning of digit class folders (ParseClassOrder). Layouts that
	// define their own labels (RAF-DB, FERPlus, fer2013.csv) ignore it.
	ClassOrder string `json:"class_order,omitempty"`
	// FERPlusMode is how the train split of a FERPlus dataset is labelled: "majority"
	// (default), "probability" or "crossentropy" (docs/datasets-ferplus.md). Its val and test
	// splits are always read by majority, as in the FERPlus reference code.
	FERPlusMode string `json:"ferplus_mode,omitempty"`
	// FERPlusClasses is 8 (default) or 7 (contempt dropped).
	FERPlusClasses int `json:"ferplus_classes,omitempty"`
}

// FERPlus label modes.
const (
	ModeMajority     = "majority"
	ModeProbability  = "probability"
	ModeCrossEntropy = "crossentropy"
)

// Validate checks the options.
func (o LabelOptions) Validate() error {
	if o.ClassOrder != "" {
		if _, err := ParseClassOrder(o.ClassOrder); err != nil {
			return err
		}
	}
	switch o.FERPlusMode {
	case "", ModeMajority, ModeProbability, ModeCrossEntropy:
	default:
		return fmt.Errorf("unknown FERPlus mode %q (majority, probability or crossentropy)", o.FERPlusMode)
	}
	switch o.FERPlusClasses {
	case 0, 7, 8:
	default:
		return fmt.Errorf("FERPlus has 8 classes, or 7 without contempt; got %d", o.FERPlusClasses)
	}
	return nil
}

// OpenOptions changes how a tree is read.
type OpenOptions struct {
	LabelOptions
	// Aligned declares every image a pre-aligned face crop (RAF-DB's Image/aligned is always).
	Aligned bool
	// RAFImages selects RAF-DB's image folder: "aligned", "original", "both", or "" for
	// aligned when Image/aligned exists, else original.
	RAFImages string
	// NeedLabels refuses trees whose labels cannot be read without more information (digit
	// class folders without ClassOrder), for callers that train or evaluate. Without it such
	// a tree opens unlabelled, as occlude needs.
	NeedLabels bool
	// NeedFiles refuses layouts whose images live inside a CSV file, for callers that read
	// image files (occlude, predict); the error says how to write them out.
	NeedFiles bool
	// AllProblems keeps every problem of a label file in Dataset.Problems; without it the
	// first DefaultMaxProblems of each file and code are kept and the rest counted.
	AllProblems bool
}

// maxProblems is the per-file, per-code cap the options ask for (-1: none).
func (o OpenOptions) maxProblems() int {
	if o.AllProblems {
		return -1
	}
	return DefaultMaxProblems
}

// Split returns the items of one split ("train", "val", "test"), in Rel order.
func (d *Dataset) Split(name string) []Item {
	var out []Item
	for _, it := range d.Items {
		if it.Split == name {
			out = append(out, it)
		}
	}
	return out
}

// InMemory reports whether the dataset's images live inside a CSV file rather than in files.
func (d *Dataset) InMemory() bool {
	return d.Layout == LayoutFERPlusCSV || d.Layout == LayoutFER2013CSV
}
