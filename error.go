// Package egov holds what every module shares: the error type that carries a
// code and a translatable message key. Domain packages return *Error; the web
// and API layers map its Code to an HTTP status and translate its Key.
package egov

import (
	"errors"
	"fmt"
	"net/http"
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
