package model

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch/pickle"
)

// Fuzz targets of the checkpoint readers (make fuzz). A checkpoint is untrusted input:
// whatever its bytes, reading must not panic, must allocate in proportion to the file (the
// fuzz process's peak RSS is the figure to watch), and must fail with one line.

// FuzzReadTorch reads bytes as a torch.save file, zip or legacy, and materialises every tensor
// it accepts (through libtorch, after the view checks).
func FuzzReadTorch(f *testing.F) {
	for _, name := range []string{"tiny_zip.pth", "tiny_legacy.pth", "tiny_ckpt.pth"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "torchfile", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(statePickle(tensorSpec{name: "w", key: "0", numel: 4, size: []int64{2, 2}, stride: []int64{2, 1}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		var obj any
		var err error
		if zr, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data))); zerr == nil {
			obj, err = loadTorchZip(zr, int64(len(data)))
		} else {
			obj, err = loadTorchLegacyBytes(data)
		}
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %.300q", err)
			}
			return
		}
		entries, ok := dictEntries(obj)
		if !ok {
			return
		}
		var budget int64 = MaxCheckpointBytes
		for name, v := range entries {
			st, ok := v.(*pickle.StorageTensor)
			if !ok {
				continue
			}
			x, err := storageTensor(st, &budget)
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("tensor %q: error of several lines: %.300q", name, err)
				}
				continue
			}
			x.MustDrop()
		}
	})
}

// FuzzScanPickle: the opcode walk never panics or reads past the data, and what it accepts
// the unpickler reads without allocating more than the pickle's size suggests.
func FuzzScanPickle(f *testing.F) {
	f.Add(statePickle(tensorSpec{name: "w", key: "0", numel: 4, size: []int64{4}, stride: []int64{1}}))
	f.Add([]byte("\x80\x02X\xff\xff\xff\xffAAAA"))
	f.Add([]byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94.")) // protocol 4 with a frame
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := scanPickle(data)
		if err != nil {
			return
		}
		if n < 1 || n > len(data) || data[n-1] != pickleStop {
			t.Fatalf("scan accepted %d of %d bytes", n, len(data))
		}
		unpickleTorch(data[:n], nil) // may fail; must not panic
	})
}

// FuzzCheckpointMeta: whatever the metadata of a safetensors checkpoint, checkpointMeta does
// not panic, and what it accepts is a valid config with one name per class.
func FuzzCheckpointMeta(f *testing.F) {
	f.Add(`{"variant":"ffra","num_classes":7,"input_size":224,"multi_scale":true,"local_attention":true,"fusion":"weighted","lambda":0.6,"insert":"layer3","shared_la":false,"zero_init_last_bn":false,"sa_groups":8}`,
		`["a","b","c","d","e","f","g"]`)
	f.Add(`{"num_classes":1000000000,"input_size":1000000}`, `[]`)
	f.Fuzz(func(t *testing.T, config, classes string) {
		ck, err := checkpointMeta("m.safetensors", map[string]string{"format": CheckpointFormat, "config": config, "classes": classes})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "m.safetensors: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %.300q: want one line naming the file", err)
			}
			return
		}
		if err := ck.Config.Validate(); err != nil || len(ck.Classes) != ck.Config.NumClasses {
			t.Fatalf("accepted %+v with %d classes (%v)", ck.Config, len(ck.Classes), err)
		}
	})
}
