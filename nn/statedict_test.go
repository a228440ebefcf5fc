package nn

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gograd/gograd/tensor"
)

func TestLoadStateDictRoundTrip(t *testing.T) {
	src := NewSequential(NewLinear(4, 3, tensor.NewRNG(1)), NewBatchNorm1d(3), NewReLU(), NewLinear(3, 2, tensor.NewRNG(2)))
	// Give the buffers non-initial values.
	forward(src, randT(tensor.NewRNG(3), 8, 4))
	dst := NewSequential(NewLinear(4, 3, tensor.NewRNG(10)), NewBatchNorm1d(3), NewReLU(), NewLinear(3, 2, tensor.NewRNG(11)))

	path := filepath.Join(t.TempDir(), "model.safetensors")
	all := StateDict(src)
	all["optim.0.weight.m"] = tensor.New(3, 4)
	if err := SaveCheckpoint(path, all, map[string]string{"epoch": "7"}); err != nil {
		t.Fatal(err)
	}
	loaded, md, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	optimState, modelState := SplitPrefix(loaded, "optim.")
	if len(optimState) != 1 || optimState["optim.0.weight.m"] == nil || md["epoch"] != "7" {
		t.Fatalf("optim state %v, metadata %v", optimState, md)
	}
	if err := LoadStateDict(dst, modelState); err != nil {
		t.Fatal(err)
	}
	for k, v := range StateDict(src) {
		if !sameBits(v, StateDict(dst)[k]) {
			t.Errorf("%s differs after load", k)
		}
	}
	src.Train(false)
	dst.Train(false)
	x := randT(tensor.NewRNG(4), 5, 4)
	if !sameBits(forward(src, x), forward(dst, x)) {
		t.Error("loaded model computes differently")
	}
	// The loaded tensors were copied, not aliased.
	modelState["0.weight"].Fill(0)
	if dst.Layers[0].(*Linear).Weight.Value.At(0, 0) == 0 {
		t.Error("LoadStateDict aliases the given tensors")
	}
}

func TestLoadStateDictErrors(t *testing.T) {
	m := MLP([]int{4, 3, 2}, tensor.NewRNG(1))
	orig := StateDict(MLP([]int{4, 3, 2}, tensor.NewRNG(1)))
	good := func() map[string]*tensor.Tensor {
		d := make(map[string]*tensor.Tensor)
		for k, v := range StateDict(MLP([]int{4, 3, 2}, tensor.NewRNG(2))) {
			d[k] = v
		}
		return d
	}
	d := good()
	delete(d, "2.bias")
	d["extra.weight"] = tensor.New(1)
	d["0.weight"] = tensor.New(4, 3)
	err := LoadStateDict(m, d)
	var sde *StateDictError
	if !errors.As(err, &sde) {
		t.Fatalf("error %v, want a *StateDictError", err)
	}
	if !slices.Equal(sde.Missing, []string{"2.bias"}) || !slices.Equal(sde.Unexpected, []string{"extra.weight"}) ||
		len(sde.Mismatched) != 1 || sde.Mismatched[0].Key != "0.weight" ||
		!slices.Equal(sde.Mismatched[0].Got, []int{4, 3}) || !slices.Equal(sde.Mismatched[0].Module, []int{3, 4}) {
		t.Errorf("error fields %+v", sde)
	}
	want := `nn: loadstatedict: missing key "2.bias"; unexpected key "extra.weight"; shape mismatch for "0.weight": state dict has [4 3], module has [3 4]`
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	// Nothing was loaded.
	for k, v := range StateDict(m) {
		if !sameBits(v, orig[k]) {
			t.Errorf("%s changed by a failed load", k)
		}
	}
	// The checkpoint of another model does not load.
	err = LoadStateDict(m, StateDict(MNISTCNN(tensor.NewRNG(1))))
	if err == nil || !strings.Contains(err.Error(), `shape mismatch for "0.weight"`) || !strings.Contains(err.Error(), `unexpected key "6.weight"`) {
		t.Errorf("CNN state into MLP: %v", err)
	}
}
