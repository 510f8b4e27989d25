// Package auth holds what signing people in needs, apart from HTTP: passwords hashed with
// argon2id, random tokens kept only as their SHA-256 (sessions, invitations), the throttle of
// failed logins, and the form token that backs up the web UI's cross-origin check. The web UI
// (package web) and the CLI (pactum users create) use it; it imports no store and no HTTP.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/pactum/pactum"
)

// Params are argon2id's cost parameters. They are written into every hash, so that they can be
// raised later: a hash made with older parameters still verifies, and Verify says it should be
// made again (at the next successful login).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are OWASP's first recommendation for argon2id (Password Storage Cheat Sheet):
// 19 MiB of memory, 2 passes, 1 degree of parallelism; a 16-byte salt and a 32-byte key. One
// hash takes some 30 ms of one core here, which a login can afford and a guesser cannot.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password length bounds: NIST SP 800-63B asks for at least 8 characters and for long ones to
// be allowed; 10 keeps the weakest out, 256 bounds the work one login can ask of the hash.
const (
	MinPassword = 10
	MaxPassword = 256
)

// CheckNewPassword says what is wrong with a password someone chose, naming field.
func CheckNewPassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return pactum.FieldError(field, "must be valid UTF-8 text")
	case n < MinPassword:
		return pactum.FieldError(field, "must be at least %d characters (a few words make a good one)", MinPassword)
	case n > MaxPassword:
		return pactum.FieldError(field, "must be at most %d characters", MaxPassword)
	}
	return nil
}

// Hasher hashes and verifies passwords with its Params; the zero value uses DefaultParams.
// Hashing is bounded to a few at a time (each holds Params.Memory), so that a burst of logins
// queues instead of taking the machine's memory.
type Hasher struct {
	Params Params
}

// slots bounds concurrent hashes across the process: 4 × 19 MiB at most.
var slots = make(chan struct{}, 4)

func (h Hasher) params() Params {
	if h.Params == (Params{}) {
		return DefaultParams
	}
	return h.Params
}

// Hash returns the encoded argon2id hash of pw in the PHC string format, with a new random salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key> (unpadded standard base64).
func (h Hasher) Hash(pw string) string {
	p := h.params()
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // crypto/rand.Read never fails
	key := derive(pw, salt, p)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

func derive(pw string, salt []byte, p Params) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// ErrMalformedHash is a stored hash that is not one Hash writes: a corrupt row, never a wrong
// password.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// Bounds on the parameters a stored hash may ask for, so that a corrupt row cannot make a login
// allocate gigabytes.
const (
	maxMemory = 1 << 20 // KiB: 1 GiB
	maxTime   = 100
	maxKeyLen = 1024
)

// Verify reports whether pw matches the encoded hash, in time that does not depend on where the
// two differ, and whether the hash should be made again with h's parameters (it was made with
// others).
func (h Hasher) Verify(encoded, pw string) (ok, rehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := derive(pw, salt, p)
	ok = subtle.ConstantTimeCompare(got, key) == 1
	want := h.params()
	rehash = p.Memory != want.Memory || p.Time != want.Time || p.Threads != want.Threads ||
		p.KeyLen != want.KeyLen || p.SaltLen != want.SaltLen
	return ok, rehash, nil
}

// decode reads a hash written by Hash.
func decode(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	if key, err = enc.DecodeString(parts[5]); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1 ||
		p.KeyLen < 16 || p.KeyLen > maxKeyLen || p.SaltLen < 8 {
		return p, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}

// dummies are hashes of nothing anyone types, one per parameters, made when first needed:
// VerifyNothing verifies one when a login names an email that has no account, so that the
// answer takes as long as for a wrong password and does not tell which emails have accounts.
var dummies sync.Map // Params -> string

// VerifyNothing spends the time of a Verify against a hash made with h's parameters.
func (h Hasher) VerifyNothing(pw string) {
	d, ok := dummies.Load(h.params())
	if !ok {
		d, _ = dummies.LoadOrStore(h.params(), h.Hash("\x00 no account has this password \x00"))
	}
	h.Verify(d.(string), pw) //nolint:errcheck // the outcome is not wanted, only the time
}
