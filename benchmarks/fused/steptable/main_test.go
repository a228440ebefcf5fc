package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkStep/adam/1000000         	    3946	    296460 ns/op	 0.3000 ns/param
BenchmarkStep/adam/1000000         	    3946	    296460 ns/op	 0.2000 ns/param
BenchmarkStep/adam/1000000         	    3946	    296460 ns/op	 0.4000 ns/param
BenchmarkStep/adam-chain/1000000-2 	     396	   2964600 ns/op	 3.0000 ns/param
BenchmarkStep/amsgrad/1000000      	    2580	    468907 ns/op	 0.4500 ns/param
BenchmarkStep/amsgrad/1000000      	    2580	    468907 ns/op	 0.5000 ns/param
BenchmarkStep/amsgrad/65536        	    2580	    468907 ns/op	 9.0000 ns/param
PASS
`

func TestRun(t *testing.T) {
	var b strings.Builder
	c := config{bench: "BenchmarkStep", size: "1000000", base: "adam", metric: "ns/param", limit: 1.5}
	if err := run(strings.NewReader(sample), &b, c); err != nil {
		t.Fatal(err)
	}
	want := `| case | runs | ns/param (min–max) | median / adam's |
|---|---:|---|---:|
| adam | 3 | 0.200–0.400 | 1.00 |
| amsgrad | 2 | 0.450–0.500 | 1.58 (over) |
| adam-chain | 1 | 3.000–3.000 | 10.00 (over) |
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// TestRunOtherBenchmark reads a BenchmarkFactoredStep-like input by its
// CPU metric at a matrix size.
func TestRunOtherBenchmark(t *testing.T) {
	in := `BenchmarkFactoredStep/adam/1000x1000 10 1 ns/op 0.30 cpu-ns/param 0.31 ns/param
BenchmarkFactoredStep/adafactor/1000x1000 10 1 ns/op 0.42 cpu-ns/param 0.43 ns/param
BenchmarkFactoredStep/adafactor/1000000 10 1 ns/op 0.47 cpu-ns/param 0.48 ns/param
BenchmarkStep/adam/1000x1000 10 1 ns/op 9 cpu-ns/param 9 ns/param
`
	var b strings.Builder
	c := config{bench: "BenchmarkFactoredStep", size: "1000x1000", base: "adam", metric: "cpu-ns/param", limit: 1.5}
	if err := run(strings.NewReader(in), &b, c); err != nil {
		t.Fatal(err)
	}
	want := `| case | runs | cpu-ns/param (min–max) | median / adam's |
|---|---:|---|---:|
| adam | 1 | 0.300–0.300 | 1.00 |
| adafactor | 1 | 0.420–0.420 | 1.40 |
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestRunNeedsAdam(t *testing.T) {
	c := config{bench: "BenchmarkStep", size: "1000000", base: "adam", metric: "ns/param", limit: 1.5}
	err := run(strings.NewReader("BenchmarkStep/sgd/1000000 1 1 ns/op 0.1 ns/param\n"), new(strings.Builder), c)
	if err == nil || !strings.Contains(err.Error(), "adam") {
		t.Errorf("err = %v, want one naming adam", err)
	}
}
