#!/bin/sh
# Runs gograd's fused optimizer benchmarks and the PyTorch comparison
# interleaved, one size at a time, so that both see the same machine load
# (the box is shared). Writes go.txt (go test -bench output, benchstat
# format) and torch.txt into the directory given as $1 (default: a new
# temporary directory), and prints the load average before and after.
#
#   benchmarks/fused/run.sh [outdir] [count]
set -eu
cd "$(dirname "$0")/../.."
out=${1:-$(mktemp -d)}
count=${2:-5}
mkdir -p "$out"
go test -c -o "$out/asm.test" ./asm
uptime | tee "$out/load.txt"
: > "$out/go.txt"
: > "$out/torch.txt"
for n in 100000 1000000 10000000; do
	"$out/asm.test" -test.run '^$' -test.bench "^Benchmark(Adam|Lion|SGD)\$/(avx2|avx512)/$n\$" \
		-test.count "$count" -test.benchtime 1s >> "$out/go.txt"
	/usr/bin/python3 benchmarks/fused/torch_adam.py --sizes "$n" --repeats "$count" --opts Adam,AdamW,Lion,SGD >> "$out/torch.txt"
done
uptime | tee -a "$out/load.txt"
echo "results in $out"
