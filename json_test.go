package pactum

import (
	"testing"
	"time"
)

// TestJSONObject: members in the order written, commas between them, nil values and nil lists as
// null, empty lists as [], nested objects, strings escaped, times as encoding/json writes them.
func TestJSONObject(t *testing.T) {
	at := time.Date(2026, 12, 4, 15, 4, 5, 120000000, time.FixedZone("", 3600))
	var none *int64
	seven := int64(7)
	o := NewJSONObject([]byte("x"))
	o.Int("id", -3)
	o.Str("name", "a\"b<c>\n")
	o.Bool("ok", true)
	o.Time("at", at)
	o.Raw("raw", []byte(`{"a":[1]}`))
	o.Raw("none", nil)
	JSONNullable(&o, "partner", none, (*JSONObject).Int)
	JSONNullable(&o, "payout", &seven, (*JSONObject).Int)
	o.List("nil", true, 0, nil)
	o.List("empty", false, 0, nil)
	o.List("codes", false, 2, func(b []byte, i int) []byte { return AppendJSONString(b, []string{"x", "y"}[i]) })
	o.Objects("items", false, 2, func(e *JSONObject, i int) { e.Int("n", int64(i)) })
	o.Object("error", func(e *JSONObject) { e.Str("code", "invalid") })
	got := string(o.End())
	want := `x{"id":-3,"name":"a\"b\u003cc\u003e\u000a","ok":true,"at":"2026-12-04T15:04:05.12+01:00",` +
		`"raw":{"a":[1]},"none":null,"partner":null,"payout":7,"nil":null,"empty":[],"codes":["x","y"],` +
		`"items":[{"n":0},{"n":1}],"error":{"code":"invalid"}}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	empty := NewJSONObject(nil)
	if got := string(empty.End()); got != "{}" {
		t.Errorf("empty object: %s", got)
	}
}
