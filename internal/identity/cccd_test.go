package identity

import (
	"testing"

	"egov"
	"time"
)

func TestParseCitizenID(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	ok := []struct {
		id     string
		year   int
		female bool
	}{
		{"094085000123", 1985, false},
		{"001199012345", 1999, true},
		{"092205123456", 2005, false},
		{"096326123456", 2026, true},
	}
	for _, c := range ok {
		got, err := ParseCitizenID(c.id, now)
		if err != nil || got.BirthYear != c.year || got.Female != c.female {
			t.Errorf("%s: %+v %v", c.id, got, err)
		}
	}
	bad := map[string]string{
		"09408500012":  "cccd.length",
		"09408500012a": "cccd.digits",
		"003085000123": "cccd.province", // 003 is no province code
		"097085000123": "cccd.province",
		"094427000123": "cccd.year", // 2127
		"094327000123": "cccd.year", // 2027, after now
		"０９４０８５０００１２３": "cccd.length",
	}
	for id, key := range bad {
		_, err := ParseCitizenID(id, now)
		if got, _ := egov.ErrorKey(err); err == nil || got != key {
			t.Errorf("%s: %v, want %s", id, err, key)
		}
	}
	if m := MaskCitizenID("094085000123"); m != "094•••••••23" {
		t.Errorf("mask: %s", m)
	}
}

func FuzzParseCitizenID(f *testing.F) {
	f.Add("094085000123")
	f.Add("001199012345")
	f.Add("abc")
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCitizenID(s, now)
		if err != nil {
			return
		}
		if len(c.Number) != 12 || !provinceCodes[c.ProvinceCode] || c.BirthYear < 1900 || c.BirthYear > 2026 {
			t.Fatalf("accepted %q as %+v", s, c)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h := HashPassword("mật khẩu đúng")
	if !CheckPassword(h, "mật khẩu đúng") || CheckPassword(h, "mật khẩu sai") || CheckPassword("garbage", "x") {
		t.Fatal("argon2id check is wrong")
	}
	if HashPassword("a") == HashPassword("a") {
		t.Fatal("salts repeat")
	}
}

func TestMasks(t *testing.T) {
	for in, want := range map[string]string{"0912345678": "•••••••678", "+84912345678": "•••••••••678", "123": "•••", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"lan@example.vn": "l•••@example.vn", "đức@x.vn": "đ•••@x.vn", "@x": "••", "": ""} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
