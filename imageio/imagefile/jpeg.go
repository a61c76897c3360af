package imagefile

import (
	"bytes"
	"errors"
	"fmt"
)

// JPEG markers (ITU-T T.81, table B.1).
const (
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mAPP1 = 0xE1
	mTEM  = 0x01
	mRST0 = 0xD0
	mRST7 = 0xD7
)

var exifHeader = []byte("Exif\x00\x00")

// checkJPEG walks a JPEG's marker segments and entropy-coded scans and returns its first EXIF
// block (the TIFF structure after "Exif\0\0" in APP1; nil if none). It fails when the file
// ends before its end-of-image marker (a truncated file: libjpeg would decode it, repeating
// the last row it got), when a segment runs past the end, or when there is no scan. Corrupt
// entropy-coded data that keeps the structure intact is not detected here: only a full decode
// finds it.
//
// It also reads the frame header (SOF) into cfg and refuses what Go's image/jpeg cannot
// decode (arithmetic-coded, lossless or hierarchical frames, precision other than 8 bits), so
// that a JPEG occlude reads is one ffra's loader reads. (Parsing the header here, rather than
// with image.DecodeConfig, saves that decoder's 20 KB of tables per image.)
func checkJPEG(d []byte) (cfg frame, exif []byte, err error) {
	if len(d) < 4 || d[0] != 0xFF || d[1] != mSOI {
		return cfg, nil, errors.New("JPEG without start-of-image marker")
	}
	scans := 0
	i := 2
	for {
		// Markers may be preceded by any number of 0xFF fill bytes (B.1.1.2).
		for i < len(d) && d[i] == 0xFF && i+1 < len(d) && d[i+1] == 0xFF {
			i++
		}
		if i+1 >= len(d) {
			return cfg, nil, truncated(scans)
		}
		if d[i] != 0xFF {
			return cfg, nil, fmt.Errorf("corrupt JPEG: no marker at byte %d", i)
		}
		m := d[i+1]
		i += 2
		switch {
		case m == mEOI:
			if scans == 0 || cfg.width == 0 {
				return cfg, nil, errors.New("JPEG has no image data (no frame and scan before its end marker)")
			}
			return cfg, exif, nil
		case m == mTEM || (m >= mRST0 && m <= mRST7):
			continue // stand-alone markers
		case m == mSOI || m == 0x00:
			return cfg, nil, fmt.Errorf("corrupt JPEG: unexpected marker 0x%02X at byte %d", m, i-2)
		}
		if i+2 > len(d) {
			return cfg, nil, truncated(scans)
		}
		n := int(d[i])<<8 | int(d[i+1])
		if n < 2 || i+n > len(d) {
			return cfg, nil, truncated(scans)
		}
		seg := d[i+2 : i+n]
		if m == mAPP1 && exif == nil && bytes.HasPrefix(seg, exifHeader) {
			exif = seg[len(exifHeader):]
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC { // SOFn (not DHT, JPG, DAC)
			if cfg.width != 0 {
				return cfg, nil, errors.New("corrupt JPEG: a second frame header")
			}
			if cfg, err = readSOF(m, seg); err != nil {
				return cfg, nil, err
			}
		}
		i += n
		if m != mSOS {
			continue
		}
		scans++
		// Entropy-coded data: runs to the next marker other than a stuffed 0xFF00 or RSTn.
		for {
			k := bytes.IndexByte(d[i:], 0xFF)
			if k < 0 || i+k+1 >= len(d) {
				return cfg, nil, truncated(scans)
			}
			i += k
			if next := d[i+1]; next == 0x00 || (next >= mRST0 && next <= mRST7) || next == 0xFF {
				i += 2
				if next == 0xFF {
					i-- // fill byte: look at the second 0xFF again
				}
				continue
			}
			break
		}
	}
}

func truncated(scans int) error {
	if scans == 0 {
		return errors.New("truncated JPEG: the file ends before its image data")
	}
	return errors.New("truncated JPEG: the file ends before its end-of-image marker")
}

// frame is what a JPEG's frame header or a PNG's IHDR says.
type frame struct{ width, height int }

// readSOF checks a frame header (T.81 B.2.2) against what image/jpeg decodes: baseline,
// extended sequential or progressive Huffman frames (SOF0-2) of 8-bit precision with 1, 3 or 4
// components.
func readSOF(m byte, seg []byte) (frame, error) {
	var f frame
	if m > 0xC2 {
		return f, fmt.Errorf("unsupported JPEG: frame type SOF%d (arithmetic-coded, lossless or hierarchical)", m-0xC0)
	}
	if len(seg) < 6 {
		return f, errors.New("corrupt JPEG: short frame header")
	}
	if seg[0] != 8 {
		return f, fmt.Errorf("unsupported JPEG: %d-bit precision", seg[0])
	}
	f.height, f.width = int(seg[1])<<8|int(seg[2]), int(seg[3])<<8|int(seg[4])
	if n := seg[5]; n != 1 && n != 3 && n != 4 {
		return f, fmt.Errorf("unsupported JPEG: %d components", n)
	}
	if f.width == 0 || f.height == 0 {
		return f, fmt.Errorf("JPEG with no pixels (%dx%d)", f.width, f.height)
	}
	return f, nil
}
