// Package vntext handles Vietnamese text: NFC normalisation, folding for
// search without accents, Vietnamese collation for sorting, and text made
// safe for a spreadsheet's cell.
package vntext

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normalisation form C, the form stored everywhere.
func NFC(s string) string { return norm.NFC.String(s) }

// Fold returns s lower-cased, without diacritics and with đ written d, and
// with runs of spaces collapsed, so that "dang ky khai sinh" matches
// "Đăng ký khai sinh".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Unaccent returns s without diacritics, with đ and Đ written d and D and
// the few typographic signs Vietnamese text uses written in ASCII, keeping
// the case: what fits the GSM alphabet of an SMS ("Đã tiếp nhận" becomes
// "Da tiep nhan").
func Unaccent(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		case r == '–' || r == '—':
			r = '-'
		case r == '“' || r == '”':
			r = '"'
		case r == '‘' || r == '’':
			r = '\''
		case r == '…':
			b.WriteString("...")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var collatorPool = sync.Pool{New: func() any { return collate.New(language.Vietnamese) }}

// Compare compares two strings in Vietnamese alphabetical order
// (a ă â b c d đ e ê ...), returning -1, 0 or 1.
func Compare(a, b string) int {
	c := collatorPool.Get().(*collate.Collator)
	defer collatorPool.Put(c)
	return c.CompareString(a, b)
}

// CellSafe keeps a spreadsheet from reading text exported in a CSV cell as
// a formula: text that starts with = + - @ or a tab or carriage return
// gets a leading apostrophe. Numbers are written as numbers, not through
// it (a negative number starts with -).
func CellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
