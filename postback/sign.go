package postback

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// SignatureHeader is the header that carries a delivery's signature.
const SignatureHeader = "Pactum-Signature"

// Signature returns the Pactum-Signature of payload (a POST's body, a GET's URL) sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">", with one v1 for each secret, the
// current one first. A receiver accepts the delivery when any v1 matches its secret; during a
// rotation it gets both, so either secret verifies.
func Signature(t time.Time, payload string, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(ts)
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(sign(s, ts, payload))
	}
	return b.String()
}

func sign(secret, ts, payload string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write([]byte(payload))
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a Pactum-Signature header against payload and secret, as a receiver does:
// a v1 that matches, made within tolerance of now (so that a captured delivery cannot be
// replayed later). It is what docs/postbacks.md shows in a few lines, and what the tests use.
func Verify(header, payload, secret string, now time.Time, tolerance time.Duration) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := sign(secret, ts, payload)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

// Secrets returns the secrets that sign p's deliveries at now: its secret, and its previous
// one while a rotation keeps it valid.
func Secrets(p pactum.Postback, now time.Time) []string {
	if p.PreviousSecret != "" && now.Before(p.PreviousUntil) {
		return []string{p.Secret, p.PreviousSecret}
	}
	return []string{p.Secret}
}
