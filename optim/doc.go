// Package optim holds gograd's optimizers: update rules built from small
// composable transforms (after optax), driven by an Optimizer with typed
// parameter groups, lazily created state and checkpointable State (after
// torch.optim).
//
// # Transforms
//
// A Transform has Init, which makes the per-parameter state buffers, and
// Update, which rewrites the updates of all parameters in place, one Slot
// per parameter. Chain composes transforms; a chain ends in ScaleByLR and
// the Optimizer subtracts its output:
//
//	θ ← θ − u,   u = ScaleByLR(…(g))
//
// The named optimizers are chains:
//
//	SGD:   AddDecayedWeights, Trace, ScaleByLR
//	Adam:  AddDecayedWeights, ScaleByAdam, ScaleByLR        (L2 decay)
//	AdamW: ScaleByAdam, AddDecayedWeights, ScaleByLR        (decoupled decay)
//	Lion:  ScaleByLion, AddDecayedWeights, ScaleByLR
//
// and NewSGD, NewAdam, NewAdamW and NewLion run each as one fused asm
// kernel per parameter (asm.SGDStep, asm.AdamStep, asm.LionStep), tested
// against the chain. ClipByGlobalNorm and ClipByValue go at the front of a
// chain built with NewFromTransform; ClipGradNorm and ClipGradValue clip
// the gradients of parameters directly, before Step.
//
// # Optimizer
//
// Parameters live in groups (Group: Params, LR, WeightDecay), the first
// made by the constructor, others by AddParamGroup with options filled from
// the defaults; a parameter in two groups is an error. Step reads each
// parameter's Grad (skipping nil ones), creates state on a parameter's first
// update, and does not allocate afterwards. ZeroGrad clears gradients.
// State and LoadState give the state as named tensors ("step",
// "state.<param>.exp_avg", …) for checkpoints; a resumed run continues
// bit for bit. SetLR with a Schedule (Constant, StepLR, Cosine,
// LinearWarmup, SGDR) changes the learning rate between steps.
//
// # Objectives
//
// Methods that need more than one gradient per step (Hessian-vector
// products, gradients at perturbed points, loss values) read the minibatch
// Objective through their Slot: their optimizer reports NeedsObjective and
// is stepped with StepWith(obj) instead of Step. nn.Objective is the
// classifier objective cmd/train passes.
//
// # Registry
//
// New builds an optimizer by name with string arguments, for command
// lines: see Names, Defaults and ParseArgs. The methods of
// ../shared/METHODS.md, by family (each constructor's doc comment gives
// its equations, defaults and source):
//
//	first-order:  sgd adam adamw adamax lion rmsprop adagrad amsgrad adabelief
//	              adafactor adabound amsbound cadamw clion ademamix mars grams
//	              fadam diffgrad exadam adamw-sn xgrad xgrad-sgdm sgdm-rs gravity
//	curvature:    adahessian sophia-h sophia-g shampoo oasis sania psgd lazy-newton
//	              fosi egn
//	step sizes:   dog ldog sps psps adagrad-norm smb adadagrad ai-sarah
//	              (schedules: Constant StepLR Cosine LinearWarmup SGDR)
//	wrappers:     lookahead sam usam gam gr-fd flooding weight-clip
//	              (clipping: ClipByGlobalNorm ClipByValue)
//
// Every first-order method (sgd, adam, adamw, lion, amsgrad, adabelief,
// rmsprop, adagrad, adamax, ademamix, cadamw, clion, grams, adabound,
// amsbound, diffgrad, exadam, mars, fadam, adafactor, adamw-sn, sgdm-rs,
// gravity, xgrad and xgrad-sgdm) runs on fused asm kernels, one call per
// parameter (fused=false selects the Transform chain, which stays the
// reference the fused path is tested against). So do the step-size rules
// dog, ldog, adagrad-norm and sps: one asm.DoGSums pass per parameter, the
// global (L-DoG: per-tensor) scalars, one asm.DoGStep pass; their chains
// sum the norms in the same lane order, so both paths agree bit for bit
// on AVX-512; sps's fused path takes the loss from StepWith's objective.
// The wrappers whose own work is elementwise, lookahead and weight-clip
// (from New, NewLookahead or NewWrapped(name, base, nil, WeightClip(c))),
// run fused when their base has an elementwise or whole-parameter fused
// kernel: the base's kernel, then asm.LookaheadSync every k-th step or
// asm.Clamp, with the chain's state layout. The wrappers that need the
// objective (sam, usam, gam, gr-fd, flooding), wrappers over xgrad, and
// the methods that evaluate the objective themselves (smb, ai-sarah,
// psps, adadagrad's per-sample gradients, the curvature methods) run
// their chains.
//
// # Errors
//
// Constructors return a *HyperparameterError naming the rejected value,
// e.g. "optim: adam: invalid beta1 1.5: must be in [0, 1)". Programming
// errors in the hot path (a gradient of the wrong size, a state made by
// another chain) panic with a message naming the transform and parameter.
package optim
