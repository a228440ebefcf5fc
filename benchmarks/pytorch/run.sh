#!/bin/sh
# Runs the PyTorch side of gograd's end-to-end benchmarks, one configuration
# at a time (never two at once: the machine has 2 cores).
#
#   benchmarks/pytorch/run.sh [-n REPEATS] [CONFIG...]
#
# CONFIGs (default: mlp-t1 mlp-t2 mlp-t1-e3 cnn-t2 cnn-t1):
#   check      W1, --limit 2000, 1 epoch, 1 thread (smoke test, a few seconds)
#   mlp-t1     W1 (MLP 784-256-256-10, Adam 1e-3, batch 128), 1 epoch, 1 thread
#   mlp-t2     W1, 1 epoch, 2 threads
#   mlp-t1-e3  W1, 3 epochs, 1 thread (accuracy)
#   cnn-t2     W2 (PyTorch-example CNN, Adam 1e-3, batch 64), 1 epoch, 2 threads
#   cnn-t1     W2, 1 epoch, 1 thread
#   adam-VARIANT  W1, 1 epoch, 1 thread, torch.optim.Adam with --adam VARIANT
#                 (default, foreach, loop; fused is CUDA-only in torch 1.13)
#
# Environment set for every run:
#   OPENBLAS_CORETYPE=SkylakeX  OpenBLAS 0.3.21 misdetects this CPU otherwise
#   OMP_NUM_THREADS=T           torch's OpenMP pool (oneDNN convolutions, eltwise)
#   OPENBLAS_NUM_THREADS=T      OpenBLAS's own pthread pool (float32 matmul);
#                               torch.set_num_threads does not reach it
#   OMP_WAIT_POLICY=PASSIVE     for T=2 only
# Extra environment is passed through; PYTHON overrides /usr/bin/python3,
# EXTRA adds arguments to train.py. Each run's JSON lines are printed and
# also saved under $OUT (default benchmarks/pytorch/results/<UTC time>/).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3}
out=${OUT:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)}
repeats=1
if [ "${1:-}" = "-n" ]; then
	repeats=$2
	shift 2
fi
[ $# -gt 0 ] || set -- mlp-t1 mlp-t2 mlp-t1-e3 cnn-t2 cnn-t1
mkdir -p "$out"

run() { # name threads train.py-args...
	name=$1 threads=$2
	shift 2
	i=1
	while [ "$i" -le "$repeats" ]; do
		if [ "$threads" -ge 2 ]; then
			wait_policy=PASSIVE
		else
			wait_policy=
		fi
		echo "== $name run $i/$repeats: OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads${wait_policy:+ OMP_WAIT_POLICY=$wait_policy}"
		echo "   $py $here/train.py --threads $threads --json $* ${EXTRA:-}"
		echo "   load: $(cut -d' ' -f1-3 /proc/loadavg)"
		(
			export OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
			if [ -n "$wait_policy" ]; then
				export OMP_WAIT_POLICY="$wait_policy"
			else
				unset OMP_WAIT_POLICY
			fi
			# shellcheck disable=SC2086
			"$py" "$here/train.py" --threads "$threads" --json "$@" ${EXTRA:-}
		) | tee "$out/$name-$i.jsonl"
		i=$((i + 1))
	done
}

for c in "$@"; do
	case $c in
	check) run check 1 --model mlp --epochs 1 --limit 2000 ;;
	mlp-t1) run mlp-t1 1 --model mlp --epochs 1 ;;
	mlp-t2) run mlp-t2 2 --model mlp --epochs 1 ;;
	mlp-t1-e3) run mlp-t1-e3 1 --model mlp --epochs 3 ;;
	cnn-t2) run cnn-t2 2 --model cnn --epochs 1 ;;
	cnn-t1) run cnn-t1 1 --model cnn --epochs 1 ;;
	adam-default | adam-foreach | adam-loop | adam-fused)
		run "$c" 1 --model mlp --epochs 1 --adam "${c#adam-}" ;;
	*)
		echo "run.sh: unknown configuration $c" >&2
		exit 2
		;;
	esac
done
