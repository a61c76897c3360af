package dataset

import (
	"fmt"
	"strconv"
	"strings"
)

// ClassNames are the seven RAF-DB basic expressions in label-file order: label value v in
// EmoLabel/list_patition_label.txt is class index v-1. Every checkpoint stores this order.
var ClassNames = [7]string{"Surprise", "Fear", "Disgust", "Happiness", "Sadness", "Anger", "Neutral"}

// classAliases maps folder names commonly used by class-per-folder FER datasets (FER2013,
// AffectNet exports, ExpW) to a class index, so those trees load without renaming.
var classAliases = map[string]int{
	"surprise": 0, "surprised": 0,
	"fear": 1, "fearful": 1, "afraid": 1,
	"disgust": 2, "disgusted": 2,
	"happiness": 3, "happy": 3, "joy": 3,
	"sadness": 4, "sad": 4,
	"anger": 5, "angry": 5,
	"neutral": 6,
}

// ClassIndex returns the class index for a folder name (case-insensitive name or alias, or a
// RAF-DB label value "1".."7"), or -1 when the name is not a class.
func ClassIndex(name string) int {
	if i, ok := classAliases[strings.ToLower(name)]; ok {
		return i
	}
	if v, err := strconv.Atoi(name); err == nil && v >= 1 && v <= len(ClassNames) {
		return v - 1
	}
	return -1
}

// parseRAFLabel converts a label-file value ("1".."7") to a class index.
func parseRAFLabel(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > len(ClassNames) {
		return -1, fmt.Errorf("unknown label %q (RAF-DB basic labels are 1..%d)", s, len(ClassNames))
	}
	return v - 1, nil
}
