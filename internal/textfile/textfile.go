// Package textfile reads the line-based text files that datasets ship (label files, name
// lists, landmarks files, CSVs) the same way everywhere: a UTF-8 byte-order mark, Windows or
// old-Mac line ends and trailing blanks never cost a line or change a field, and line numbers
// always count the lines as an editor shows them, so every error can name file:line.
package textfile

import (
	"bytes"
	"iter"
)

// bom is the UTF-8 byte-order mark that Windows editors (Notepad, Excel's "CSV UTF-8") put
// in front of a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// StripBOM returns data without a leading UTF-8 byte-order mark.
func StripBOM(data []byte) []byte {
	return bytes.TrimPrefix(data, bom)
}

// Lines yields every line of data with its 1-based number. The byte-order mark is dropped,
// "\n", "\r\n" and a lone "\r" all end a line, and trailing spaces and tabs are trimmed.
// Blank lines are yielded too (as ""), so callers decide whether to skip them and the
// numbering stays that of the file. A final line without a line end is yielded; an empty
// last line after the final line end is not.
func Lines(data []byte) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		data := StripBOM(data)
		for n := 1; len(data) > 0; n++ {
			end := bytes.IndexAny(data, "\r\n")
			next := len(data)
			if end < 0 {
				end = len(data)
			} else {
				next = end + 1
				if data[end] == '\r' && next < len(data) && data[next] == '\n' {
					next++
				}
			}
			if !yield(n, string(bytes.TrimRight(data[:end], " \t"))) {
				return
			}
			data = data[next:]
		}
	}
}
