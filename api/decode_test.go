package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

func TestDecodeNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		body, field string
	}{
		{`{"name":1}`, "name"},
		{`{"attribution_window_days":"7"}`, "attribution_window_days"},
		{`{"hold_days":99999999999999999999}`, "hold_days"},
		{`{"targeting":{"devices":"mobile"}}`, "targeting.devices"},
		{`{"targeting":{"countries":["DE",null,3]}}`, "targeting.countries[2]"},
		{`{"targeting":{"regions":[]}}`, "targeting.regions"},
		{`{"events":[{"name":"a"},{"name":false}]}`, "events[1].name"},
		{`{"events":{"name":"a"}}`, "events"},
		{`{"name":"ok","zzz":1}`, "zzz"},
		{`{"events":[{"name":"a"},{"name":{},"name":"b"}]}`, "events[1].name"},
		{`{"name":{},"NAME":"b"}`, "name"},
		{`{"NAME":"x"}`, "NAME"},
		{`{"events":[{"Name":"a"}]}`, "events[0].Name"},
		{`{"name":"x"} [`, ""},
		{`{"name":`, ""},
		{`"text"`, ""},
		// Refused rather than changed (issue 13): the last of two values would win, and
		// invalid UTF-8 would become U+FFFD.
		{`{"name":"a","name":"b"}`, "name"},
		{`{"events":[{"name":"a","allow_repeats":true,"allow_repeats":false}]}`, "events[0].allow_repeats"},
		{"{\"name\":\"\xff\xfe\xfdBAD\"}", "name"},
		{"{\"name\":\"\xc3\x28\"}", "name"},
		{`{"name":"\ud800"}`, "name"},
		{`{"name":"x\udc00y"}`, "name"},
		{`{"name":"\ud800\u0041"}`, "name"},
		{`{"targeting":{"countries":["D\ud800E"]}}`, "targeting.countries[0]"},
		{"{\"events\":[{\"name\":\"a\",\"payout\":{\"default\":{\"percent\":\"1\xff\"}}}]}", "events[0].payout.default.percent"},
	} {
		var in program.OfferInput
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		err := decode(r, &in)
		if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tc.field {
			t.Errorf("%s: %v, want invalid_argument on %q", tc.body, err, tc.field)
		}
	}
}

func TestDecodeKeepsValidText(t *testing.T) {
	for _, body := range []string{
		`{"name":"Müller \u00e9t\u00e9 \ud83d\ude00 \\ud800"}`, // a pair, and an escaped backslash
		`{"name":"plain"}`,
		`{"name":"😀 emoji"}`,
	} {
		var in program.OfferInput
		if err := decode(httptest.NewRequest("POST", "/", strings.NewReader(body)), &in); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}
