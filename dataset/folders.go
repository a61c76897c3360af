package dataset

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// splitOf maps a top folder name to its split ("" when the folder is no split folder).
func splitOf(dir string) string {
	switch strings.ToLower(dir) {
	case "train", "training":
		return "train"
	case "val", "valid", "validation":
		return "val"
	case "test", "testing":
		return "test"
	}
	return ""
}

// folderItem is an image of a folder tree with the folders below its split folder.
type folderItem struct {
	it   Item
	dirs []string // folders between the split folder (or the root) and the file
}

// openFolders reads a plain tree. A top folder train/, val/ (valid/, validation/) or test/
// sets the split. Below it, class folders set the label:
//   - with a class order (--class-order), the first folder that is a digit of the order or
//     names one of its classes; classes are the order's;
//   - else digit folders are refused (their meaning depends on the dataset), and the first
//     folder naming an expression (CanonicalClass) sets the label; classes are RAF-DB's seven
//     (ClassNames), plus Contempt when a folder names it;
//   - else, when every image sits directly in a class folder ([split/]class/file) and there
//     are at least two, the folder names sorted are the classes (torchvision's ImageFolder).
//
// Images that no rule labels get Label -1; when their tree has class folders they are
// reported (CodeNoClassFolder).
func openFolders(root string, files []string, opts OpenOptions) (*Dataset, error) {
	d := &Dataset{Root: root, Layout: LayoutFolders}
	var items []folderItem
	for _, rel := range files {
		if !IsImageName(rel) {
			d.AuxFiles = append(d.AuxFiles, rel)
			continue
		}
		parts := strings.Split(rel, "/")
		fi := folderItem{it: Item{Rel: rel, Abs: filepath.Join(root, filepath.FromSlash(rel)), Label: -1, Aligned: opts.Aligned}}
		fi.it.Stem = strings.TrimSuffix(parts[len(parts)-1], path.Ext(rel))
		fi.dirs = parts[:len(parts)-1]
		if len(fi.dirs) > 0 {
			if s := splitOf(fi.dirs[0]); s != "" {
				fi.it.Split, fi.dirs = s, fi.dirs[1:]
			}
		}
		items = append(items, fi)
	}
	var err error
	switch {
	case opts.ClassOrder != "":
		err = labelByOrder(d, items, opts.ClassOrder)
	default:
		if digits := digitFolders(items); len(digits) > 0 {
			if !opts.NeedLabels {
				d.Classes = ClassNames[:]
				break // an image tree for occlude: its folders need no meaning
			}
			return nil, fmt.Errorf("open dataset %s: class folders named by digits (%s) mean different classes in different datasets; give their order with --class-order (%s, or a comma list of class names numbered from 0)",
				root, capList(digits, 8), strings.Join(ClassOrderNames(), ", "))
		}
		if !labelByName(d, items) {
			labelImageFolder(d, items)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open dataset %s: %w", root, err)
	}
	for _, fi := range items {
		d.Items = append(d.Items, fi.it)
	}
	return d, nil
}

// digitFolders lists the distinct "split/digits" class folders of a tree (the first folder
// below the split folder, or below the root).
func digitFolders(items []folderItem) []string {
	seen := map[string]bool{}
	var out []string
	for _, fi := range items {
		if len(fi.dirs) == 0 || !isDigits(fi.dirs[0]) {
			continue
		}
		name := fi.dirs[0] + "/"
		if top := strings.SplitN(fi.it.Rel, "/", 2)[0]; fi.it.Split != "" {
			name = top + "/" + name
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

func capList(s []string, n int) string {
	if len(s) > n {
		return strings.Join(s[:n], ", ") + fmt.Sprintf(", ... (%d in all)", len(s))
	}
	return strings.Join(s, ", ")
}

// labelByOrder labels items by the class order's digits or names.
func labelByOrder(d *Dataset, items []folderItem, orderName string) error {
	order, err := ParseClassOrder(orderName)
	if err != nil {
		return err
	}
	d.Classes, d.Order = order.Classes, order.Name
	for i := range items {
		fi := &items[i]
		reported := false
		for _, dir := range fi.dirs {
			if isDigits(dir) {
				c, err := order.Index(dir)
				if err != nil {
					d.Problems = append(d.Problems, Problem{Path: fi.it.Abs, Code: CodeUnknownLabel, Item: fi.it.Rel,
						Reason: fmt.Sprintf("class folder %s", err)})
					reported = true
				}
				fi.it.Label = c
				break
			}
			if c := IndexOfClass(order.Classes, dir); c >= 0 {
				fi.it.Label = c
				break
			}
		}
		if fi.it.Label < 0 && len(fi.dirs) > 0 && !reported {
			d.Problems = append(d.Problems, Problem{Path: fi.it.Abs, Code: CodeNoClassFolder, Item: fi.it.Rel,
				Reason: fmt.Sprintf("no folder of %s names a class of order %s (%s)", fi.it.Rel, order.Name, strings.Join(order.Classes, ", "))})
		}
	}
	return nil
}

// labelByName labels items by expression folder names and reports whether any folder named
// one. Classes: ClassNames, plus Contempt when present.
func labelByName(d *Dataset, items []folderItem) bool {
	named, contempt := false, false
	canon := make([]string, len(items))
	for i, fi := range items {
		for _, dir := range fi.dirs {
			if c := CanonicalClass(dir); c != "" {
				canon[i] = c
				named = true
				contempt = contempt || c == Contempt
				break
			}
		}
	}
	if !named {
		return false
	}
	d.Classes, d.Order = ClassNames[:], "rafdb"
	if contempt {
		d.Classes, d.Order = append(append([]string(nil), ClassNames[:]...), Contempt), "rafdb+contempt"
	}
	for i := range items {
		fi := &items[i]
		if canon[i] != "" {
			fi.it.Label = IndexOfClass(d.Classes, canon[i])
			continue
		}
		if len(fi.dirs) > 0 {
			d.Problems = append(d.Problems, Problem{Path: fi.it.Abs, Code: CodeNoClassFolder, Item: fi.it.Rel,
				Reason: fmt.Sprintf("no folder of %s names an expression (%s)", fi.it.Rel, strings.Join(d.Classes, ", "))})
		}
	}
	return true
}

// labelImageFolder applies torchvision's ImageFolder rule when the tree has its shape: every
// image directly in a class folder, two classes or more. Otherwise the tree is unlabelled.
func labelImageFolder(d *Dataset, items []folderItem) {
	d.Classes = ClassNames[:]
	names := map[string]bool{}
	for _, fi := range items {
		if len(fi.dirs) != 1 {
			return
		}
		names[fi.dirs[0]] = true
	}
	if len(names) < 2 {
		return
	}
	d.Classes, d.Order = nil, "folder names"
	for n := range names {
		d.Classes = append(d.Classes, n)
	}
	sort.Strings(d.Classes)
	for i := range items {
		items[i].it.Label = sort.SearchStrings(d.Classes, items[i].dirs[0])
	}
}
