package imagefile

import (
	"encoding/binary"
	"errors"
)

// WithJPEGOrientation returns a copy of a JPEG file with an EXIF APP1 segment holding only the
// Orientation tag o inserted after its start-of-image marker (before any other EXIF block, so
// readers that take the first one see it). It makes phone-like test fixtures; the pixels are
// untouched.
func WithJPEGOrientation(jpeg []byte, o Orientation) ([]byte, error) {
	if len(jpeg) < 2 || jpeg[0] != 0xFF || jpeg[1] != mSOI {
		return nil, errors.New("not a JPEG file")
	}
	// TIFF header (little-endian), one IFD with one entry, no next IFD.
	t := []byte("II*\x00\x08\x00\x00\x00\x01\x00")
	t = binary.LittleEndian.AppendUint16(t, tagOrientation)
	t = binary.LittleEndian.AppendUint16(t, 3) // SHORT
	t = binary.LittleEndian.AppendUint32(t, 1)
	t = binary.LittleEndian.AppendUint16(t, uint16(o))
	t = append(t, 0, 0, 0, 0, 0, 0)
	payload := append(append([]byte{}, exifHeader...), t...)
	seg := []byte{0xFF, mAPP1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, jpeg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpeg[2:]...), nil
}
