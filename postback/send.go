package postback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/outbound"
)

// AnswerBytes is how much of a receiver's answer the delivery log keeps (SPEC: the first 1 KB).
const AnswerBytes = 1024

// drainBytes is how much more of an answer is read and dropped so that the connection can be
// used again; a longer answer closes it instead.
const drainBytes = 64 << 10

// UserAgent names Pactum to receivers.
const UserAgent = "Pactum-Postback/1"

// Sender sends one attempt of a delivery through the address guard.
type Sender struct {
	Client *outbound.Client
	Now    func() time.Time
}

// Result is one attempt: what the log records, and whether a retry could change it.
type Result struct {
	Attempt pactum.PostbackAttempt
	// Delivered: the receiver answered 2xx.
	Delivered bool
	// Retry: a timeout, a connection error, 429 or 5xx, which a later attempt may get past.
	// Neither Delivered nor Retry: an answer a retry would get again (another 4xx, a 3xx,
	// which is not followed) or an address the guard refuses.
	Retry bool
}

// Send makes one attempt of d to postback p (whose secrets sign it). It never returns an error:
// what went wrong is the attempt's, for the log; only a ctx that ended is the caller's, and
// Send then returns ctx's error with no result.
func (s *Sender) Send(ctx context.Context, p pactum.Postback, d pactum.PostbackDelivery) (Result, error) {
	now := s.Now()
	res := Result{Attempt: pactum.PostbackAttempt{DeliveryID: d.ID, PostbackID: d.PostbackID, Time: now, URL: MaskURL(d.URL)}}
	var body io.Reader
	payload := d.URL
	if d.Method == http.MethodPost {
		body, payload = strings.NewReader(d.Body), d.Body
	}
	req, err := http.NewRequestWithContext(ctx, d.Method, d.URL, body)
	if err != nil {
		res.Attempt.Error = "the URL cannot be sent: " + err.Error()
		return res, nil
	}
	h := req.Header
	h.Set("User-Agent", UserAgent)
	h.Set("Idempotency-Key", d.IdempotencyKey)
	h.Set("Pactum-Event", d.Event)
	h.Set("Pactum-Delivery", strconv.FormatInt(d.ID, 10))
	h.Set(SignatureHeader, Signature(now, payload, Secrets(p, now)...))
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := s.Client.Do(req)
	res.Attempt.Latency = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		res.Attempt.Error = describe(err)
		res.Retry = !outbound.IsRefused(err)
		return res, nil
	}
	defer resp.Body.Close()
	res.Attempt.StatusCode = resp.StatusCode
	res.Attempt.Answer = readAnswer(resp.Body)
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		res.Delivered = true
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		res.Attempt.Error = "HTTP " + strconv.Itoa(code)
		res.Retry = true
	case code >= 300 && code < 400:
		res.Attempt.Error = fmt.Sprintf("HTTP %d: redirects are not followed; give the final URL", code)
	default:
		res.Attempt.Error = fmt.Sprintf("HTTP %d: the receiver refused the postback", code)
	}
	return res, nil
}

// readAnswer reads the first AnswerBytes of an answer as text the log can keep (valid UTF-8,
// no NUL, which PostgreSQL's text cannot hold), and drains a little more so that the
// connection can serve the next delivery.
func readAnswer(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, AnswerBytes))
	io.Copy(io.Discard, io.LimitReader(r, drainBytes)) //nolint:errcheck // only to reuse the connection
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// describe says why no answer came, without Go's wrapping ("Get \"...\": ") that would repeat
// the URL, secrets included.
func describe(err error) string {
	var refused *outbound.RefusedError
	switch {
	case errors.As(err, &refused):
		return "refused: " + refused.Error()
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timed out: no answer in time"
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return "no answer: " + inner.Error()
		}
	}
	return "no answer: " + err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
