// Package train is `ffra train / eval / predict / cam`: the training loop of FFRA-Net on
// gotch, evaluation, prediction and class activation maps. Its subpackages hold the parts
// that need no libtorch: loader (decoding, caching, augmentation, batching), metrics
// (confusion matrix, accuracies), plot (PNG figures) and rundir (run-folder files, with the
// model configuration from model/ffranet); internal/purego's test keeps them cgo-free.
//
// # Recipe
//
// Defaults follow the paper (spec section 10): Adam lr 1e-4, batch 128, 200 epochs, input
// 224, ResNet-18 backbone with both branches, weighted fusion lambda 0.6, cross-entropy,
// constant LR (--schedule exp --gamma 0.9 is the SCN/RUL/EAC budget schedule), weight decay
// 0 (--wd 1e-4 is the spec's recommendation), RandomResizedCrop(scale 0.08..1, ratio
// 3/4..4/3) + horizontal flip, ImageNet mean/std. Colour jitter and RandomErasing
// (SCN: --erase 0.5 --erase-scale 0.02,0.25) are available, off by default.
//
// Adam is implemented here on gotch tensors (adam.go), numerically torch.optim.Adam with L2
// weight decay, because gotch's optimiser hides its moments and a resumed run must continue
// them.
//
// # Data
//
// Any layout package dataset reads (docs/datasets-layouts.md): RAF-DB trees use the official
// split (train_* / test_* stems), FERPlus its Train/Valid/Test folders or fer2013.csv's Usage,
// class-per-folder trees train/, val/ (valid/) and test/ top folders. The model's classes are
// the training data's (config.json "classes", every checkpoint); test sets are mapped to them
// by name. A training set's val split chooses best/ when it has one. FERPlus's probability and
// crossentropy modes train on labels drawn per epoch (loader.TargetsDraw) and on soft targets
// with model.SoftCrossEntropy (loader.TargetsSoft). Every image is decoded once at start (Go image decoders:
// JPEG, PNG, BMP, TIFF, WebP, GIF); corrupt images and label lines without an image are
// reported, skipped and counted (config.json "skipped", report.json "skipped"). Decoded pixels
// stay in memory up to --cache-mb (default 4096 MB; RAF-DB needs 460 MB); images beyond the cap
// are decoded again per batch. Worker goroutines build batches ahead of the model through a
// bounded channel (--prefetch). The epoch order is a permutation drawn from (seed, epoch) and
// each image's augmentation from dataset.ItemRNG(seed, rel path, "augment/epoch<N>"), so a
// batch's contents are bit-identical for any --workers.
//
// # Run folder
//
//	config.json      every setting (rundir.Config): model config, optimiser, augmentation, seed,
//	                 datasets with path, split, image and skipped counts, content hash
//	                 (sha256 of manifest.jsonl when present, else of the sorted "rel<TAB>size"
//	                 list), and "hash", the hash of all result-determining settings
//	metrics.jsonl    one line per epoch: epoch, lr, train_loss, train_acc, sets.<name>.{loss,
//	                 acc, mean_class_acc, images, confusion}, seconds, train_images_per_s,
//	                 eval_seconds, best
//	last/            model.safetensors (model.SaveCheckpoint: weights, config, class names,
//	                 extra epoch and config_hash), optimizer.safetensors (Adam m.<param>,
//	                 v.<param>, metadata step), state.json (TrainState: epochs done, Adam steps,
//	                 seed, best epoch and accuracy). state.json is written last; the folder is
//	                 replaced by renames (last.partial -> last), never edited in place.
//	best/            model.safetensors + state.json of the epoch with the highest accuracy on
//	                 the selection set (--select, default the first test set)
//	report.json      best and final metrics per set, skipped entries, parameter count, libtorch
//	confusion_<set>.png  row-normalised confusion matrix of the best epoch
//	curves.png       loss and accuracy vs epoch, train and every test set
//
// # Resume
//
// All randomness derives from (seed, epoch, item path), weights are initialised in Go from the
// seed and FFRA-Net has no dropout, so the resume state is: weights and BN statistics, Adam
// moments and step count, and the next epoch. --resume continues after the last completed
// epoch and produces the same metrics and bit-identical weights as an uninterrupted run (tested
// on CPU; CUDA kernels may be non-deterministic). A run stopped before its first last/ was in
// place (killed in epoch 1, or while writing last/: config.json, maybe epoch 1's metrics line
// and best/, no last/state.json) starts over from config.json, which fixes the seed and data,
// and ends the same way. Metrics lines of epochs after the resume point are dropped from
// metrics.jsonl as soon as the resume starts.
//
// # Paths and locks
//
// A run folder is never a dataset of the run nor inside one (checked before it is created), and
// is locked while a run writes it (.occfer.lock, internal/lockfile: a second train or resume is
// refused naming the first). On --resume it is read like user input (trust.go): config.json must
// match its own hash, name its test sets with plain names and lie outside its datasets; state.json
// and the checkpoint's metadata must agree with it and with each other; links in the folder are
// removed before anything is written. An edited folder is refused with the file and the reason.
//
// # Threads and grad mode
//
// libtorch's grad mode is per OS thread, so every no-grad region and every training step pins
// its goroutine to a thread, and grad mode is set explicitly rather than restored (gotch's
// GradSetEnabled misreports the previous mode).
package train
