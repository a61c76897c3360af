package imagefile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// checkPNG walks a PNG's chunks (PNG spec, section 5) and returns the payload of its eXIf chunk
// (nil if none). It fails when the file ends before its IEND chunk (truncated) or a chunk's
// CRC does not match: libpng only warns about a bad CRC in an ancillary chunk, Go's decoder
// rejects it, so checking here makes both tools agree.
//
// It also reads the size from IHDR into cfg (image/png decodes every standard colour type, bit
// depth and interlace, so nothing more needs checking for ffra's loader).
func checkPNG(d []byte) (cfg frame, exif []byte, err error) {
	if len(d) < len(pngSignature) || string(d[:len(pngSignature)]) != string(pngSignature) {
		return cfg, nil, errors.New("PNG without its signature")
	}
	i := len(pngSignature)
	for {
		if i+8 > len(d) {
			return cfg, nil, errors.New("truncated PNG: the file ends before its IEND chunk")
		}
		n := int(binary.BigEndian.Uint32(d[i:]))
		typ := string(d[i+4 : i+8])
		if n < 0 || n > len(d) || i+12+n > len(d) {
			return cfg, nil, errors.New("truncated PNG: the file ends before its IEND chunk")
		}
		body := d[i+8 : i+8+n]
		if crc32.ChecksumIEEE(d[i+4:i+8+n]) != binary.BigEndian.Uint32(d[i+8+n:]) {
			return cfg, nil, fmt.Errorf("corrupt PNG: bad CRC in chunk %q at byte %d", typ, i)
		}
		switch typ {
		case "IHDR":
			if n < 8 || i != len(pngSignature) {
				return cfg, nil, errors.New("corrupt PNG: IHDR is not the first chunk")
			}
			cfg.width, cfg.height = int(binary.BigEndian.Uint32(body)), int(binary.BigEndian.Uint32(body[4:]))
		case "eXIf":
			if exif == nil {
				exif = body
			}
		case "IEND":
			if cfg.width == 0 || cfg.height == 0 {
				return cfg, nil, errors.New("corrupt PNG: no IHDR or no pixels")
			}
			return cfg, exif, nil
		}
		i += 12 + n
	}
}
