package notify

import (
	"regexp"

	"egov/internal/identity"
)

// Recipients are personal data: lists show them masked, and an error that
// quotes one (an SMTP server refusing "<lan@example.vn>") is stored masked.

// MaskRecipient masks a recipient of channel (Email or SMS).
func MaskRecipient(channel, s string) string {
	if channel == SMS {
		return identity.MaskPhone(s)
	}
	return identity.MaskEmail(s)
}

var (
	emailInText = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+`)
	phoneInText = regexp.MustCompile(`\+?\b(?:84|0)\d{8,10}\b`)
)

// maskText masks the e-mail addresses and phone numbers in s.
func maskText(s string) string {
	s = emailInText.ReplaceAllStringFunc(s, identity.MaskEmail)
	return phoneInText.ReplaceAllStringFunc(s, identity.MaskPhone)
}

// maskedError is err with the addresses and phone numbers in its text
// masked; it unwraps to err, so a permanent error stays permanent.
type maskedError struct{ err error }

func (e maskedError) Error() string { return maskText(e.err.Error()) }
func (e maskedError) Unwrap() error { return e.err }
