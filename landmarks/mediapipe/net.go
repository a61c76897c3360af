package mediapipe

import (
	"fmt"
	"os"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/internal/freelist"
)

// network is one TensorFlow.js graph model converted to ONNX and loaded into OpenCV's DNN
// module. A cv::dnn::Net is not safe for concurrent use, so network keeps a pool of them,
// each built from the same ONNX bytes, and reuses idle ones (at most one per concurrent caller).
type network struct {
	onnx    []byte
	outputs []string // output node names (TensorFlow.js Identity nodes)
	h, w    int      // input size
	nets    *freelist.List[*gocv.Net]
}

// openNetwork converts the model at jsonPath for an input of h x w pixels and checks that
// OpenCV accepts it.
func openNetwork(jsonPath string, h, w int) (*network, error) {
	return openNetworkWith(jsonPath, os.ReadFile, h, w)
}

// openNetworkWith is openNetwork reading the model's files with read (loadGraphModelWith).
func openNetworkWith(jsonPath string, read func(string) ([]byte, error), h, w int) (*network, error) {
	m, err := loadGraphModelWith(jsonPath, read)
	if err != nil {
		return nil, err
	}
	model, outputs, err := toONNX(m, h, w)
	if err != nil {
		return nil, fmt.Errorf("mediapipe model %s: %w", jsonPath, err)
	}
	n := &network{onnx: model, outputs: outputs, h: h, w: w}
	n.nets = freelist.New(n.load, func(net *gocv.Net) { net.Close() })
	net, err := n.nets.Get()
	if err != nil {
		return nil, fmt.Errorf("mediapipe model %s: %w", jsonPath, err)
	}
	n.nets.Put(net)
	return n, nil
}

// load makes one more OpenCV net from the converted model.
func (n *network) load() (*gocv.Net, error) {
	net, err := gocv.ReadNetFromONNXBytes(n.onnx)
	if err != nil {
		return nil, fmt.Errorf("OpenCV cannot load the converted model: %w", err)
	}
	if net.Empty() {
		return nil, fmt.Errorf("OpenCV cannot load the converted model")
	}
	_ = net.SetPreferableBackend(gocv.NetBackendOpenCV)
	_ = net.SetPreferableTarget(gocv.NetTargetCPU)
	return &net, nil
}

// close frees every net made. The network must not be used after.
func (n *network) close() { n.nets.Close() }

// run feeds blob (NCHW float32 [1, 3, h, w]) and returns every output, flattened in
// TensorFlow's element order, by output name.
func (n *network) run(blob gocv.Mat) (map[string][]float32, error) {
	net, err := n.nets.Get()
	if err != nil {
		return nil, err
	}
	defer n.nets.Put(net)
	net.SetInput(blob, "")
	mats := net.ForwardLayers(n.outputs)
	out := make(map[string][]float32, len(mats))
	for i, m := range mats {
		data, err := m.DataPtrFloat32()
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("output %s: %w", n.outputs[i], err)
		}
		out[n.outputs[i]] = append([]float32(nil), data...)
		m.Close()
	}
	return out, nil
}
