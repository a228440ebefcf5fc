// Command optimizers trains the W1 workload (MLP 784-256-256-10 with
// ReLU, batch 128, MNIST scaled to [0, 1]) with every registered
// optimizer (optim.Names) at its own defaults, one after the other in
// this process, from the same initial weights and over the same batches,
// and writes a markdown table (results.md), one PNG plot of test loss
// against step per optimizer family (loss_<family>.png), the curves as
// CSV (curves.csv), and the table into README.md between its result
// markers.
//
// Usage:
//
//	go run ./benchmarks/optimizers [-epochs 3] [-methods adam,sgd] [-out benchmarks/optimizers]
//
// Each method's row reports the final test accuracy and loss on the
// 10000 test images, training seconds per epoch and milliseconds per
// step (evaluations excluded), the optimizer state per parameter (floats
// of the non-scalar entries of Optimizer.State divided by the number of
// model parameters), whether the optimizer re-evaluates the objective
// (and how often per step), and a status: ok, diverged, below the target
// accuracy, skipped as too slow, or the constructor's error.
package main
