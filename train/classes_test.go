package train

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/rundir"
	"github.com/sugarme/gotch"
)

// smallConfig is the cheapest CPU recipe: ResNet-18 at 32x32, one epoch, no augmentation.
func smallConfig() rundir.Config {
	c := testConfig()
	c.Model.Variant, c.Model.MultiScale, c.Model.LocalAttention = "resnet18", false, false
	c.Model.InputSize = 32
	c.Epochs = 1
	c.BatchSize = 8
	c.Augment.Crop, c.Augment.Flip = false, false
	return c
}

// synthImages returns the synth70 tree's aligned images by split with their RAF-DB labels.
func synthImages(t *testing.T) map[string][]struct {
	path  string
	label int
} {
	t.Helper()
	src := synthData(t, "synth70", 70, 35, 2)
	d, err := dataset.Open(src, dataset.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]struct {
		path  string
		label int
	}{}
	for _, it := range d.Items {
		out[it.Split] = append(out[it.Split], struct {
			path  string
			label int
		}{it.Abs, it.Label})
	}
	return out
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteFileAtomic(dst, data); err != nil {
		t.Fatal(err)
	}
}

// ferPlusFromSynth writes a FERPlus folder tree of synth images: votes put 10 votes on class
// (image index mod 8) when unanimous, else 6 on it and 4 on the next class.
func ferPlusFromSynth(t *testing.T, unanimous bool) string {
	t.Helper()
	imgs := synthImages(t)
	root := filepath.Join(t.TempDir(), "ferplus")
	n := 0
	for _, sp := range []struct{ split, dir string }{{"train", "FER2013Train"}, {"test", "FER2013Valid"}, {"test", "FER2013Test"}} {
		var lines strings.Builder
		for i, im := range imgs[sp.split] {
			name := fmt.Sprintf("fer%07d.jpg", n)
			n++
			copyFile(t, im.path, filepath.Join(root, sp.dir, name))
			votes := make([]int, 10)
			c := i % 8
			if unanimous {
				votes[c] = 10
			} else {
				votes[c], votes[(c+1)%8] = 6, 4
			}
			fmt.Fprintf(&lines, "%s,\"(0, 0, 100, 100)\"", name)
			for _, v := range votes {
				fmt.Fprintf(&lines, ",%d", v)
			}
			lines.WriteString("\r\n")
		}
		if err := dataset.WriteFileAtomic(filepath.Join(root, sp.dir, dataset.FERPlusLabelFile), []byte(lines.String())); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestTrainFERPlusClassesAndModes trains one epoch on a FERPlus tree with 8 and 7 classes and
// each label mode: the model, checkpoint and confusion matrices follow FERPlus's classes, the
// validation split chooses best/, contempt images are dropped and counted with 7 classes, and
// with unanimous votes the probability and crossentropy modes train exactly like majority
// (their targets are then one-hot), while with split votes crossentropy trains differently.
func TestTrainFERPlusClassesAndModes(t *testing.T) {
	unanimous := ferPlusFromSynth(t, true)
	split := ferPlusFromSynth(t, false)
	run := func(data string, labels dataset.LabelOptions) (*Report, rundir.Config, string) {
		t.Helper()
		cfg := smallConfig()
		cfg.Labels = labels
		out := filepath.Join(t.TempDir(), "run")
		rep, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Out: out})
		if err != nil {
			t.Fatal(err)
		}
		var stored rundir.Config
		if err := rundir.ReadJSON(filepath.Join(out, rundir.ConfigFile), &stored); err != nil {
			t.Fatal(err)
		}
		return rep, stored, out
	}
	rep8, cfg8, out8 := run(unanimous, dataset.LabelOptions{})
	if !slices.Equal(cfg8.Classes, dataset.FERPlusClasses(8)) || cfg8.Model.NumClasses != 8 {
		t.Fatalf("8-class run: classes %v, %d outputs", cfg8.Classes, cfg8.Model.NumClasses)
	}
	if len(cfg8.Test) != 2 || cfg8.Test[0].Name != ValName || cfg8.Test[0].Split != "val" || cfg8.Test[1].Name != "test" || cfg8.Select != ValName {
		t.Fatalf("test sets %+v, select %q", cfg8.Test, cfg8.Select)
	}
	if !strings.Contains(rep8.SelectedBy, "accuracy on val (split val of") {
		t.Errorf("selected_by %q", rep8.SelectedBy)
	}
	if m := rep8.Final["test"]; len(m.Confusion) != 8 || m.Images != 35 {
		t.Errorf("test confusion %dx?, %d images", len(m.Confusion), m.Images)
	}
	p, err := OpenPredictor(filepath.Join(out8, rundir.BestDir), "cpu", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Classes, cfg8.Classes) {
		t.Errorf("checkpoint classes %v", p.Classes)
	}
	p.Close()

	// Unanimous votes make probability mode's drawn labels the majority labels.
	repP, cfgP, _ := run(unanimous, dataset.LabelOptions{FERPlusMode: dataset.ModeProbability})
	if cfgP.Labels.FERPlusMode != dataset.ModeProbability || repP.FinalTrain.TrainLoss != rep8.FinalTrain.TrainLoss {
		t.Errorf("probability with unanimous votes: train loss %v, majority %v (want equal)", repP.FinalTrain.TrainLoss, rep8.FinalTrain.TrainLoss)
	}

	// 7 classes on 6/4 votes: 70 train images, class i%8: 8 of them (i = 7, 15, ..., 63)
	// have a contempt majority and are dropped and counted; crossentropy's soft targets
	// (0.6/0.4, the contempt share of class 6 removed) train differently from majority.
	repMaj, cfg7, _ := run(split, dataset.LabelOptions{FERPlusClasses: 7})
	repCE, cfgCE, _ := run(split, dataset.LabelOptions{FERPlusClasses: 7, FERPlusMode: dataset.ModeCrossEntropy})
	for _, c := range []rundir.Config{cfg7, cfgCE} {
		if len(c.Classes) != 7 || c.Model.NumClasses != 7 || slices.Contains(c.Classes, dataset.Contempt) || c.Train.Images != 70-8 {
			t.Errorf("7-class run (%q): classes %v, %d train images", c.Labels.FERPlusMode, c.Classes, c.Train.Images)
		}
	}
	// Label-file problems of every split are reported with the training set: 8 train, 4
	// validation and 4 test images (35 each, class i%8).
	// report.json counts them by reason and quotes the first ReportExamples (train first).
	var contempt dataset.ProblemGroup
	for _, g := range repMaj.Skipped["train"].ByCode {
		if g.Code == dataset.CodeContempt {
			contempt = g
		}
	}
	examples := strings.Join(contempt.Examples, "\n")
	if n, nt := contempt.Count, strings.Count(examples, "FER2013Train/label.csv"); n != 16 || nt != 8 || len(contempt.Examples) != ReportExamples {
		t.Errorf("7 classes: %d contempt images reported (%d train examples), want 16 (8): %+v", n, nt, repMaj.Skipped["train"])
	}
	if repCE.FinalTrain.TrainLoss == repMaj.FinalTrain.TrainLoss {
		t.Errorf("crossentropy with 6/4 votes trained exactly like majority (loss %v)", repCE.FinalTrain.TrainLoss)
	}
}

// classTrees writes the synth70 test images twice: in RAF-DB-named class folders, and in
// FER2013 digit folders (another order), plus a set with a Contempt folder.
func classTrees(t *testing.T) (named, digits, contempt string) {
	t.Helper()
	imgs := synthImages(t)
	base := t.TempDir()
	named, digits, contempt = filepath.Join(base, "named"), filepath.Join(base, "digits"), filepath.Join(base, "contempt")
	fer, _ := dataset.ParseClassOrder("fer2013")
	for i, im := range imgs["test"] {
		name := dataset.ClassNames[im.label]
		file := fmt.Sprintf("%03d.jpg", i)
		copyFile(t, im.path, filepath.Join(named, "test", strings.ToLower(name), file))
		copyFile(t, im.path, filepath.Join(digits, "test", fmt.Sprint(dataset.IndexOfClass(fer.Classes, name)), file))
		copyFile(t, im.path, filepath.Join(contempt, "test", strings.ToLower(name), file))
	}
	copyFile(t, imgs["test"][0].path, filepath.Join(contempt, "test", "contempt", "x.jpg"))
	return named, digits, contempt
}

// untrainedPredictor saves smallConfig's model, initialised with seed, as a checkpoint of
// the seven basic classes and opens it on the CPU (closed when the test ends).
func untrainedPredictor(t *testing.T, seed uint64) (p *Predictor, ckpt string) {
	t.Helper()
	m, err := model.New(smallConfig().Model, gotch.CPU, seed)
	if err != nil {
		t.Fatal(err)
	}
	ckpt = filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.SaveCheckpoint(ckpt, dataset.ClassNames[:], nil); err != nil {
		t.Fatal(err)
	}
	m.Close()
	p, err = OpenPredictor(ckpt, "cpu", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, ckpt
}

// TestEvalMapsClassesByName: a test set whose classes are a permutation of the checkpoint's
// (FER2013 digit folders) scores exactly like the same images in the checkpoint's order, and
// a test set with a class the checkpoint lacks is an error naming the class.
func TestEvalMapsClassesByName(t *testing.T) {
	named, digits, contempt := classTrees(t)
	p, ckpt := untrainedPredictor(t, 3)
	eval := func(path, order string) ([]*EvalResult, error) {
		res, _, err := EvaluateSets(context.Background(), p, []SetSpec{{Name: "s", Path: path}},
			EvalOptions{BatchSize: 16, Data: DataOptions{Workers: 2, Labels: dataset.LabelOptions{ClassOrder: order}}})
		return res, err
	}
	a, err := eval(named, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := eval(digits, "fer2013")
	if err != nil {
		t.Fatal(err)
	}
	if a[0].Images != 35 || b[0].Images != 35 || a[0].Acc != b[0].Acc || !slices.EqualFunc(a[0].Confusion.M, b[0].Confusion.M, slices.Equal) ||
		!slices.Equal(b[0].Confusion.Classes, dataset.ClassNames[:]) {
		t.Errorf("named: acc %v %v; permuted digits: acc %v %v", a[0].Acc, a[0].Confusion.M, b[0].Acc, b[0].Confusion.M)
	}
	// Without the order, the digit tree is refused, naming its folders.
	if _, err := eval(digits, ""); err == nil || !strings.Contains(err.Error(), "test/0/") {
		t.Errorf("digit tree without --class-order: %v", err)
	}
	if _, err := eval(contempt, ""); err == nil || !strings.Contains(err.Error(), "class Contempt (1 images)") || !strings.Contains(err.Error(), ckpt) {
		t.Errorf("test set with a class the checkpoint lacks: %v", err)
	}
}

// TestLimitAndValidFolders: --limit keeps a seeded subset in dataset order, and a train/ +
// valid/ tree uses valid/ to choose best/ and says so.
func TestLimitAndValidFolders(t *testing.T) {
	imgs := synthImages(t)
	root := filepath.Join(t.TempDir(), "tv")
	for split, dir := range map[string]string{"train": "train", "test": "valid"} {
		for i, im := range imgs[split] {
			copyFile(t, im.path, filepath.Join(root, dir, strings.ToLower(dataset.ClassNames[im.label]), fmt.Sprintf("%03d.jpg", i)))
		}
	}
	td := TrainData{TestName: "test", Limit: 20, Seed: 5}
	tr, own, err := LoadTrain(context.Background(), root, td, DataOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	tr2, _, err := LoadTrain(context.Background(), root, td, DataOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	rels := func(s *LoadedSet) (r []string) {
		for _, smp := range s.Set.Samples {
			r = append(r, smp.Rel)
		}
		return r
	}
	if tr.Set.Len() != 20 || !slices.IsSorted(rels(tr)) || !slices.Equal(rels(tr), rels(tr2)) {
		t.Errorf("limit 20: %d images %v", tr.Set.Len(), rels(tr))
	}
	if len(own) != 1 || own[0].Ref.Name != ValName || own[0].Set.Len() != 35 {
		t.Fatalf("own sets of a train/ + valid/ tree: %+v", own)
	}
	cfg := smallConfig()
	cfg.Limit = 20
	rep, err := Run(context.Background(), Options{Config: cfg, TrainPath: root, OwnTest: "test", Out: filepath.Join(t.TempDir(), "r")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Select != ValName || !strings.Contains(rep.SelectedBy, "no test split") || rep.BestEpoch != 1 || rep.FinalTrain.TrainImgsPS <= 0 {
		t.Errorf("report: select %q, selected_by %q, best epoch %d", rep.Select, rep.SelectedBy, rep.BestEpoch)
	}
}

// TestSubsetEval: NAME=PATH@LIST evaluates exactly the listed images (RAN list forms), with the
// dataset's labels, and reports missing names with the list's file and line.
func TestSubsetEval(t *testing.T) {
	data := synthData(t, "synth70", 70, 35, 2)
	p, _ := untrainedPredictor(t, 4)
	list := filepath.Join(t.TempDir(), "occ.txt")
	os.WriteFile(list, []byte("test_0001_aligned 0 1\r\n3/test_0002_aligned.png\r\ntest_9999_aligned 1 1\r\n"), 0o644)
	spec, err := ParseSetSpec("occ=" + data + "@" + list)
	if err != nil {
		t.Fatal(err)
	}
	res, sets, err := EvaluateSets(context.Background(), p, []SetSpec{spec}, EvalOptions{BatchSize: 4, Data: DataOptions{Workers: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Images != 2 || sets[0].Ref.List != list || sets[0].Ref.Split != SubsetSplit {
		t.Fatalf("subset: %d images, ref %+v", res[0].Images, sets[0].Ref)
	}
	found := false
	for _, pr := range sets[0].Problems {
		found = found || (pr.Code == dataset.CodeListed && pr.String() == list+":3: test_9999_aligned: no image of the dataset is test_9999_aligned or has the stem test_9999")
	}
	if !found {
		t.Errorf("problems %v lack the missing name on line 3", sets[0].Problems)
	}
	// The confusion matrix holds exactly the two images' labels and predictions.
	d, _ := dataset.Open(data, dataset.OpenOptions{})
	want := make([][]int, 7)
	for i := range want {
		want[i] = make([]int, 7)
	}
	for _, it := range d.Items {
		if it.Stem != "test_0001" && it.Stem != "test_0002" {
			continue
		}
		img, err := decodeForTest(it.Abs)
		if err != nil {
			t.Fatal(err)
		}
		probs, err := p.Probabilities(img)
		if err != nil {
			t.Fatal(err)
		}
		want[it.Label][Argmax(probs[0])]++
	}
	if !slices.EqualFunc(res[0].Confusion.M, want, slices.Equal) {
		t.Errorf("subset confusion %v, want %v", res[0].Confusion.M, want)
	}
}

func decodeForTest(path string) ([]*loader.RGB, error) {
	img, err := loader.DecodeFile(path)
	return []*loader.RGB{img}, err
}

// TestTrainFER2013CSV trains on images held in fer2013.csv (decoded in memory): FER2013's
// classes in its order, PublicTest as the validation split choosing best/.
func TestTrainFER2013CSV(t *testing.T) {
	var b strings.Builder
	b.WriteString("emotion,pixels,Usage\r\n")
	for i := range 40 {
		usage := []string{"Training", "Training", "PublicTest", "PrivateTest"}[i%4]
		fmt.Fprintf(&b, "%d,", i%7)
		for p := range 64 {
			if p > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprint(&b, (p*7+i*13)%256)
		}
		fmt.Fprintf(&b, ",%s\r\n", usage)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, dataset.FER2013CSV), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	rep, err := Run(context.Background(), Options{Config: smallConfig(), TrainPath: root, OwnTest: "test", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	var cfg rundir.Config
	if err := rundir.ReadJSON(filepath.Join(out, rundir.ConfigFile), &cfg); err != nil {
		t.Fatal(err)
	}
	order, _ := dataset.ParseClassOrder("fer2013")
	if cfg.Train.Layout != string(dataset.LayoutFER2013CSV) || cfg.Train.Images != 20 || !slices.Equal(cfg.Classes, order.Classes) ||
		len(cfg.Test) != 2 || rep.Select != ValName || rep.Final["test"].Images != 10 || cfg.Train.Hash == "" {
		t.Errorf("config %+v, select %s, final %+v", cfg.Train, rep.Select, rep.Final)
	}
}
