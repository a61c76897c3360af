package imagefile

import (
	"bytes"
	"encoding/binary"
)

// tagOrientation is the EXIF/TIFF Orientation tag (TIFF 6.0, section 8; EXIF 2.32, 4.6.4).
const tagOrientation = 0x0112

// exifOrientation reads the Orientation tag from the first IFD of a TIFF structure (an EXIF
// block, or a TIFF file itself). Anything missing, malformed or out of range gives 1 (upright):
// a damaged tag must not turn a picture. Only this one tag is read; a full EXIF library
// (dsoprea/go-exif pulls in a dozen modules) would be more than the job needs.
func exifOrientation(t []byte) Orientation {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		// SHORT (type 3), count 1: the value sits in the first two bytes of the value field.
		if bo.Uint16(t[e+2:]) != 3 || bo.Uint32(t[e+4:]) != 1 {
			return 1
		}
		if v := Orientation(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// webpEXIF returns the payload of a WebP file's EXIF chunk (RIFF container; WebP container
// spec, "Extended file format"), without the "Exif\0\0" prefix some writers add; nil if none.
func webpEXIF(d []byte) []byte {
	if len(d) < 12 || string(d[:4]) != "RIFF" || string(d[8:12]) != "WEBP" {
		return nil
	}
	for i := 12; i+8 <= len(d); {
		n := int(binary.LittleEndian.Uint32(d[i+4:]))
		if n < 0 || i+8+n > len(d) {
			return nil
		}
		if string(d[i:i+4]) == "EXIF" {
			return bytes.TrimPrefix(d[i+8:i+8+n], exifHeader)
		}
		i += 8 + n + n&1 // chunks are padded to even sizes
	}
	return nil
}
