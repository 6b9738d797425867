package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"egov"
	"egov/internal/i18n"
)

// errorBody is the one shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// fail renders err. An internal error (any error that is not an
// *egov.Error) is logged, and the client gets the generic message only.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := egov.ErrorCode(err)
	status := egov.HTTPStatus(code)
	key, args := egov.ErrorKey(err)
	var field string
	var e *egov.Error
	if errors.As(err, &e) {
		field = e.Field
	}
	if status == http.StatusInternalServerError {
		h.app.Log.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		status, code, key, args, field = http.StatusInternalServerError, egov.EINTERNAL, "error.internal", nil, ""
	}
	writeError(w, r, status, code, key, args, field)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, key string, args []any, field string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="egov"`)
	}
	writeJSON(w, status, errorBody{errorDetail{Code: code, Message: i18n.T(lang(r), key, args...), Field: field}})
}

// writeJSON renders v. The values rendered are the package's own types, so
// a marshalling failure is a programming error; it still gets a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// maxBody bounds a JSON request body.
const maxBody = 64 << 10

// decodeJSON reads one JSON object from the body into v: at most maxBody
// bytes, no field v does not have, nothing after the object.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSONMax(w, r, v, maxBody)
}

// decodeJSONMax is decodeJSON for a body of at most max bytes.
func decodeJSONMax(w http.ResponseWriter, r *http.Request, v any, max int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooLarge(err) {
			return egov.Errorf(egov.ETOOLARGE, "error.body_too_large", max)
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if tooLarge(err) {
			return egov.Errorf(egov.ETOOLARGE, "error.body_too_large", max)
		}
		return egov.Errorf(egov.EINVALID, "error.json_trailing")
	}
	return nil
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// jsonError turns a decoding error into a message that says what is wrong
// without the decoder's Go vocabulary.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case tooLarge(err):
		return egov.Errorf(egov.ETOOLARGE, "error.body_too_large", maxBody)
	case errors.Is(err, io.EOF):
		return egov.Errorf(egov.EINVALID, "error.json_empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return egov.Errorf(egov.EINVALID, "error.json_truncated")
	case errors.As(err, &syntax):
		return egov.Errorf(egov.EINVALID, "error.json_syntax", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return egov.Errorf(egov.EINVALID, "error.json_not_object")
		}
		return egov.FieldError(typ.Field, "error.json_type", typ.Field, jsonType(typ.Type))
	}
	// encoding/json reports an unknown field only in its message.
	if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, uerr := strconv.Unquote(rest)
		if uerr != nil {
			name = rest
		}
		return egov.FieldError(clip(name), "error.json_unknown_field", clip(name))
	}
	return egov.Errorf(egov.EINVALID, "error.bad_json", clip(err.Error()))
}

// jsonType names the JSON type a Go type is decoded from.
func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
