package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// NewToken returns a new random token (32 bytes, URL-safe base64: it goes into cookies and
// links) and its SHA-256, which is all a store keeps: a copy of the database does not let
// anyone sign in or accept an invitation.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the SHA-256 of a token, as stores keep it. Tokens are 256 random bits, so a
// fast hash is enough: there is nothing to guess that a slow one would protect.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// FormToken is the token the web UI's forms carry for a session: an HMAC of a fixed label keyed
// with the session's token, which only the session's own cookie can reproduce. It backs up the
// cross-origin check (http.CrossOriginProtection) for browsers that send neither
// Sec-Fetch-Site nor Origin, and needs no storage.
func FormToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("pactum form token v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckFormToken reports, in constant time, whether given is the form token of sessionToken.
func CheckFormToken(sessionToken, given string) bool {
	if sessionToken == "" || given == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(FormToken(sessionToken)), []byte(given)) == 1
}
