package api

import (
	"net/http"
	"strings"
	"testing"

	"egov/internal/vntext"
)

func TestUnits(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		// Sóc Trăng before the 2025 reorganisation: province 94 with 11
		// district-level units.
		roots := fx.ok("/api/v1/units?at=2024-01-01")
		if got := field(list(roots, "units"), "code"); got != "94" {
			t.Errorf("roots on 2024-01-01: %s", got)
		}
		districts := list(fx.ok("/api/v1/units?at=2024-01-01&parent=94"), "units")
		if len(districts) != 11 {
			t.Errorf("units under 94 on 2024-01-01: %d", len(districts))
		}
		for _, d := range districts {
			if d["level"] != 2.0 || d["parent_code"] != "94" || d["valid_to"] != "2025-07-01" {
				t.Errorf("district %v", d)
			}
		}
		if n := len(list(fx.ok("/api/v1/units?at=2024-01-01&level=3"), "units")); n != 109 {
			t.Errorf("communes on 2024-01-01: %d", n)
		}

		// Thành phố Cần Thơ after it: 92 with the communes directly under it.
		if got := field(list(fx.ok("/api/v1/units?at=2025-07-02"), "units"), "code"); got != "92" {
			t.Errorf("roots on 2025-07-02: %s", got)
		}
		communes := list(fx.ok("/api/v1/units?at=2025-07-02&parent=92"), "units")
		if len(communes) != 43 {
			t.Errorf("units under 92 on 2025-07-02: %d", len(communes))
		}
		for _, c := range communes {
			if c["level"] != 3.0 || c["parent_code"] != "92" {
				t.Errorf("commune %v", c)
			}
		}

		// at defaults to today (the fixture's clock).
		today := fx.ok("/api/v1/units")
		if today["at"] != "2026-03-02" || field(list(today, "units"), "code") != "92" {
			t.Errorf("default at: %v %s", today["at"], field(list(today, "units"), "code"))
		}

		// A limit truncates, and says so.
		limited := fx.ok("/api/v1/units?at=2024-01-01&level=3&limit=5")
		if n := len(list(limited, "units")); n != 5 || limited["truncated"] != true {
			t.Errorf("limit 5: %d units, truncated %v", n, limited["truncated"])
		}
		if districts := fx.ok("/api/v1/units?at=2024-01-01&parent=94"); districts["truncated"] != false {
			t.Errorf("11 districts truncated")
		}

		// An unknown parent is a 404 about the parameter.
		r := fx.get("/api/v1/units?at=2025-07-02&parent=945")
		if code, f, _ := errorOf(r); r.Status != http.StatusNotFound || code != "not_found" || f != "parent" {
			t.Errorf("parent 945 on 2025-07-02: %d %s", r.Status, r.Body)
		}
	})
}

func TestUnitSearchWithoutAccents(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		for _, q := range []string{"an+thanh", "AN%20TH%E1%BA%A0NH", "%20an%20%20thanh"} {
			found := list(fx.ok("/api/v1/units?at=2025-07-02&q="+q), "units")
			if len(found) == 0 {
				t.Fatalf("q=%s found nothing", q)
			}
			hasAnThanh := false
			for _, u := range found {
				if !strings.Contains(vntext.Fold(u["name"].(string)), "an thanh") {
					t.Errorf("q=%s found %s", q, u["name"])
				}
				hasAnThanh = hasAnThanh || u["code"] == "31615" && u["name"] == "Xã An Thạnh"
			}
			if !hasAnThanh {
				t.Errorf("q=%s did not find 31615 Xã An Thạnh: %s", q, field(found, "name"))
			}
		}
		// With a parent, a search covers its whole subtree: communes two
		// levels under province 94 (An Thạnh 1, 2, 3 ... in huyện Cù Lao Dung),
		// and only those.
		found := list(fx.ok("/api/v1/units?at=2024-01-01&parent=94&q=an+thanh"), "units")
		if !strings.Contains(field(found, "name"), "Xã An Thạnh 1") {
			t.Errorf("search under 94: %s", field(found, "name"))
		}
		for _, u := range found {
			if p, _ := u["parent_code"].(string); u["level"] != 3.0 || len(p) != 3 || p < "941" || p > "951" {
				t.Errorf("search under 94 found %s under %v", u["name"], u["parent_code"])
			}
		}
		// Under a district, only its communes.
		for _, u := range list(fx.ok("/api/v1/units?at=2024-01-01&parent=945&q=an+thanh"), "units") {
			if u["parent_code"] != "945" {
				t.Errorf("search under 945 found %s under %v", u["name"], u["parent_code"])
			}
		}
		if got := list(fx.ok("/api/v1/units?at=2024-01-01&q=no+such+place"), "units"); len(got) != 0 {
			t.Errorf("nonsense found %s", field(got, "name"))
		}
	})
}

func TestUnitDetail(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		// One code, two units: 31615 before and after 1 July 2025.
		old := fx.ok("/api/v1/units/31615?at=2024-01-01")
		if old["name"] != "Thị trấn Cù Lao Dung" || old["parent_code"] != "945" || old["valid_to"] != "2025-07-01" {
			t.Errorf("31615 on 2024-01-01: %v", old)
		}
		if got := field(list(old, "ancestors"), "code"); got != "945 94" {
			t.Errorf("ancestors on 2024-01-01: %s", got)
		}
		if n := len(list(old, "children")); n != 0 {
			t.Errorf("a commune with %d children", n)
		}
		succ := list(old, "successors")
		if len(succ) != 1 || succ[0]["code"] != "31615" || succ[0]["name"] != "Xã An Thạnh" || succ[0]["effective"] != "2025-07-01" {
			t.Errorf("successors of the old 31615: %v", succ)
		}

		now := fx.ok("/api/v1/units/31615?at=2025-07-02")
		if now["name"] != "Xã An Thạnh" || now["parent_code"] != "92" || now["valid_to"] != nil || now["valid_from"] != "2025-07-01" {
			t.Errorf("31615 on 2025-07-02: %v", now)
		}
		if got := field(list(now, "ancestors"), "code"); got != "92" {
			t.Errorf("ancestors on 2025-07-02: %s", got)
		}
		if got := field(list(now, "predecessors"), "code"); got != "31615 31618 31621 31624" {
			t.Errorf("predecessors: %s", got)
		}
		if n := len(list(now, "successors")); n != 0 {
			t.Errorf("a current unit with %d successors", n)
		}
		// Today is the default.
		if def := fx.ok("/api/v1/units/31615"); def["name"] != "Xã An Thạnh" {
			t.Errorf("31615 today: %v", def["name"])
		}

		if n := len(list(fx.ok("/api/v1/units/94?at=2024-01-01"), "children")); n != 11 {
			t.Errorf("children of 94: %d", n)
		}

		// The district 945 no longer exists after the reorganisation.
		r := fx.get("/api/v1/units/945?at=2025-07-02&lang=en")
		if _, _, msg := errorOf(r); r.Status != http.StatusNotFound || msg != "No unit has code 945 on 2025-07-02." {
			t.Errorf("945 on 2025-07-02: %d %s", r.Status, r.Body)
		}
		r = fx.get("/api/v1/units/945?at=2025-07-02")
		if _, _, msg := errorOf(r); msg != "Không có đơn vị mã 945 vào ngày 2025-07-02." {
			t.Errorf("Vietnamese by default: %s", msg)
		}
	})
}

func TestUnitSuccessors(t *testing.T) {
	engines(t, func(t *testing.T, fx *fixture) {
		s := fx.ok("/api/v1/units/31618/successors?from=2025-06-30&at=2025-07-01")
		unit := s["unit"].(map[string]any)
		succ := list(s, "successors")
		if unit["name"] != "Xã An Thạnh 1" || len(succ) != 1 || succ[0]["code"] != "31615" || succ[0]["name"] != "Xã An Thạnh" {
			t.Errorf("31618 → %v", s)
		}
		// While the unit exists it is its own successor.
		if got := field(list(fx.ok("/api/v1/units/31618/successors?from=2025-06-30&at=2025-06-30"), "successors"), "name"); got != "Xã An Thạnh 1" {
			t.Errorf("31618 on its own last day → %s", got)
		}
		// Without from, the newest unit that had the code; at defaults to today.
		s = fx.ok("/api/v1/units/31618/successors")
		if s["at"] != "2026-03-02" || field(list(s, "successors"), "code") != "31615" {
			t.Errorf("31618 today → %v", s)
		}
		// Two mergers: old Phường 1 (31513) is Phường Phú Lợi (31510) today.
		if got := field(list(fx.ok("/api/v1/units/31513/successors?from=2024-01-01"), "successors"), "name"); got != "Phường Phú Lợi" {
			t.Errorf("31513 → %s", got)
		}
		// A district was abolished without successor.
		if got := list(fx.ok("/api/v1/units/945/successors?from=2025-01-01&at=2025-07-01"), "successors"); len(got) != 0 {
			t.Errorf("945 → %v", got)
		}
		for _, c := range []struct {
			target string
			status int
			field  string
		}{
			{"/api/v1/units/31618/successors?from=2025-07-01", http.StatusNotFound, ""},
			{"/api/v1/units/99999/successors", http.StatusNotFound, ""},
			{"/api/v1/units/31618/successors?from=2025-06-31", http.StatusBadRequest, "from"},
			{"/api/v1/units/x/successors", http.StatusBadRequest, "code"},
		} {
			r := fx.get(c.target)
			if _, f, _ := errorOf(r); r.Status != c.status || f != c.field {
				t.Errorf("%s: %d %s", c.target, r.Status, r.Body)
			}
		}
	})
}
