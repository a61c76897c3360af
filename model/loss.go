package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"
)

// libtorch's reduction codes (at::Reduction).
const (
	reductionMean = 1
	reductionSum  = 2
)

// CrossEntropy is the mean cross-entropy of logits [B,K] against int64 class
// indices [B] (see SoftCrossEntropy for distributions) (torch.nn.functional.cross_entropy with default arguments).
// Neither input is consumed.
func CrossEntropy(logits, labels *ts.Tensor) (*ts.Tensor, error) {
	return crossEntropy(logits, labels, reductionMean)
}

// CrossEntropySum is CrossEntropy summed over the batch instead of averaged
// (reduction="sum"): evaluation adds batches of different sizes.
func CrossEntropySum(logits, labels *ts.Tensor) (*ts.Tensor, error) {
	return crossEntropy(logits, labels, reductionSum)
}

// SoftCrossEntropy is the mean cross-entropy of logits [B,K] against soft targets [B,K]
// float32 (each row a distribution): mean over the batch of -sum_k p_k log softmax(logits)_k,
// torch.nn.functional.cross_entropy with probability targets (PyTorch >= 1.10), which libtorch
// computes here through the same op. It trains the FERPlus paper's cross-entropy (label
// distribution) scheme. Neither input is consumed.
func SoftCrossEntropy(logits, probs *ts.Tensor) (*ts.Tensor, error) {
	return crossEntropy(logits, probs, reductionMean)
}

// SoftCrossEntropySum is SoftCrossEntropy summed over the batch (reduction="sum").
func SoftCrossEntropySum(logits, probs *ts.Tensor) (*ts.Tensor, error) {
	return crossEntropy(logits, probs, reductionSum)
}

func crossEntropy(logits, labels *ts.Tensor, reduction int64) (loss *ts.Tensor, err error) {
	defer recoverInto(&err, "cross entropy")
	// The "no class weights" argument is an undefined tensor; it is freed
	// here rather than left to a finalizer (leak tests count live tensors).
	noWeight := ts.NewTensor()
	defer drop(noWeight)
	// ignore_index -100, no label smoothing: PyTorch's defaults.
	loss, err = logits.CrossEntropyLoss(labels, noWeight, reduction, -100, 0, false)
	if err != nil {
		return nil, fmt.Errorf("cross entropy: %w", err)
	}
	return loss, nil
}
