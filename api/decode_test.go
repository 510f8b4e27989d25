package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pactum/pactum"
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
		{`{"Name":"ok","zzz":1}`, "zzz"},
		{`{"events":[{"name":"a"},{"name":{},"name":"b"}]}`, "events[1].name"},
		{`{"name":{},"NAME":"b"}`, "name"},
		{`{"name":"x"} [`, ""},
		{`{"name":`, ""},
		{`"text"`, ""},
	} {
		var in offerInput
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		err := decode(r, &in)
		if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tc.field {
			t.Errorf("%s: %v, want invalid_argument on %q", tc.body, err, tc.field)
		}
	}
}
