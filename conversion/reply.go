package conversion

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pactum/pactum"
)

// reply is a result on its way from the process that applied a conversion to the process whose
// request waits for it. JSON: results cross processes only in a deployment over NATS, where a
// few microseconds per conversion are nothing beside the network, and JSON stays readable when
// an operator watches the subject.
type reply struct {
	Request uint64                   `json:"request"`
	Result  *pactum.ConversionResult `json:"result,omitempty"`
	Error   *pactum.Error            `json:"error,omitempty"`
}

func encodeReply(id uint64, o outcome) ([]byte, error) {
	r := reply{Request: id}
	if o.err != nil {
		r.Error = &pactum.Error{Code: pactum.ErrorCode(o.err), Message: pactum.ErrorMessage(o.err), Field: pactum.ErrorField(o.err)}
	} else {
		r.Result = &o.res
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode conversion result: %w", err)
	}
	return b, nil
}

func decodeReply(data []byte) (uint64, outcome, error) {
	var r reply
	if err := json.Unmarshal(data, &r); err != nil {
		return 0, outcome{}, fmt.Errorf("decode conversion result: %w", err)
	}
	switch {
	case r.Error != nil:
		return r.Request, outcome{err: r.Error}, nil
	case r.Result != nil:
		return r.Request, outcome{res: *r.Result}, nil
	}
	return 0, outcome{}, errors.New("decode conversion result: neither a result nor an error")
}
