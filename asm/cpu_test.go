package asm

import "testing"

func TestParseLevel(t *testing.T) {
	for _, l := range []Level{Generic, AVX2, AVX512} {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", l.String(), got, err, l)
		}
	}
	if _, err := ParseLevel("sse9"); err == nil {
		t.Error("ParseLevel(sse9) succeeded")
	}
}

func TestSetLevelCaps(t *testing.T) {
	old := Active()
	defer SetLevel(old)
	if got := SetLevel(AVX512 + 5); got != Detected() {
		t.Errorf("SetLevel(too high) = %v, want detected %v", got, Detected())
	}
	if got := SetLevel(Generic); got != Generic {
		t.Errorf("SetLevel(Generic) = %v", got)
	}
	t.Logf("detected level: %v", Detected())
}
