package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
)

// form is a form as sent (or as loaded for editing) with the errors to show next to its fields.
// Errors are keyed by input name; Problem is an error that names no field shown.
type form struct {
	Values  url.Values
	Errors  map[string]string
	Problem string
	Status  int // the status to answer with: 200, or the error's
}

func newForm(values url.Values) *form {
	if values == nil {
		values = url.Values{}
	}
	return &form{Values: values, Errors: map[string]string{}, Status: http.StatusOK}
}

// Get is the value sent for name.
func (f *form) Get(name string) string { return f.Values.Get(name) }

// Err is the error to show at input name, or "".
func (f *form) Err(name string) string { return f.Errors[name] }

// Checked tells whether a checkbox or radio button name was sent with value.
func (f *form) Checked(name, value string) bool {
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// HasErrors tells whether the form has anything to fix.
func (f *form) HasErrors() bool { return len(f.Errors) > 0 || f.Problem != "" }

// fail takes a user's error from the program (invalid input, a conflict, stored data that does
// not allow it) into the form: at the input its field names, as input maps it (nil: the field's
// own name), or as the form's problem. Any other error is returned for the error page.
func (f *form) fail(err error, input func(field string) string) error {
	switch pactum.ErrorCode(err) {
	case pactum.EINVALID, pactum.ECONFLICT, pactum.EPRECONDITION:
	default:
		return err
	}
	f.Status = answer.Status(pactum.ErrorCode(err))
	msg, field := pactum.ErrorMessage(err), pactum.ErrorField(err)
	name := field
	if input != nil && field != "" {
		name = input(field)
	}
	// An input the page does not show still has its message in the form's summary (partial
	// "problem"), which lists every error.
	if name == "" {
		if field != "" {
			msg = field + " " + msg
		}
		f.Problem = msg
		return nil
	}
	f.Errors[name] = msg
	return nil
}

// has tells whether the form shows an input name (it was sent, even empty).
func (f *form) has(name string) bool {
	_, ok := f.Values[name]
	return ok
}

// readForm parses a POST's form; a body over the limit or malformed is the user's to fix.
func readForm(r *http.Request) (*form, error) {
	if err := r.ParseForm(); err != nil {
		return nil, pactum.FieldError("", "the form could not be read: send it again from the page")
	}
	return newForm(r.PostForm), nil
}

// postedID reads the {id} of a POST's path and its form.
func postedID(r *http.Request) (int64, *form, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	f, err := readForm(r)
	return id, f, err
}

// optional returns a pointer to the value of name, or nil when it was not sent.
func (f *form) optional(name string) *string {
	if !f.has(name) {
		return nil
	}
	v := strings.TrimSpace(f.Get(name))
	return &v
}

// number reads name as a whole number: "" is nil; anything else that is not one is a field error.
func (f *form) number(name string) (*int, error) {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, pactum.FieldError(name, "must be a whole number such as 30, not %q", v)
	}
	return &n, nil
}

// id reads name as an optional id: "" is 0.
func (f *form) id(name string) (int64, error) {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, pactum.FieldError(name, "must be an id such as 12, not %q", v)
	}
	return n, nil
}
