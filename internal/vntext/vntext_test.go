package vntext

import (
	"sort"
	"testing"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Đăng ký khai sinh":    "dang ky khai sinh",
		"Xã An Thạnh  1":       "xa an thanh 1",
		"  Phường Sóc Trăng ":  "phuong soc trang",
		"Thị trấn Cù Lao Dung": "thi tran cu lao dung",
		// Decomposed input folds the same as composed input.
		"Xa\u0303 Ho\u0300a Tu\u0301": "xa hoa tu",
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareVietnameseOrder(t *testing.T) {
	names := []string{"Đại Ngãi", "Ân", "An", "Dung", "Ba", "Ăn"}
	sort.Slice(names, func(i, j int) bool { return Compare(names[i], names[j]) < 0 })
	want := []string{"An", "Ăn", "Ân", "Ba", "Dung", "Đại Ngãi"}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("sorted %v, want %v", names, want)
		}
	}
}

func TestUnaccent(t *testing.T) {
	for in, want := range map[string]string{
		"Đăng ký khai sinh – Phường Ngã Năm…": "Dang ky khai sinh - Phuong Nga Nam...",
		"ĐÃ TIẾP NHẬN hồ sơ “mới”":            "DA TIEP NHAN ho so \"moi\"",
		"Thủy, Thuỷ, ỗ, ự":                    "Thuy, Thuy, o, u",
	} {
		if got := Unaccent(in); got != want {
			t.Errorf("Unaccent(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCellSafe(t *testing.T) {
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "Xã An Thạnh": "Xã An Thạnh", "": ""} {
		if got := CellSafe(in); got != want {
			t.Errorf("CellSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
