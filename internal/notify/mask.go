package notify

import (
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

// maskedError is err with the addresses and phone numbers in its text
// masked; it unwraps to err, so a permanent error stays permanent.
type maskedError struct{ err error }

func (e maskedError) Error() string { return identity.MaskContactsIn(e.err.Error()) }
func (e maskedError) Unwrap() error { return e.err }
