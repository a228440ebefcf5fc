package main

import (
	"io"
	"strings"
	"testing"
)

func TestParseFlagsDefaults(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.model != "mlp" || c.batch != 128 || c.lr != 1e-3 || c.opt != "adam" || c.dataset != "mnist" || len(c.hidden) != 2 || c.hidden[0] != 256 {
		t.Errorf("defaults: %+v", c)
	}
	c, err = parseFlags([]string{"-model", "cnn"}, io.Discard)
	if err != nil || c.batch != 64 {
		t.Errorf("cnn defaults: %+v %v", c, err)
	}
}

func TestParseFlagsErrorsNameTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-model", "rnn"}, "-model"},
		{[]string{"-hidden", "256,x"}, "-hidden"},
		{[]string{"-dataset", "cifar"}, "-dataset"},
		{[]string{"-lr", "-1"}, "-lr"},
		{[]string{"-wd", "-1"}, "-wd"},
		{[]string{"-epochs", "0"}, "-epochs"},
		{[]string{"-batch", "0"}, "-batch"},
		{[]string{"-seed", "abc"}, "-seed"},
		{[]string{"-limit", "-5"}, "-limit"},
		{[]string{"-threads", "-2"}, "-threads"},
		{[]string{"-opt-args", "beta1"}, "-opt-args"},
		{[]string{"-opt-args", "a=1,a=2"}, "-opt-args"},
		{[]string{"-progress", "fancy"}, "-progress"},
		{[]string{"-model", "cnn", "-hidden", "10"}, "-hidden"},
		{[]string{"stray"}, "stray"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("%v: error %v, want one naming %s", tc.args, err, tc.flag)
		}
	}
}
