package identity

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"egov"
)

// cccdProvinces are the 3-digit codes of the place of birth registration in a
// citizen ID: "0" followed by the GSO code of one of the 63 provinces that
// existed when the numbering was set (Circular 07/2016/TT-BCA, kept by
// Circular 59/2021/TT-BCA).
const cccdProvinces = "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 " +
	"034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 " +
	"075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"

var provinceCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(cccdProvinces) {
		m[c] = true
	}
	return m
}()

// CitizenID is what the structure of a 12-digit citizen ID (căn cước công
// dân) tells.
type CitizenID struct {
	Number       string
	ProvinceCode string // 3 digits
	Female       bool
	BirthYear    int
}

// ParseCitizenID checks the structure of a 12-digit citizen ID: the province
// code, the century-and-sex digit (0/1 for the 20th century male/female, 2/3
// for the 21st, and so on) and a birth year that is not in the future.
func ParseCitizenID(s string, now time.Time) (CitizenID, error) {
	s = strings.TrimSpace(s)
	if len(s) != 12 {
		return CitizenID{}, egov.FieldError("citizen_id", "cccd.length")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return CitizenID{}, egov.FieldError("citizen_id", "cccd.digits")
		}
	}
	if !provinceCodes[s[:3]] {
		return CitizenID{}, egov.FieldError("citizen_id", "cccd.province", s[:3])
	}
	cs := int(s[3] - '0')
	yy, _ := strconv.Atoi(s[4:6])
	year := 1900 + (cs/2)*100 + yy
	if year > now.Year() {
		return CitizenID{}, egov.FieldError("citizen_id", "cccd.year", year)
	}
	return CitizenID{Number: s, ProvinceCode: s[:3], Female: cs%2 == 1, BirthYear: year}, nil
}

// Personal data in lists, API answers and stored errors is shown masked by
// these functions, everywhere the same way.

// MaskCitizenID shows the first three and last two digits only.
func MaskCitizenID(s string) string {
	if len(s) < 6 {
		return strings.Repeat("•", len(s))
	}
	return s[:3] + strings.Repeat("•", len(s)-5) + s[len(s)-2:]
}

// MaskPhone shows the last three digits of a phone number.
func MaskPhone(s string) string {
	if len(s) <= 3 {
		return strings.Repeat("•", len(s))
	}
	return strings.Repeat("•", len(s)-3) + s[len(s)-3:]
}

// MaskEmail keeps the first character of the mailbox and the domain.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return strings.Repeat("•", len([]rune(s)))
	}
	return string([]rune(s)[0]) + "•••" + s[at:]
}

var (
	emailInText = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+`)
	phoneInText = regexp.MustCompile(`\+?\b(?:84|0)\d{8,10}\b`)
)

// MaskContactsIn masks the e-mail addresses and phone numbers in a text
// that may quote them, such as a mail server's error ("550 <lan@example.vn>
// unknown"), before it is stored or logged.
func MaskContactsIn(s string) string {
	s = emailInText.ReplaceAllStringFunc(s, MaskEmail)
	return phoneInText.ReplaceAllStringFunc(s, MaskPhone)
}
