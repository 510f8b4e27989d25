// Package pactum holds the domain of a partner-program platform: the types that every other
// package meets in (offers, partners, links, clicks), the storage interfaces that the stores
// implement, and the one error type that the API translates into HTTP statuses.
//
// It imports no database and no HTTP: adapters translate at the edges.
package pactum

import (
	"errors"
	"fmt"
)

// Error codes. The API maps each to one HTTP status (api/errors.go).
const (
	EINVALID         = "invalid_argument"
	ENOTFOUND        = "not_found"
	ECONFLICT        = "conflict"
	EUNAUTHORIZED    = "unauthenticated"
	EFORBIDDEN       = "permission_denied"
	EUNAVAILABLE     = "unavailable"
	EINTERNAL        = "internal"
	ETOOMANYREQUESTS = "resource_exhausted"
	// EREJECTED: a conversion was stored but rejected (too fast after its click, outside the
	// attribution window...), with the reason in the answer.
	EREJECTED = "rejected"
	// EPRECONDITION: the request is well formed, but the stored data it works on does not allow
	// it (a SEPA file for a partner with no IBAN); the field names what to fix there.
	EPRECONDITION = "failed_precondition"
)

// ErrQueued is what reporting a conversion returns when the conversion is durable in the event
// log but no processor answered in time: it will be processed, and the intake answers 202.
var ErrQueued = errors.New("the conversion is recorded and waits to be processed")

// Error is an error a user can act on: a code, a message that says what is wrong, and the field
// it concerns (a JSON path such as "events[0].payout.rules[1].rate.percent") when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("pactum: %s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("pactum: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// PreconditionError returns a failed_precondition error about one field of the stored data.
func PreconditionError(field, format string, args ...any) *Error {
	return &Error{Code: EPRECONDITION, Field: field, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an invalid_argument error about one field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, else EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a generic message so
// that nothing about the system leaks to users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field an *Error names, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// WithFieldPrefix returns err with its field prefixed by prefix (e.g. "events[0].payout" + "." +
// "default.percent"); other errors are returned unchanged.
func WithFieldPrefix(err error, prefix string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	field := prefix
	switch {
	case e.Field == "":
	case e.Field[0] == '[':
		field = prefix + e.Field
	default:
		field = prefix + "." + e.Field
	}
	return &Error{Code: e.Code, Message: e.Message, Field: field}
}
