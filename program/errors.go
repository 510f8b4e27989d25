package program

import (
	"github.com/pactum/pactum"
)

// NotFound is the answer for a missing resource and for one the caller may not see: the same
// message for both, so that the answer does not tell them apart.
func NotFound(kind string, id any) error {
	return pactum.Errorf(pactum.ENOTFOUND, "%s %v not found", kind, id)
}

// Denied is the answer for an action the caller's role may never take.
func Denied(format string, args ...any) error {
	return pactum.Errorf(pactum.EFORBIDDEN, format, args...)
}

// orNotFound turns a store's not-found error into NotFound(kind, id), so that its message is
// the one an out-of-scope resource gets.
func orNotFound(err error, kind string, id any) error {
	if isNotFound(err) {
		return NotFound(kind, id)
	}
	return err
}

func isNotFound(err error) bool {
	return pactum.ErrorCode(err) == pactum.ENOTFOUND
}
