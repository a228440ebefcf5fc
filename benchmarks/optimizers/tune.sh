#!/bin/sh
# tune.sh runs the small per-method searches of tuning.md, one
# configuration at a time, each a separate run of this program with
# -args (same seed, batches and 3 epochs as the defaults' run), and
# writes their results to tuning_runs.md. From the repository root:
#
#	sh benchmarks/optimizers/tune.sh [WORKDIR]
#
# WORKDIR (default: a new temporary directory) receives each run's
# outputs and log. Any extra flags for the program can be given in
# $TUNE_FLAGS (e.g. TUNE_FLAGS='-limit 6000' for a quick check).
set -eu
work=${1:-$(mktemp -d)}
out=benchmarks/optimizers/tuning_runs.md
go build -o "$work/optimizers" ./benchmarks/optimizers
{
	echo "# Tuning runs on W1 (written by benchmarks/optimizers/tune.sh; do not edit)"
	echo
	echo "Started $(date -u '+%Y-%m-%d %H:%M UTC'); each row is one run of"
	echo "\`go run ./benchmarks/optimizers -epochs 3 -methods M -args 'M:ARGS'${TUNE_FLAGS:+ $TUNE_FLAGS}\`."
	echo "Test accuracy on the 10000 test images after each epoch; the status"
	echo "line is the program's."
	echo
	echo "| method | args | epoch 1 | epoch 2 | epoch 3 | status |"
	echo "|---|---|---:|---:|---:|---|"
} >"$out"

n=0
run() { # run METHOD ARGS
	n=$((n + 1))
	log="$work/run$n.log"
	# shellcheck disable=SC2086
	"$work/optimizers" -epochs 3 -methods "$1" -args "$1:$2" -out "$work/run$n" ${TUNE_FLAGS:-} >"$log" 2>&1 || true
	accs=$(sed -n 's/.* epoch [0-9]*\/[0-9]*: test loss [^,]*, test acc \([0-9.]*%\).*/\1/p' "$log" | tr '\n' '|')
	status=$(sed -n "s/^== $1: //p" "$log" | sed 's/|/\\|/g')
	[ -n "$status" ] || status="failed: $(tail -n 1 "$log")"
	printf '| %s | `%s` | %s |\n' "$1" "$2" "$(echo "$accs" | awk -F'|' '{printf "%s | %s | %s", ($1==""?"–":$1), ($2==""?"–":$2), ($3==""?"–":$3)}') | $status" >>"$out"
	echo "$1 $2: $status"
}

# First-order methods: learning rates around the usual range for an MNIST MLP.
run sgd 'lr=0.1'
run sgd 'lr=0.01,momentum=0.9'
run sgd 'lr=0.05,momentum=0.9'
run adagrad 'lr=0.05'
run adagrad 'lr=0.1'
run rmsprop 'lr=0.001'
run rmsprop 'lr=0.003'
run gravity 'lr=0.3'
run gravity 'lr=1'
run sgdm-rs 'lr=0.05'
run xgrad-sgdm 'lr=0.01'
run xgrad-sgdm 'lr=0.05'
run adam 'fused=false'
# Curvature methods.
run adahessian 'lr=0.01'
run adahessian 'lr=0.05'
run oasis 'alpha=1'
run oasis 'alpha=0.1'
run oasis 'alpha=0.01'
run oasis 'alpha=0.001'
run oasis 'alpha=0.0001'
run shampoo 'lr=0.05'
run shampoo 'update_freq=100'
run shampoo 'update_freq=100,lr=0.05'
run shampoo 'update_freq=100,graft=adagrad,lr=0.01'
run shampoo 'update_freq=100,graft=rmsprop,lr=0.001'
# Step-size methods.
run adagrad-norm 'lr=1'
run adagrad-norm 'lr=3'
run adagrad-norm 'lr=10'
run adadagrad 'lr=3'
run ai-sarah 'fd_step=0.001'
run ai-sarah 'fd_step=0.1'
run ai-sarah 'fd_step=0.3'
# Wrappers: base Adam at its defaults, or SGD with momentum 0.9 at lr 0.05.
for w in sam usam gam gr-fd flooding; do
	run $w 'base=adam'
	run $w 'base=sgd,base_args=lr=0.05;momentum=0.9'
done
run weight-clip 'base=adam'
run weight-clip 'base=adam,c=0.1'
run weight-clip 'base=adam,c=1'
echo "wrote $out"
