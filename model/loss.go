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
// indices [B] (torch.nn.functional.cross_entropy with default arguments).
// Neither input is consumed.
func CrossEntropy(logits, labels *ts.Tensor) (*ts.Tensor, error) {
	return crossEntropy(logits, labels, reductionMean)
}

// CrossEntropySum is CrossEntropy summed over the batch instead of averaged
// (reduction="sum"): evaluation adds batches of different sizes.
func CrossEntropySum(logits, labels *ts.Tensor) (*ts.Tensor, error) {
	return crossEntropy(logits, labels, reductionSum)
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
