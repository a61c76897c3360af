package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// TestDataCommand drives `ffra data` on a fer2013.csv + fer2013new.csv tree: --json has exactly
// the four keys with splits in class order, -o exports PNG folders that read back as a FERPlus
// tree, and the same command executed twice keeps nothing of the first execution.
func TestDataCommand(t *testing.T) {
	root := t.TempDir()
	fer := "emotion,pixels,Usage\n3,0 1 2 3,Training\n0,4 5 6 7,PublicTest\n5,8 9 10 11,PrivateTest\n6,1 1 1 1,Training\n"
	ferNew := "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n" +
		"Training,fer0000000.png,0,10,0,0,0,0,0,0,0,0\n" +
		"PublicTest,fer0000001.png,0,0,0,0,7,0,0,3,0,0\n" +
		"PrivateTest,fer0000002.png,0,0,0,0,0,0,0,10,0,0\n" +
		"Training,fer0000003.png,5,5,0,0,0,0,0,0,0,0\n"
	os.WriteFile(filepath.Join(root, dataset.FER2013CSV), []byte(fer), 0o644)
	os.WriteFile(filepath.Join(root, dataset.FERPlusCSV), []byte(ferNew), 0o644)

	out, err := runFFRA(t, "data", root, "--json", "--ferplus-classes", "7")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 4 {
		t.Fatalf("JSON keys %v (%v):\n%s", len(got), err, out)
	}
	if string(got["layout"]) != `"ferplus-csv"` {
		t.Errorf("layout %s", got["layout"])
	}
	compact := strings.Join(strings.Fields(string(got["splits"])), "")
	want := `{"train":{"Neutral":0,"Happiness":1,"Surprise":0,"Sadness":0,"Anger":0,"Disgust":0,"Fear":0},` +
		`"val":{"Neutral":0,"Happiness":0,"Surprise":0,"Sadness":0,"Anger":1,"Disgust":0,"Fear":0},` +
		`"test":{"Neutral":0,"Happiness":0,"Surprise":0,"Sadness":0,"Anger":0,"Disgust":0,"Fear":0}}`
	if compact != want {
		t.Errorf("splits\n%s\nwant\n%s", compact, want)
	}
	var probs []dataset.ProblemGroup
	if err := json.Unmarshal(got["problems"], &probs); err != nil || len(probs) != 2 {
		t.Fatalf("problems %s", got["problems"])
	}
	for _, p := range probs {
		if p.Count != 1 || (p.Code != dataset.CodeContempt && p.Code != dataset.CodeNoMajority) || !strings.Contains(p.Examples[0], dataset.FERPlusCSV+":") {
			t.Errorf("problem group %+v", p)
		}
	}
	// The second execution: text output, 8 classes (the default again), no JSON.
	out, err = runFFRA(t, "data", root)
	if err != nil || !strings.Contains(out, "ferplus-csv layout, 4 images, 8 classes") || !strings.Contains(out, "7 Contempt") {
		t.Fatalf("text: %v\n%s", err, out)
	}

	exp := filepath.Join(t.TempDir(), "png")
	if out, err = runFFRA(t, "data", root, "-o", exp); err != nil || !strings.Contains(out, "4 images, 3 label files written") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err = runFFRA(t, "data", exp, "--json")
	if err != nil || !strings.Contains(out, `"layout": "ferplus"`) {
		t.Fatalf("export read back: %v\n%s", err, out)
	}
	if _, err := runFFRA(t, "data", exp, "-o", filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "only CSV datasets") {
		t.Errorf("exporting an image tree: %v", err)
	}
	// Digit folders without --class-order are refused, naming them.
	digits := t.TempDir()
	os.MkdirAll(filepath.Join(digits, "train", "0"), 0o755)
	os.WriteFile(filepath.Join(digits, "train", "0", "a.png"), []byte("x"), 0o644)
	if _, err := runFFRA(t, "data", digits); err == nil || !strings.Contains(err.Error(), "train/0/") {
		t.Errorf("digit folders: %v", err)
	}
	if out, err := runFFRA(t, "data", digits, "--class-order", "fer2013"); err != nil || !strings.Contains(out, "0 Anger") {
		t.Errorf("digit folders with an order: %v\n%s", err, out)
	}
}
