package jsonwalk

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWalk(t *testing.T) {
	w := New([]byte(` {"a": [1, -2.5e+3, true, null, "x\"y\u00e9"], "b": {"c": "d"}, "e\\f": 1} `))
	var keys []string
	ok := w.Object(func(key []byte) bool {
		keys = append(keys, string(key))
		return w.Skip()
	})
	if !ok || strings.Join(keys, ",") != `a,b,e\\f` {
		t.Errorf("ok %v, keys %v", ok, keys)
	}
	for _, good := range []string{`{}`, `[]`, `0`, `-0.5E-7`, `"\ud800"`, `{"a":{"b":[[],{}]}}`, " \t\n\r1 "} {
		if w := New([]byte(good)); !w.Skip() || !w.End() {
			t.Errorf("refused %q", good)
		}
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `1e`, `-`, `tru`, `nul`, `"a`, "\"\x01\"",
		`"\x"`, `"\u12"`, `{"a" 1}`, `{1:2}`, `[1 2]`, strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)} {
		if w := New([]byte(bad)); w.Skip() && w.End() {
			t.Errorf("took %q", bad)
		}
	}
}

// FuzzWalk: a Walker takes what encoding/json takes, up to MaxDepth.
func FuzzWalk(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2,{"b":null}],"c":"d\n"}`, `{"\n":1}`, `[-0.0e1,true,false]`, `"\u00e9\ud800"`, `{"a":1}x`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w := New(b)
		walked := w.Skip() && w.End()
		if walked && !json.Valid(b) {
			t.Fatalf("took %q, which encoding/json refuses", b)
		}
		if !walked && json.Valid(b) && len(b) <= MaxDepth {
			t.Fatalf("refused %q, which encoding/json takes", b)
		}
	})
}
