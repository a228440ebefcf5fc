// Package nn builds neural networks from autodiff ops: layers with named
// parameters, the two reference MNIST models, losses and metrics, an
// evaluation loop, and checkpoints in the safetensors format.
//
// # Modules
//
// A Module has a Forward method from one Var to another, its State (the
// parameters and buffers, named by PyTorch's state_dict keys) and a
// training/evaluation mode. The layers are Linear, Conv2d, MaxPool2d,
// AvgPool2d, Flatten, ReLU, GELU, Tanh, Sigmoid, Dropout, BatchNorm
// (NewBatchNorm1d, NewBatchNorm2d), LayerNorm and Sequential, which names
// the state of its i-th layer "i.weight", "i.bias" and so on. Linear and
// Conv2d are initialised as in PyTorch, from a generator passed to the
// constructor, so a seed fixes a model:
//
//	rng := tensor.NewRNG(1)
//	model := nn.MLP([]int{784, 256, 256, 10}, rng)
//
// # Training
//
// Bind a batch to a tape, run the model, take a loss and call Backward;
// the gradients land in the Grad of each Var that Parameters returns,
// which an optimizer (package optim) then updates:
//
//	t := autodiff.NewTape()
//	logits := model.Forward(t.Input(x))
//	loss := nn.CrossEntropyLoss(logits, labels)
//	t.Backward(loss)
//	...
//	t.Reset()
//
// Evaluate runs a classifier in evaluation mode over batches without
// recording, and Accuracy scores logits against labels. Package nn knows
// nothing of datasets: batches come from an iter.Seq2 of inputs and
// labels.
//
// # Objectives
//
// Objective is the minibatch classifier objective that optimizers needing
// more than one gradient per step (Hessian-vector products, gradients at
// perturbed points, sampled-label gradients, logit Jacobians) read through
// optim.StepWith. FullObjective adds the gradient over a whole training
// set, for methods with a full-gradient outer loop (AI-SARAH).
//
// Sequential runs a ReLU directly followed by a MaxPool2d as the pool
// followed by the ReLU: the same values and derivatives, with kernel²
// times fewer elements through the ReLU.
//
// # Checkpoints
//
// SaveCheckpoint writes named float32 tensors and string metadata to a
// safetensors file atomically; LoadCheckpoint reads one back bit for bit.
// StateDict and LoadStateDict move a module's state in and out by name,
// checking keys and shapes.
//
// # Errors
//
// Constructors panic on invalid sizes and options, and Forward panics with
// a *tensor.ShapeError on an input of the wrong shape: these are
// programmer errors. File and state-dict problems are returned as errors
// prefixed "nn:" that name the file or the keys.
package nn
