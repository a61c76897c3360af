package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"
)

// CrossEntropy is the mean cross-entropy of logits [B,K] against int64 class
// indices [B] (torch.nn.functional.cross_entropy with default arguments).
// Neither input is consumed.
func CrossEntropy(logits, labels *ts.Tensor) (loss *ts.Tensor, err error) {
	defer recoverInto(&err, "cross entropy")
	noWeight := ts.NewTensor()
	defer drop(noWeight)
	// reduction 1 = mean, ignore_index -100, no label smoothing: PyTorch's defaults.
	loss, err = logits.CrossEntropyLoss(labels, noWeight, 1, -100, 0, false)
	if err != nil {
		return nil, fmt.Errorf("cross entropy: %w", err)
	}
	return loss, nil
}
