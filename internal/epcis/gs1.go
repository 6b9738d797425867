package epcis

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// The GS1 Barcode Syntax Dictionary (Apache-2.0, see gs1/LICENSE-…): the
// format of every Application Identifier and which of them are GS1 Digital
// Link primary keys with which qualifiers. It is read once at start-up, so
// that a new release of the dictionary is a file replacement, not code.
//
//go:embed gs1/gs1-syntax-dictionary.txt
var syntaxDictionary string

// aiComponent is one part of an AI's value: N (digits), X (GS1 charset 82),
// Y (charset 39), Z (base64url), with a fixed or maximum length.
type aiComponent struct {
	kind     byte
	min, max int
	optional bool
	csum     bool // the last digit is a GS1 mod-10 check digit
}

// aiSpec is the dictionary entry of one AI.
type aiSpec struct {
	ai         string
	components []aiComponent
	attribute  bool       // may be a Digital Link query attribute
	primary    bool       // a Digital Link primary key
	qualifiers [][]string // alternative ordered qualifier sequences
	title      string
}

var aiTable = parseDictionary(syntaxDictionary)

// parseDictionary reads the dictionary's entry lines:
// AI[-range] [flags] components… [attributes…] # title.
func parseDictionary(text string) map[string]*aiSpec {
	table := map[string]*aiSpec{}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		body, title, _ := strings.Cut(line, "#")
		f := strings.Fields(body)
		if len(f) == 0 {
			continue
		}
		spec := &aiSpec{title: strings.TrimSpace(title)}
		rest := f[1:]
		if len(rest) > 0 && strings.Trim(rest[0], "*?") == "" {
			spec.attribute = strings.Contains(rest[0], "?")
			rest = rest[1:]
		}
		for _, tok := range rest {
			if k, v, ok := strings.Cut(tok, "="); ok || tok == "dlpkey" {
				if k == "dlpkey" || tok == "dlpkey" {
					spec.primary = true
					if ok {
						for alt := range strings.SplitSeq(v, "|") {
							spec.qualifiers = append(spec.qualifiers, strings.Split(alt, ","))
						}
					}
				}
				continue
			}
			if c, ok := parseComponent(tok); ok {
				spec.components = append(spec.components, c)
			}
		}
		lo, hi, isRange := strings.Cut(f[0], "-")
		if !isRange {
			spec.ai = lo
			table[lo] = spec
			continue
		}
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		for n := a; n <= b; n++ {
			s := *spec
			s.ai = fmt.Sprintf("%0*d", len(lo), n)
			table[s.ai] = &s
		}
	}
	return table
}

// parseComponent reads "N14,csum", "X..20", "[N..12]".
func parseComponent(tok string) (aiComponent, bool) {
	var c aiComponent
	if strings.HasPrefix(tok, "[") && strings.HasSuffix(tok, "]") {
		c.optional = true
		tok = tok[1 : len(tok)-1]
	}
	parts := strings.Split(tok, ",")
	if len(parts[0]) < 2 || !strings.ContainsRune("NXYZ", rune(parts[0][0])) {
		return c, false
	}
	c.kind = parts[0][0]
	n := parts[0][1:]
	if m, ok := strings.CutPrefix(n, ".."); ok {
		c.min = 1
		c.max, _ = strconv.Atoi(m)
	} else {
		c.max, _ = strconv.Atoi(n)
		c.min = c.max
	}
	for _, l := range parts[1:] {
		if l == "csum" {
			c.csum = true
		}
	}
	return c, c.max > 0
}

// validate checks value against the AI's format: component kinds, lengths
// and check digits.
func (s *aiSpec) validate(value string) error {
	rest := value
	for i, c := range s.components {
		if rest == "" {
			if c.optional {
				return nil
			}
			return fmt.Errorf("AI (%s): value too short", s.ai)
		}
		n := min(c.max, len(rest))
		if i == len(s.components)-1 && len(rest) > c.max {
			return fmt.Errorf("AI (%s): value too long", s.ai)
		}
		part := rest[:n]
		if len(part) < c.min {
			return fmt.Errorf("AI (%s): value too short", s.ai)
		}
		if !inCharset(c.kind, part) {
			return fmt.Errorf("AI (%s): invalid character in %q", s.ai, part)
		}
		if c.csum && !CheckDigitOK(part) {
			return fmt.Errorf("AI (%s): wrong check digit in %s", s.ai, part)
		}
		rest = rest[n:]
	}
	if rest != "" {
		return fmt.Errorf("AI (%s): value too long", s.ai)
	}
	return nil
}

// charset82 is GS1 AI encodable character set 82.
const charset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// charset39 is GS1 AI encodable character set 39.
const charset39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func inCharset(kind byte, s string) bool {
	var set string
	switch kind {
	case 'N':
		set = "0123456789"
	case 'X':
		set = charset82
	case 'Y':
		set = charset39
	case 'Z':
		set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// CheckDigit computes the GS1 mod-10 check digit of the digits s (without
// the check digit): weights 3 and 1 alternate from the right.
func CheckDigit(s string) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// CheckDigitOK reports whether the last digit of s is its GS1 check digit.
func CheckDigitOK(s string) bool {
	if len(s) < 2 || !inCharset('N', s) {
		return false
	}
	return CheckDigit(s[:len(s)-1]) == s[len(s)-1]
}
