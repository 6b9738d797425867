// Package egov holds what every module shares: the error type that carries a
// code and a translatable message key. Domain packages return *Error; the web
// and API layers map its Code to an HTTP status and translate its Key.
package egov

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes. Interfaces map them to HTTP statuses; only EINTERNAL is logged
// as an error, and its details never reach the user.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ETOOLARGE     = "too_large"
	ETOOMANY      = "too_many_requests"
	EINTERNAL     = "internal"
	// EMETHOD is for a request with a method the route does not take; only
	// the routers produce it.
	EMETHOD = "method_not_allowed"
)

// HTTPStatus is the HTTP status of an error code, the same for the web
// pages and the API; unknown codes are internal errors.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return http.StatusBadRequest
	case EUNAUTHORIZED:
		return http.StatusUnauthorized
	case EFORBIDDEN:
		return http.StatusForbidden
	case ENOTFOUND:
		return http.StatusNotFound
	case EMETHOD:
		return http.StatusMethodNotAllowed
	case ECONFLICT:
		return http.StatusConflict
	case ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Error is a domain error: a code for the machine, a message key for the
// translation catalogue, its arguments, and optionally the form field it
// concerns.
type Error struct {
	Code  string
	Key   string
	Args  []any
	Field string
}

func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Key)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args)
}

// Msg is an error argument that is itself a message key: the translation
// catalogue translates it before formatting the message, so that a
// message can name a status or an action in the reader's language.
type Msg string

// Errorf returns an *Error with the given code, message key and arguments.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// FieldError returns an EINVALID error about one input field.
func FieldError(field, key string, args ...any) *Error {
	return &Error{Code: EINVALID, Key: key, Args: args, Field: field}
}

// RowError is a problem with one line of an imported file.
type RowError struct {
	Line int // 0 when the problem is the file's, not a line's
	Msg  string
}

// RowErrors lists every bad line of an imported file. An import that
// returns it applied nothing.
type RowErrors []RowError

func (es RowErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		if e.Line > 0 {
			fmt.Fprintf(&b, "line %d: %s", e.Line, e.Msg)
		} else {
			b.WriteString(e.Msg)
		}
	}
	return b.String()
}

// ErrorCode returns the code of err: the code of an *Error in its chain, or
// EINTERNAL for anything else (and "" for nil).
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorKey returns the message key of err, or "error.internal" when err is
// not an *Error.
func ErrorKey(err error) (string, []any) {
	var e *Error
	if errors.As(err, &e) {
		return e.Key, e.Args
	}
	return "error.internal", nil
}
