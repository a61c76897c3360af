package model

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Limits of one pickle inside a checkpoint. A state_dict's pickle takes a few dozen opcodes
// per tensor (ResNet-18: about 4,000, 20 KB); the limits are far above any real checkpoint and
// keep a hostile one from making the unpickler build millions of objects.
const (
	maxPickleBytes = 64 << 20  // one pickle (data.pkl, or each pickle of a legacy file)
	maxPickleOps   = 1 << 20   // opcodes of one pickle
	maxPickleLine  = 64 << 10  // the text argument of GLOBAL, INT, LONG, PUT, ... opcodes
	maxPickleProto = 5         // the highest protocol Python writes
	maxPickleLong  = 1 << 10   // bytes of a LONG4 integer (a state_dict's ints fit in 8)
	pickleStop     = byte('.') // STOP
)

// pickleArg is how an opcode's argument is laid out in the stream.
type pickleArg int

const (
	argNone   pickleArg = iota
	argFixed            // n bytes (pickleOp.n)
	argLine             // one line ending in '\n'
	argLines2           // two lines (GLOBAL, INST: module and name)
	argLen1             // 1-byte length, then that many bytes
	argLen4             // 4-byte little-endian length, then that many bytes
	argLen8             // 8-byte little-endian length, then that many bytes
)

type pickleOp struct {
	arg pickleArg
	n   int
}

// pickleOps is the opcode table of pickle protocols 0-5 (CPython's Lib/pickletools.py):
// every opcode with the layout of its argument. An opcode outside it is not a pickle.
var pickleOps = func() [256]*pickleOp {
	var t [256]*pickleOp
	set := func(codes string, op pickleOp) {
		for i := 0; i < len(codes); i++ {
			o := op
			t[codes[i]] = &o
		}
	}
	// No argument: MARK STOP POP POP_MARK DUP NONE BINPERSID REDUCE APPEND BUILD DICT
	// EMPTY_DICT APPENDS LIST EMPTY_LIST OBJ SETITEM TUPLE EMPTY_TUPLE SETITEMS, then protocol
	// 2-5: NEWOBJ TUPLE1-3 NEWTRUE NEWFALSE EMPTY_SET ADDITEMS FROZENSET NEWOBJ_EX
	// STACK_GLOBAL MEMOIZE NEXT_BUFFER READONLY_BUFFER.
	set("(.012NQRabd}el]ost)u", pickleOp{arg: argNone})
	set("\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98", pickleOp{arg: argNone})
	set("FILPSVgp", pickleOp{arg: argLine})           // FLOAT INT LONG PERSID STRING UNICODE GET PUT
	set("ci", pickleOp{arg: argLines2})               // GLOBAL INST
	set("Khq\x80\x82", pickleOp{arg: argFixed, n: 1}) // BININT1 BINGET BINPUT PROTO EXT1
	set("M\x83", pickleOp{arg: argFixed, n: 2})       // BININT2 EXT2
	set("Jjr\x84", pickleOp{arg: argFixed, n: 4})     // BININT LONG_BINGET LONG_BINPUT EXT4
	set("G\x95", pickleOp{arg: argFixed, n: 8})       // BINFLOAT FRAME
	set("UC\x8a\x8c", pickleOp{arg: argLen1})         // SHORT_BINSTRING SHORT_BINBYTES LONG1 SHORT_BINUNICODE
	set("TXB\x8b", pickleOp{arg: argLen4})            // BINSTRING BINUNICODE BINBYTES LONG4
	set("\x8d\x8e\x96", pickleOp{arg: argLen8})       // BINUNICODE8 BINBYTES8 BYTEARRAY8
	return t
}()

// scanPickle checks that data starts with one well-formed pickle and returns its length (up
// to and including STOP). It walks the opcodes as pickletools.genops does, without building
// anything: every length-prefixed argument (strings, bytes, LONG4, FRAME) must fit in the
// bytes that follow, every text argument must end within maxPickleLine, the opcode count must
// stay under maxPickleOps, and the protocol must be one Python writes. The unpickler reads
// each declared length into a buffer of that size before reading the bytes, so a pickle
// that passes allocates in proportion to its own size, never to a length it claims.
func scanPickle(data []byte) (int, error) {
	pos := 0
	for ops := 0; ; ops++ {
		if ops == maxPickleOps {
			return 0, fmt.Errorf("pickle has more than %d opcodes (limit)", maxPickleOps)
		}
		if pos >= len(data) {
			return 0, fmt.Errorf("pickle ends at byte %d without STOP (truncated)", pos)
		}
		code := data[pos]
		op := pickleOps[code]
		if op == nil {
			return 0, fmt.Errorf("byte %d: 0x%02x is not a pickle opcode", pos, code)
		}
		at := pos
		pos++
		left := len(data) - pos
		switch op.arg {
		case argNone:
			if code == pickleStop {
				return pos, nil
			}
		case argFixed:
			if left < op.n {
				return 0, fmt.Errorf("byte %d: opcode 0x%02x needs %d argument bytes, %d left (truncated)", at, code, op.n, left)
			}
			switch code {
			case 0x80: // PROTO
				if data[pos] > maxPickleProto {
					return 0, fmt.Errorf("byte %d: pickle protocol %d (Python writes 0 to %d)", at, data[pos], maxPickleProto)
				}
			case 0x95: // FRAME: the length of the opcodes that follow, which must be there
				if n := binary.LittleEndian.Uint64(data[pos:]); n > uint64(left-8) {
					return 0, fmt.Errorf("byte %d: frame of %d bytes, %d left (truncated or corrupt)", at, n, left-8)
				}
			}
			pos += op.n
		case argLine, argLines2:
			lines := 1
			if op.arg == argLines2 {
				lines = 2
			}
			for range lines {
				end := bytes.IndexByte(data[pos:min(len(data), pos+maxPickleLine)], '\n')
				if end < 0 {
					return 0, fmt.Errorf("byte %d: opcode 0x%02x: text argument without a line end within %d bytes", at, code, maxPickleLine)
				}
				pos += end + 1
			}
		case argLen1, argLen4, argLen8:
			w := map[pickleArg]int{argLen1: 1, argLen4: 4, argLen8: 8}[op.arg]
			if left < w {
				return 0, fmt.Errorf("byte %d: opcode 0x%02x: length field cut off (truncated)", at, code)
			}
			var n uint64
			switch w {
			case 1:
				n = uint64(data[pos])
			case 4:
				n = uint64(binary.LittleEndian.Uint32(data[pos:]))
				if code == 'T' || code == 0x8b { // BINSTRING and LONG4 lengths are signed
					n = uint64(int64(int32(uint32(n))))
				}
			case 8:
				n = binary.LittleEndian.Uint64(data[pos:])
			}
			pos += w
			if code == 0x8b && n > maxPickleLong { // LONG4: decoding is quadratic in the length
				return 0, fmt.Errorf("byte %d: an integer of %d bytes (limit %d)", at, n, maxPickleLong)
			}
			if n > uint64(len(data)-pos) {
				return 0, fmt.Errorf("byte %d: opcode 0x%02x declares %d bytes, %d left in the pickle (corrupt or hostile)", at, code, n, len(data)-pos)
			}
			pos += int(n)
		}
	}
}
