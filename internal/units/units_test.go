package units_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"egov/internal/audit"
	"egov/internal/demo"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/units"
)

func day(s string) time.Time {
	d, err := units.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func demoGraph(t testing.TB, db *store.DB) (*units.Service, *units.Graph) {
	t.Helper()
	ctx := context.Background()
	svc := units.NewService(db)
	if err := demo.LoadUnits(ctx, svc); err != nil {
		t.Fatal(err)
	}
	g, err := svc.Graph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return svc, g
}

func codes(us []*units.Unit) string {
	var cs []string
	for _, u := range us {
		cs = append(cs, u.Code)
	}
	return strings.Join(cs, " ")
}

func TestDemoHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		_, g := demoGraph(t, db)

		count := func(d string, level int) int {
			return len(g.Find(units.Query{At: day(d), Level: level}))
		}
		// Sóc Trăng 2021: 1 province, 11 district-level units, 109 communes.
		for _, c := range []struct {
			day        string
			l1, l2, l3 int
			rootCode   string
		}{
			{"2021-06-01", 1, 11, 109, "94"},
			{"2024-08-31", 1, 11, 109, "94"},
			{"2024-09-01", 1, 11, 108, "94"}, // Phường 9 merged into Phường 1
			{"2025-06-30", 1, 11, 108, "94"},
			{"2025-07-01", 1, 0, 43, "92"}, // two tiers, Thành phố Cần Thơ
			{"2025-07-02", 1, 0, 43, "92"},
		} {
			if a, b, cc := count(c.day, 1), count(c.day, 2), count(c.day, 3); a != c.l1 || b != c.l2 || cc != c.l3 {
				t.Errorf("%s: %d/%d/%d units at levels 1/2/3, want %d/%d/%d", c.day, a, b, cc, c.l1, c.l2, c.l3)
			}
			if roots := g.Roots(day(c.day)); codes(roots) != c.rootCode {
				t.Errorf("%s: roots %s, want %s", c.day, codes(roots), c.rootCode)
			}
		}

		// One code, two units.
		if u := g.At("31615", day("2025-06-30")); u == nil || u.Name != "Thị trấn Cù Lao Dung" || u.ParentCode != "945" {
			t.Errorf("31615 on 2025-06-30 = %+v", u)
		}
		u := g.At("31615", day("2025-07-01"))
		if u == nil || u.Name != "Xã An Thạnh" || u.ParentCode != "92" {
			t.Fatalf("31615 on 2025-07-01 = %+v", u)
		}
		if anc := g.Ancestors(u, day("2025-07-01")); codes(anc) != "92" {
			t.Errorf("ancestors of Xã An Thạnh: %s", codes(anc))
		}
		old := g.At("31618", day("2025-06-30"))
		if anc := g.Ancestors(old, day("2025-06-30")); codes(anc) != "945 94" {
			t.Errorf("ancestors of Xã An Thạnh 1 in 2025-06: %s", codes(anc))
		}

		// 31618 Xã An Thạnh 1 → 31615 Xã An Thạnh on 2025-07-01.
		if s := g.Successors(old, day("2025-07-01")); len(s) != 1 || s[0].ID != u.ID {
			t.Errorf("successors of 31618 = %s", codes(s))
		}
		if s := g.Successors(old, day("2025-06-30")); len(s) != 1 || s[0].ID != old.ID {
			t.Errorf("31618 is its own successor while it exists, got %s", codes(s))
		}
		// The 2024 merger then the 2025 one: old Phường 1 (31513) is now Phường Phú Lợi.
		p1 := g.At("31513", day("2024-08-31"))
		if s := g.Successors(p1, day("2026-01-01")); codes(s) != "31510" || s[0].Name != "Phường Phú Lợi" {
			t.Errorf("successors of 31513 today = %s", codes(s))
		}
		if s := g.Successors(p1, day("2024-12-01")); codes(s) != "31522" || s[0].Name != "Phường 1" {
			t.Errorf("successors of 31513 in December 2024 = %v", s)
		}
		// A district has no successor.
		if s := g.Successors(g.At("945", day("2025-01-01")), day("2025-07-01")); len(s) != 0 {
			t.Errorf("successors of district 945 = %s", codes(s))
		}
		// Predecessors of Xã An Thạnh: the four units merged into it.
		var preds []string
		for _, p := range g.Previous(u) {
			preds = append(preds, p.From.Code)
		}
		if strings.Join(preds, " ") != "31615 31618 31621 31624" {
			t.Errorf("predecessors of Xã An Thạnh = %v", preds)
		}
	})
}

func TestTerritoryAndCovers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		_, g := demoGraph(t, db)
		today := day("2026-11-29")
		anThanh := g.At("31615", today)
		cuLaoDung := g.At("31633", today)
		canTho := g.At("92", today)
		old1 := g.At("31618", day("2025-01-01"))      // Xã An Thạnh 1
		oldTT := g.At("31615", day("2025-01-01"))     // Thị trấn Cù Lao Dung
		oldDistrict := g.At("945", day("2025-01-01")) // Huyện Cù Lao Dung
		oldP1 := g.At("31513", day("2024-01-01"))
		for _, c := range []struct {
			grant, record *units.Unit
			want          bool
		}{
			{anThanh, anThanh, true},
			{anThanh, old1, true},         // merged into it
			{anThanh, oldTT, true},        // same code, previous unit
			{anThanh, oldDistrict, false}, // the old district is not the commune's
			{cuLaoDung, old1, false},      // another commune's predecessor
			{cuLaoDung, anThanh, false},
			{canTho, anThanh, true}, // subtree
			{canTho, old1, true},    // through 94 → 92
			{canTho, oldDistrict, true},
			{canTho, oldP1, true},     // two mergers back
			{anThanh, canTho, false},  // not upwards
			{oldDistrict, old1, true}, // a grant on a historic unit covers its own subtree
			{oldDistrict, anThanh, false},
		} {
			if got := g.Covers(c.grant.ID, c.record.ID, today); got != c.want {
				t.Errorf("grant on %s %s covers record on %s %s (from %s) = %v, want %v",
					c.grant.Code, c.grant.Name, c.record.Code, c.record.Name, c.record.ValidFrom.Format("2006"), got, c.want)
			}
		}
		// Cần Thơ's territory holds all 121 Sóc Trăng units of 2021, plus the
		// renamed 31522 and the 44 units of 2025.
		if n := len(g.Territory(canTho, today)); n != 121+1+44 {
			t.Errorf("territory of 92 has %d unit versions", n)
		}
	})
}

func TestImportIsIdempotentAndAudited(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, g := demoGraph(t, db)
		n := g.Len()
		// Loading the whole demo again changes nothing and audits nothing.
		entries, _ := audit.List(ctx, db, audit.Filter{Action: "units."})
		if err := demo.LoadUnits(ctx, svc); err != nil {
			t.Fatal(err)
		}
		g2, err := svc.Graph(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g2.Len() != n {
			t.Errorf("second load: %d versions, want %d", g2.Len(), n)
		}
		again, _ := audit.List(ctx, db, audit.Filter{Action: "units."})
		if len(again) != len(entries) || len(entries) != 5 {
			t.Errorf("audit entries %d then %d, want 5 then 5", len(entries), len(again))
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Error(err)
		}
	})
}

func TestFindMatchesWordStartsWithoutAccents(t *testing.T) {
	db := storetest.SQLite(t)
	_, g := demoGraph(t, db)
	at := day("2025-07-02")
	for q, want := range map[string]string{
		"an thanh":   "31615",
		"AN THẠNH":   "31615",
		"cu lao":     "31633",
		"soc  trang": "31507",
		"ke":         "31528",
	} {
		if got := codes(g.Find(units.Query{At: at, Text: q})); got != want {
			t.Errorf("Find(%q) = %s, want %s", q, got, want)
		}
	}
}

func TestImportRejectsBadFilesWhole(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, g := demoGraph(t, db)
		n := g.Len()
		// Row 2 is fine, row 3 names a parent that does not exist at that date.
		rows, err := units.ParseUnitsCSV(strings.NewReader("code,name,type,level,parent_code\n99901,Xã Mới,Xã,3,92\n99902,Xã Lạ,Xã,3,947\n"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Import(ctx, "test", rows, day("2026-01-01"))
		var re units.RowErrors
		if !errors.As(err, &re) || len(re) != 1 || re[0].Line != 3 {
			t.Fatalf("import with a missing parent: %v", err)
		}
		if c := countUnits(t, db); c != n {
			t.Fatalf("a rejected import applied rows: %d unit versions, want %d", c, n)
		}
		// Merges naming a unit that does not exist.
		mrows, err := units.ParseMergesCSV(strings.NewReader("old_code,new_code,effective\n31615,31633,2026-01-01\n11111,31633,2026-01-01\n"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.ImportMerges(ctx, "test", mrows)
		if !errors.As(err, &re) || len(re) != 1 || re[0].Line != 3 {
			t.Fatalf("merge of an unknown unit: %v", err)
		}
		var ended int
		db.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE valid_to = '2026-01-01'`).Scan(&ended)
		if ended != 0 {
			t.Fatal("a rejected merge ended a unit")
		}
		// Parents that form a cycle are refused too.
		rows, _ = units.ParseUnitsCSV(strings.NewReader("code,name,type,level,parent_code\n99910,Xã A,Xã,3,99911\n99911,Xã B,Xã,3,99910\n"))
		if _, err = svc.Import(ctx, "test", rows, day("2026-01-01")); !errors.As(err, &re) || len(re) != 2 {
			t.Fatalf("a cycle of parents: %v", err)
		}
		if c := countUnits(t, db); c != n {
			t.Fatalf("a rejected import applied rows: %d unit versions, want %d", c, n)
		}
	})
}

func countUnits(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM units`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Imports of the same file at the same moment apply it once, on either
// engine.
func TestConcurrentImports(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, g := demoGraph(t, db)
		n := g.Len()
		rows, _ := units.ParseUnitsCSV(strings.NewReader("code,name,type,level,parent_code\n99901,Xã Mới,Xã,3,92\n"))
		errs := make(chan error, 6)
		for i := 0; i < 6; i++ {
			go func() {
				_, err := units.NewService(db).Import(ctx, "test", rows, day("2026-01-01"))
				errs <- err
			}()
		}
		for i := 0; i < 6; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if c := countUnits(t, db); c != n+1 {
			t.Fatalf("%d unit versions after six identical imports, want %d", c, n+1)
		}
	})
}

func TestRenameMakesANewVersion(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := demoGraph(t, db)
		rows, _ := units.ParseUnitsCSV(strings.NewReader("code,name,type,level,parent_code\n31615,Phường An Thạnh,Phường,3,92\n"))
		res, err := svc.Import(ctx, "test", rows, day("2027-01-01"))
		if err != nil || res.Changed != 1 {
			t.Fatalf("rename: %+v, %v", res, err)
		}
		g, _ := svc.Graph(ctx)
		before, after := g.At("31615", day("2026-12-31")), g.At("31615", day("2027-01-01"))
		if before.Name != "Xã An Thạnh" || after.Name != "Phường An Thạnh" || before.ID == after.ID {
			t.Fatalf("before %+v after %+v", before, after)
		}
		if s := g.Successors(before, day("2027-01-01")); len(s) != 1 || s[0].ID != after.ID {
			t.Fatal("the renamed unit does not succeed the old name")
		}
		// Records of the old name and of the communes merged in 2025 stay covered.
		if !g.Covers(after.ID, g.At("31618", day("2025-01-01")).ID, day("2027-01-02")) {
			t.Fatal("renamed unit lost its predecessors' territory")
		}
		// Importing an older state now is refused: history is written in order.
		rows, _ = units.ParseUnitsCSV(strings.NewReader("code,name,type,level,parent_code\n31615,Xã Cũ,Xã,3,92\n"))
		if _, err := svc.Import(ctx, "test", rows, day("2026-06-01")); err == nil {
			t.Fatal("an out-of-order import was accepted")
		}
	})
}

func TestParseUnitsCSVErrors(t *testing.T) {
	in := "code,name,type,level,parent_code\n" +
		"31615,Xã A,Xã,3,92\n" + // line 2 fine
		"3161x,Xã B,Xã,3,92\n" + // line 3 bad code
		"31615,Xã C,Xã,3,92\n" + // line 4 duplicate
		"31616,,Xã,3,92\n" + // line 5 no name
		"31617,Xã D,Xã,ba,92\n" + // line 6 bad level
		"31618,Xã E,Xã,3\n" // line 7 short
	_, err := units.ParseUnitsCSV(strings.NewReader(in))
	var re units.RowErrors
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	var lines []int
	for _, e := range re {
		lines = append(lines, e.Line)
	}
	if len(lines) != 5 || lines[0] != 3 || lines[4] != 7 {
		t.Fatalf("errors on lines %v, want 3 4 5 6 7:\n%v", lines, err)
	}
	// A quoted name with a line break keeps later line numbers right.
	_, err = units.ParseUnitsCSV(strings.NewReader("code,name,type,level,parent_code\n31615,\"Xã\nAn Thạnh\",Xã,3,92\n3161x,Xã B,Xã,3,92\n"))
	if !errors.As(err, &re) || len(re) != 1 || re[0].Line != 4 {
		t.Fatalf("after a quoted line break: %v", err)
	}
	// The province list format.
	f, err := os.Open("../../../shared/data/admin-units/provinces-2021.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := units.ParseUnitsCSV(f)
	if err != nil || len(rows) != 63 || rows[0].Level != 1 || rows[0].ParentCode != "" {
		t.Fatalf("provinces: %d rows, %v", len(rows), err)
	}
}

func FuzzParseUnitsCSV(f *testing.F) {
	f.Add("code,name,type,level,parent_code\n94,Tỉnh Sóc Trăng,Tỉnh,1,\n941,Thành phố Sóc Trăng,Thành phố,2,94\n")
	f.Add("code,name,type\n01,Thành phố Hà Nội,Thành phố Trung ương\n")
	f.Add("code,name,type,level,parent_code\n\"31615,\"Xã\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := units.ParseUnitsCSV(strings.NewReader(s))
		if err != nil {
			var re units.RowErrors
			if !errors.As(err, &re) || len(re) == 0 {
				t.Fatalf("error without line numbers: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Code == "" || r.Name == "" || r.Level < 1 {
				t.Fatalf("accepted a bad row: %+v", r)
			}
		}
	})
}

func FuzzParseMergesCSV(f *testing.F) {
	f.Add("old_code,new_code,effective\n31618,31615,2025-07-01\n947,,2025-07-01\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := units.ParseMergesCSV(strings.NewReader(s))
		if err != nil {
			var re units.RowErrors
			if !errors.As(err, &re) || len(re) == 0 {
				t.Fatalf("error without line numbers: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.OldCode == "" || r.Effective.IsZero() {
				t.Fatalf("accepted a bad row: %+v", r)
			}
		}
	})
}
