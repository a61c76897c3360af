package onnx

import "fmt"

// Builder adds nodes and initializers to a graph, naming each node's output after the node.
// The first inconsistency (an initializer whose values do not fill its shape) is kept in Err;
// check it before marshalling.
type Builder struct {
	G     *Graph
	Err   error
	count map[string]int
	names map[string]bool
}

// NewBuilder builds into g.
func NewBuilder(g *Graph) *Builder {
	return &Builder{G: g, count: map[string]int{}, names: map[string]bool{}}
}

// Node adds an op with one output and returns the output's name, derived from hint (a layer
// name such as "layer1.0.conv1"; the op type when empty).
func (b *Builder) Node(op, hint string, inputs []string, attrs ...Attr) string {
	if hint == "" {
		hint = op
	}
	out := b.unique(hint + "/" + op)
	b.G.Nodes = append(b.G.Nodes, Node{Name: out, Op: op, Inputs: inputs, Outputs: []string{out}, Attrs: attrs})
	return out
}

// Floats adds a float32 initializer (named name, made unique) and returns its name.
func (b *Builder) Floats(name string, dims []int64, vals []float32) string {
	if n := numel(dims); n != int64(len(vals)) && b.Err == nil {
		b.Err = fmt.Errorf("onnx initializer %s: %d values for shape %v", name, len(vals), dims)
	}
	name = b.unique(name)
	b.G.Initializers = append(b.G.Initializers, Tensor{Name: name, Dims: append([]int64(nil), dims...), Floats: vals})
	return name
}

// Int64s adds an int64 initializer of shape [len(vals)] and returns its name.
func (b *Builder) Int64s(name string, vals ...int64) string {
	name = b.unique(name)
	b.G.Initializers = append(b.G.Initializers, Tensor{Name: name, Dims: []int64{int64(len(vals))}, Int64s: vals, IsInt64: true})
	return name
}

// Scalar adds a float32 initializer of shape [] (broadcast against anything).
func (b *Builder) Scalar(name string, v float32) string {
	name = b.unique(name)
	b.G.Initializers = append(b.G.Initializers, Tensor{Name: name, Floats: []float32{v}})
	return name
}

func (b *Builder) unique(name string) string {
	if !b.names[name] {
		b.names[name] = true
		return name
	}
	for {
		b.count[name]++
		n := fmt.Sprintf("%s_%d", name, b.count[name])
		if !b.names[n] {
			b.names[n] = true
			return n
		}
	}
}

func numel(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}
