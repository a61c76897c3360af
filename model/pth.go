package model

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/bits"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"github.com/sugarme/gotch/pickle"
	"github.com/sugarme/gotch/ts"
)

// MaxCheckpointBytes bounds a checkpoint file and the tensor data read from it (4 GiB, about
// 80 ResNet-18s): a file that declares more is refused before anything is allocated.
const MaxCheckpointBytes = 4 << 30

// Limits of the torch.save reader beyond MaxCheckpointBytes.
const (
	// maxZipEntries bounds the records of a zip checkpoint (one per storage, plus a few).
	maxZipEntries = 1 << 16
	// maxInflateRatio is the most a deflated zip record may expand (Apache POI's zip-bomb
	// guard uses the same 1:100). torch.save stores records uncompressed, so only a
	// re-zipped checkpoint has compressed records at all, at a ratio near 1.
	maxInflateRatio = 100
	// maxTensorDims bounds the rank of a stored tensor (libtorch allows 64; weights have 4).
	maxTensorDims = 16
)

// legacyMagic is the magic number (hex) that opens a legacy torch.save file.
const legacyMagic = "1950a86a20f9469cfc6c"

// readTorchFile reads a file written by torch.save (zip format of torch >= 1.6
// or the legacy format) holding a state_dict, or a dict with the state_dict
// under "state_dict" / "model_state_dict" (training checkpoints). Tensors come
// back on the CPU, contiguous, in their stored dtype. skipped lists entries
// that are not tensors.
//
// Nothing in the file is trusted: sizes declared by the pickle (strings, storages, views)
// and by the zip directory are checked against the bytes actually there and against
// MaxCheckpointBytes before anything is allocated, and only the classes torch.save uses for
// tensors can be named (the pickle never runs code). A bad file is an error naming it.
func readTorchFile(path string) (tensors map[string]*ts.Tensor, skipped []string, err error) {
	defer recoverInto(&err, "read "+path)
	obj, err := loadTorchPickle(path)
	if err != nil {
		return nil, nil, err
	}
	entries, ok := dictEntries(obj)
	if !ok {
		return nil, nil, fmt.Errorf("%s: expected a dict (state_dict) at the top level, got %T", path, obj)
	}
	for _, key := range []string{"state_dict", "model_state_dict"} {
		if inner, found := entries[key]; found {
			if e, ok := dictEntries(inner); ok {
				entries = e
				break
			}
		}
	}
	tensors = map[string]*ts.Tensor{}
	names := make([]string, 0, len(entries))
	for k := range entries {
		names = append(names, k)
	}
	sort.Strings(names)
	var budget int64 = MaxCheckpointBytes // bytes the contiguous copies may take together
	for _, name := range names {
		st, ok := entries[name].(*pickle.StorageTensor)
		if !ok {
			skipped = append(skipped, name)
			continue
		}
		t, err := storageTensor(st, &budget)
		if err != nil {
			dropAll(tensors)
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		tensors[name] = t
	}
	if len(tensors) == 0 {
		return nil, nil, fmt.Errorf("%s: no tensors found (not a state_dict)", path)
	}
	return tensors, skipped, nil
}

// loadTorchPickle unpickles the object a torch.save file holds, its storages read and checked.
func loadTorchPickle(path string) (any, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	if st.Size() > MaxCheckpointBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d-byte checkpoint limit", path, st.Size(), int64(MaxCheckpointBytes))
	}
	var obj any
	if zr, zerr := zip.OpenReader(path); zerr == nil {
		defer zr.Close()
		obj, err = loadTorchZip(&zr.Reader, st.Size())
	} else {
		obj, err = loadTorchLegacy(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable PyTorch checkpoint: %w", path, err)
	}
	return obj, nil
}

// storageReader turns a pickled persistent id into a storage, reading its data from where
// the format keeps it; total counts the storage bytes read so far against MaxCheckpointBytes.
type storageReader struct {
	total  int64
	loaded map[string]pickle.Storage
}

// storageID is a parsed persistent id ("storage", <class>, key, location, numel[, view]).
type storageID struct {
	class    pickle.StorageClass
	key      string
	location string
	numel    int64
	elem     int64 // bytes per element
}

func parseStorageID(pid any, legacy bool) (storageID, error) {
	t, ok := pid.(*pickle.Tuple)
	if !ok || t.Len() < 5 {
		return storageID{}, fmt.Errorf("persistent id %T is not a storage tuple", pid)
	}
	if kind, _ := t.Get(0).(string); kind != "storage" {
		return storageID{}, fmt.Errorf("persistent id of kind %s, want storage", limits.Excerpt(fmt.Sprint(t.Get(0))))
	}
	var id storageID
	var ok1, ok2, ok3 bool
	id.class, ok1 = t.Get(1).(pickle.StorageClass)
	id.key, ok2 = t.Get(2).(string)
	id.location, ok3 = t.Get(3).(string)
	n, ok4 := t.Get(4).(int)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return storageID{}, fmt.Errorf("storage tuple (%T, %T, %T, %T) is not (class, key, location, size)", t.Get(1), t.Get(2), t.Get(3), t.Get(4))
	}
	if n < 0 {
		return storageID{}, fmt.Errorf("storage %s declares %d elements", limits.Excerpt(id.key), n)
	}
	if legacy && t.Len() >= 6 && t.Get(5) != nil {
		return storageID{}, fmt.Errorf("storage %s is a view of another storage (legacy view metadata is not supported)", limits.Excerpt(id.key))
	}
	id.numel = int64(n)
	id.elem = int64(id.class.New(0, "cpu").DType().Size())
	if id.elem <= 0 {
		return storageID{}, fmt.Errorf("storage %s: unknown element size", limits.Excerpt(id.key))
	}
	return id, nil
}

// reserve checks a storage of id's size against avail, the bytes the file holds for it, and
// the checkpoint limit, before anything is allocated.
func (r *storageReader) reserve(id storageID, avail int64) error {
	if id.numel > avail/id.elem {
		return fmt.Errorf("storage %s declares %d elements of %d bytes, but the file holds %d bytes for it", limits.Excerpt(id.key), id.numel, id.elem, avail)
	}
	if r.total += id.numel * id.elem; r.total > MaxCheckpointBytes {
		return fmt.Errorf("storages add up to more than the %d-byte checkpoint limit", int64(MaxCheckpointBytes))
	}
	return nil
}

// loadTorchZip reads the zip format: <prefix>/data.pkl, storages in <prefix>/data/<key>.
// size is the archive's: no record's compressed bytes may claim more.
func loadTorchZip(zr *zip.Reader, size int64) (any, error) {
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("%d zip records (limit %d)", len(zr.File), maxZipEntries)
	}
	var pkl *zip.File
	records := map[string]*zip.File{}
	for _, f := range zr.File {
		if f.UncompressedSize64 > MaxCheckpointBytes {
			return nil, fmt.Errorf("zip record %s declares %d bytes (limit %d)", limits.Excerpt(f.Name), f.UncompressedSize64, int64(MaxCheckpointBytes))
		}
		if f.CompressedSize64 > uint64(size) || (f.Method == zip.Store && f.UncompressedSize64 != f.CompressedSize64) {
			return nil, fmt.Errorf("zip record %s declares %d bytes (%d compressed) in a %d-byte archive (corrupt)", limits.Excerpt(f.Name), f.UncompressedSize64, f.CompressedSize64, size)
		}
		if f.Method != zip.Store && f.UncompressedSize64 > 1<<20 && f.UncompressedSize64/maxInflateRatio > f.CompressedSize64 {
			return nil, fmt.Errorf("zip record %s inflates %d bytes to %d, more than %d times (a zip bomb?)", limits.Excerpt(f.Name), f.CompressedSize64, f.UncompressedSize64, maxInflateRatio)
		}
		dir, base := path.Split(f.Name)
		switch {
		case base == "constants.pkl":
			return nil, errors.New("a TorchScript archive (torch.jit.save), not a torch.save file")
		case base == "data.pkl" && strings.Count(dir, "/") <= 1:
			pkl = f
		case strings.HasSuffix(dir, "/data/") || dir == "data/":
			records[base] = f
		}
	}
	if pkl == nil {
		return nil, errors.New("no data.pkl in the zip archive")
	}
	data, err := readZipRecord(pkl, -1)
	if err != nil {
		return nil, err
	}
	r := &storageReader{loaded: map[string]pickle.Storage{}}
	return unpickleTorch(data, func(pid any) (any, error) {
		id, err := parseStorageID(pid, false)
		if err != nil {
			return nil, err
		}
		if s, ok := r.loaded[id.key]; ok {
			return s, nil
		}
		f, ok := records[id.key]
		if !ok {
			return nil, fmt.Errorf("storage %s has no record data/%s in the archive", limits.Excerpt(id.key), limits.Excerpt(id.key))
		}
		if err := r.reserve(id, int64(f.UncompressedSize64)); err != nil {
			return nil, err
		}
		data, err := readZipRecord(f, id.numel*id.elem)
		if err != nil {
			return nil, err
		}
		s, err := newStorage(id, data)
		if err != nil {
			return nil, fmt.Errorf("zip record %s: %w", limits.Excerpt(f.Name), err)
		}
		r.loaded[id.key] = s
		return s, nil
	})
}

// readZipRecord reads the first n bytes of a zip record (the whole record when n < 0, which
// must then be at most maxPickleBytes). The buffer grows with the bytes actually read, never
// to a size the archive declares, and the zip reader checks them against the CRC when the
// record is read to its end.
func readZipRecord(f *zip.File, n int64) ([]byte, error) {
	if n < 0 {
		if f.UncompressedSize64 > maxPickleBytes {
			return nil, fmt.Errorf("zip record %s declares %d bytes (limit %d)", limits.Excerpt(f.Name), f.UncompressedSize64, maxPickleBytes)
		}
		n = int64(f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("zip record %s: %w", limits.Excerpt(f.Name), err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, n))
	if err != nil {
		return nil, fmt.Errorf("zip record %s: %w", limits.Excerpt(f.Name), err)
	}
	if int64(len(data)) != n {
		return nil, fmt.Errorf("zip record %s holds %d bytes, %d expected", limits.Excerpt(f.Name), len(data), n)
	}
	return data, nil
}

// newStorage makes the storage id describes from its little-endian bytes, which hold exactly
// its elements. (gotch's readers take any io.Reader but do not retry short reads, so they are
// given the bytes in memory.)
func newStorage(id storageID, data []byte) (pickle.Storage, error) {
	if int64(len(data)) != id.numel*id.elem {
		return nil, fmt.Errorf("storage %s: %d bytes for %d elements of %d bytes", limits.Excerpt(id.key), len(data), id.numel, id.elem)
	}
	s := id.class.New(int(id.numel), id.location)
	if err := s.SetFromFileWithSize(bytes.NewReader(data), int(id.numel)); err != nil {
		return nil, err
	}
	return s, nil
}

// loadTorchLegacy reads the format of torch < 1.6: pickles of the magic number, the protocol
// version and system info, the object itself, the list of storage keys, then each storage
// as an 8-byte element count and its elements.
func loadTorchLegacy(path string) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if _, terr := tar.NewReader(f).Next(); terr == nil {
		f.Close()
		return nil, errors.New("a legacy tar checkpoint (torch < 0.4), which is not supported")
	}
	f.Close()
	data, err := os.ReadFile(path) // at most MaxCheckpointBytes (checked by the caller)
	if err != nil {
		return nil, err
	}
	return loadTorchLegacyBytes(data)
}

// loadTorchLegacyBytes reads a legacy torch.save file held in data.
func loadTorchLegacyBytes(data []byte) (any, error) {
	pos := 0
	next := func(what string, persistent func(any) (any, error)) (any, error) {
		n, err := scanPickle(data[pos:])
		if err != nil {
			return nil, fmt.Errorf("%s pickle at byte %d: %w", what, pos, err)
		}
		if n > maxPickleBytes {
			return nil, fmt.Errorf("%s pickle of %d bytes (limit %d)", what, n, maxPickleBytes)
		}
		obj, err := unpickleTorch(data[pos:pos+n], persistent)
		if err != nil {
			return nil, fmt.Errorf("%s pickle: %w", what, err)
		}
		pos += n
		return obj, nil
	}
	magic, err := next("magic number", nil)
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(*big.Int); !ok || m.Text(16) != legacyMagic {
		return nil, errors.New("neither a zip archive nor a legacy torch.save file (no magic number)")
	}
	if _, err := next("protocol version", nil); err != nil {
		return nil, err
	}
	if _, err := next("system info", nil); err != nil {
		return nil, err
	}
	r := &storageReader{loaded: map[string]pickle.Storage{}}
	declared := map[string]storageID{}
	obj, err := next("state", func(pid any) (any, error) {
		id, err := parseStorageID(pid, true)
		if err != nil {
			return nil, err
		}
		if s, ok := r.loaded[id.key]; ok {
			return s, nil
		}
		if err := r.reserve(id, int64(len(data))); err != nil {
			return nil, err
		}
		s := id.class.New(int(id.numel), id.location) // filled below, after the key list
		r.loaded[id.key] = s
		declared[id.key] = id
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	keys, err := next("storage keys", nil)
	if err != nil {
		return nil, err
	}
	list, ok := keys.(*pickle.List)
	if !ok {
		return nil, fmt.Errorf("storage keys are a %T, want a list", keys)
	}
	for _, k := range *list {
		key, _ := k.(string)
		id, ok := declared[key]
		if !ok {
			return nil, fmt.Errorf("storage key %s is not a storage of the state", limits.Excerpt(fmt.Sprint(k)))
		}
		if len(data)-pos < 8 {
			return nil, fmt.Errorf("storage %s: data cut off at byte %d", limits.Excerpt(key), pos)
		}
		n := binary.LittleEndian.Uint64(data[pos:])
		pos += 8
		if n != uint64(id.numel) || id.numel > int64(len(data)-pos)/id.elem {
			return nil, fmt.Errorf("storage %s: %d elements declared, %d stored, %d bytes left", limits.Excerpt(key), id.numel, n, len(data)-pos)
		}
		size := int(id.numel * id.elem)
		// the storage the state refers to, filled in place from bytes in memory
		if err := r.loaded[key].SetFromFileWithSize(bytes.NewReader(data[pos:pos+size]), int(id.numel)); err != nil {
			return nil, fmt.Errorf("storage %s: %w", limits.Excerpt(key), err)
		}
		pos += size
		delete(declared, key)
	}
	if len(declared) > 0 {
		return nil, fmt.Errorf("%d storage(s) of the state have no data", len(declared))
	}
	return obj, nil
}

// unpickleTorch unpickles one pickle after scanPickle has checked it, with the classes a
// torch.save of tensors uses and persistent ids resolved by persistent (nil: none allowed).
//
// gotch's unpickler indexes its stack without checks, so a malformed pickle (SETITEMS without
// a mark, ...) panics inside it: the panic is turned into an error here, at the package line.
func unpickleTorch(data []byte, persistent func(any) (any, error)) (obj any, err error) {
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("malformed pickle: %v", r)
		}
	}()
	if _, err := scanPickle(data); err != nil {
		return nil, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = torchClass
	u.PersistentLoad = persistent
	if persistent == nil {
		u.PersistentLoad = func(any) (any, error) { return nil, errors.New("unexpected persistent id") }
	}
	return u.Load()
}

// torchClass resolves the globals a pickle may name: the tensor rebuild functions and storage
// classes that torch.save writes for tensors (collections.OrderedDict is the unpickler's own).
// Anything else is refused, so a checkpoint can never name code to run.
func torchClass(module, name string) (any, error) {
	switch module + "." + name {
	case "torch._utils._rebuild_tensor_v2":
		return rebuildTensor{v2: true}, nil
	case "torch._utils._rebuild_tensor":
		return rebuildTensor{}, nil
	case "torch._utils._rebuild_parameter":
		return rebuildParameter{}, nil
	case "torch.FloatStorage":
		return &pickle.FloatStorageClass{}, nil
	case "torch.DoubleStorage":
		return &pickle.DoubleStorageClass{}, nil
	case "torch.HalfStorage":
		return &pickle.HalfStorageClass{}, nil
	case "torch.BFloat16Storage":
		return &pickle.BFloat16StorageClass{}, nil
	case "torch.LongStorage":
		return &pickle.LongStorageClass{}, nil
	case "torch.IntStorage":
		return &pickle.IntStorageClass{}, nil
	case "torch.ShortStorage":
		return &pickle.ShortStorageClass{}, nil
	case "torch.CharStorage":
		return &pickle.CharStorageClass{}, nil
	case "torch.ByteStorage":
		return &pickle.ByteStorageClass{}, nil
	case "torch.BoolStorage":
		return &pickle.BoolStorageClass{}, nil
	}
	return nil, fmt.Errorf("the pickle names %s.%s, which a checkpoint of tensors does not use (refused)", limits.Clip(module), limits.Clip(name))
}

// rebuildTensor is torch._utils._rebuild_tensor(_v2)(storage, offset, size, stride, ...): a
// view of a storage, checked later by storageTensor.
type rebuildTensor struct{ v2 bool }

func (r rebuildTensor) Call(args ...any) (any, error) {
	want := "4"
	if r.v2 {
		want = "6 or 7"
	}
	if (!r.v2 && len(args) != 4) || (r.v2 && len(args) != 6 && len(args) != 7) {
		return nil, fmt.Errorf("_rebuild_tensor: %d arguments, want %s", len(args), want)
	}
	s, ok := args[0].(pickle.Storage)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor: storage argument is a %T", args[0])
	}
	off, ok := args[1].(int)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor: storage offset is a %T", args[1])
	}
	size, err := intTuple(args[2], "size")
	if err != nil {
		return nil, err
	}
	stride, err := intTuple(args[3], "stride")
	if err != nil {
		return nil, err
	}
	return &pickle.StorageTensor{Source: s, StorageOffset: int64(off), Size: size, Stride: stride}, nil
}

// rebuildParameter is torch._utils._rebuild_parameter(data, requires_grad, hooks): the tensor.
type rebuildParameter struct{}

func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, errors.New("_rebuild_parameter without arguments")
	}
	t, ok := args[0].(*pickle.StorageTensor)
	if !ok {
		return nil, fmt.Errorf("_rebuild_parameter of a %T", args[0])
	}
	return t, nil
}

// intTuple reads a tuple of ints (a size or stride) of at most maxTensorDims.
func intTuple(v any, what string) ([]int64, error) {
	t, ok := v.(*pickle.Tuple)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor: %s is a %T, want a tuple", what, v)
	}
	if t.Len() > maxTensorDims {
		return nil, fmt.Errorf("_rebuild_tensor: %s has %d dimensions (limit %d)", what, t.Len(), maxTensorDims)
	}
	out := make([]int64, t.Len())
	for i := range out {
		n, ok := t.Get(i).(int)
		if !ok {
			return nil, fmt.Errorf("_rebuild_tensor: %s element %d is a %T, want an int", what, i, t.Get(i))
		}
		out[i] = int64(n)
	}
	return out, nil
}

// dictEntries returns a pickled dict or OrderedDict keyed by string.
func dictEntries(obj any) (map[string]any, bool) {
	out := map[string]any{}
	switch d := obj.(type) {
	case *pickle.Dict:
		for _, e := range *d {
			if k, ok := e.Key.(string); ok {
				out[k] = e.Value
			}
		}
	case *pickle.OrderedDict:
		for k, e := range d.Map {
			if ks, ok := k.(string); ok {
				out[ks] = e.Value
			}
		}
	default:
		return nil, false
	}
	return out, true
}

// viewExtent checks a view (size, stride, offset) of a storage of n elements and returns the
// number of elements it has. Sizes, strides and the offset are non-negative, every element
// it addresses lies inside the storage, and it has no more elements than the storage (a
// broadcast view, stride 0, would otherwise materialise far more than the file holds);
// every product is checked for overflow.
func viewExtent(size, stride []int64, offset, n int64) (int64, error) {
	if len(stride) != len(size) {
		return 0, fmt.Errorf("size %v and stride %v disagree", size, stride)
	}
	if offset < 0 {
		return 0, fmt.Errorf("negative storage offset %d", offset)
	}
	numel, last := int64(1), offset
	for i, d := range size {
		if d < 0 || stride[i] < 0 {
			return 0, fmt.Errorf("size %v stride %v: negative entry", size, stride)
		}
		hi, lo := bits.Mul64(uint64(numel), uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, fmt.Errorf("size %v overflows", size)
		}
		numel = int64(lo)
	}
	if numel == 0 {
		return 0, nil
	}
	for i, d := range size {
		hi, lo := bits.Mul64(uint64(d-1), uint64(stride[i]))
		if hi != 0 || lo > math.MaxInt64-uint64(last) {
			return 0, fmt.Errorf("view of size %v stride %v overflows", size, stride)
		}
		last += int64(lo)
	}
	if last >= n {
		return 0, fmt.Errorf("view of size %v stride %v offset %d exceeds its storage of %d elements", size, stride, offset, n)
	}
	if numel > n {
		return 0, fmt.Errorf("view of size %v has %d elements, more than its storage of %d (a broadcast view)", size, numel, n)
	}
	return numel, nil
}

// storageTensor materialises a pickled tensor view (storage, offset, size, stride) as a
// contiguous CPU tensor, after viewExtent's checks; budget is what the copies may still take.
func storageTensor(st *pickle.StorageTensor, budget *int64) (*ts.Tensor, error) {
	data := st.Source.GetData()
	n := int64(reflect.ValueOf(data).Len())
	if n == 0 {
		return nil, fmt.Errorf("empty storage")
	}
	numel, err := viewExtent(st.Size, st.Stride, st.StorageOffset, n)
	if err != nil {
		return nil, err
	}
	if len(st.Size) == 0 {
		numel = 1
		if st.StorageOffset >= n {
			return nil, fmt.Errorf("scalar offset %d outside its storage of %d elements", st.StorageOffset, n)
		}
	}
	if *budget -= numel * int64(st.Source.DType().Size()); *budget < 0 {
		return nil, fmt.Errorf("the tensors add up to more than the %d-byte checkpoint limit", int64(MaxCheckpointBytes))
	}
	flat, err := ts.OfSlice(data, ts.WithDType(st.Source.DType()))
	if err != nil {
		return nil, err
	}
	if len(st.Size) == 0 {
		// a 0-dim tensor (BN num_batches_tracked); gotch cannot pass an empty
		// size list to libtorch, so cut one element and squeeze it.
		one, err := flat.Narrow(0, st.StorageOffset, 1, true)
		if err != nil {
			return nil, err
		}
		return one.Squeeze(true)
	}
	view, err := flat.AsStrided(st.Size, st.Stride, []int64{st.StorageOffset}, true)
	if err != nil {
		return nil, err
	}
	return view.Contiguous(true)
}
