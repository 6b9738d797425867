package notify

import (
	"regexp"
	"strings"
)

// Recipients are personal data: lists show them masked, and an error that
// quotes one (an SMTP server refusing "<lan@example.vn>") is stored masked.

// MaskEmail keeps the first character of the mailbox and the domain.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return strings.Repeat("•", len([]rune(s)))
	}
	return string([]rune(s)[0]) + "•••" + s[at:]
}

// MaskPhone keeps the last three digits.
func MaskPhone(s string) string {
	if len(s) <= 3 {
		return strings.Repeat("•", len(s))
	}
	return strings.Repeat("•", len(s)-3) + s[len(s)-3:]
}

// MaskRecipient masks a recipient of channel (Email or SMS).
func MaskRecipient(channel, s string) string {
	if channel == SMS {
		return MaskPhone(s)
	}
	return MaskEmail(s)
}

var (
	emailInText = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+`)
	phoneInText = regexp.MustCompile(`\+?\b(?:84|0)\d{8,10}\b`)
)

// maskText masks the e-mail addresses and phone numbers in s.
func maskText(s string) string {
	s = emailInText.ReplaceAllStringFunc(s, MaskEmail)
	return phoneInText.ReplaceAllStringFunc(s, MaskPhone)
}

// maskedError is err with the addresses and phone numbers in its text
// masked; it unwraps to err, so a permanent error stays permanent.
type maskedError struct{ err error }

func (e maskedError) Error() string { return maskText(e.err.Error()) }
func (e maskedError) Unwrap() error { return e.err }
