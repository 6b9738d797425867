// Package i18n is the translation catalogue. Vietnamese is the first
// language and the default; English the second. Every string the user sees
// comes from here, looked up by a key; domain errors carry such keys.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"egov"
)

// Languages, in the order the switch shows them.
const (
	VI = "vi"
	EN = "en"
)

// Languages lists the supported languages.
var Languages = []string{VI, EN}

//go:embed vi.json en.json
var files embed.FS

var catalogue = map[string]map[string]string{}

func init() {
	for _, lang := range Languages {
		b, err := files.ReadFile(lang + ".json")
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s.json: %v", lang, err))
		}
		catalogue[lang] = m
	}
}

// Has reports whether key is in the catalogue of lang.
func Has(lang, key string) bool {
	_, ok := catalogue[lang][key]
	return ok
}

// Keys returns the keys of lang's catalogue.
func Keys(lang string) []string {
	var ks []string
	for k := range catalogue[lang] {
		ks = append(ks, k)
	}
	return ks
}

// T translates key into lang, formatting args with the message's verbs. A
// missing key falls back to Vietnamese, then to the key itself, so a gap
// shows and a test can catch it.
func T(lang, key string, args ...any) string {
	msg, ok := catalogue[lang][key]
	if !ok {
		if msg, ok = catalogue[VI][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	for i, a := range args {
		if k, ok := a.(egov.Msg); ok {
			if i == 0 {
				args = append([]any(nil), args...) // never change the caller's slice
			}
			args[i] = T(lang, string(k))
		}
	}
	return fmt.Sprintf(msg, args...)
}

// Match picks the language for a request: an explicit choice when it is
// supported, else the first supported language in an Accept-Language
// header, else Vietnamese.
func Match(choice, acceptLanguage string) string {
	if choice == VI || choice == EN {
		return choice
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "vi") {
			return VI
		}
		if strings.HasPrefix(tag, "en") {
			return EN
		}
	}
	return VI
}

type langKey struct{}

// WithLang returns ctx carrying the language of the person making the
// request, so that the domain can remember it (e.g. for the notices a
// citizen will receive about a dossier they filed).
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// LangFrom returns the language WithLang put in ctx, or "".
func LangFrom(ctx context.Context) string {
	s, _ := ctx.Value(langKey{}).(string)
	return s
}
