package reporting_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

// testNow is Monday 2 March 2026, after the 2025 reorganisation.
var testNow = time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)

type fixture struct {
	t   testing.TB
	app *app.App
	rep *reporting.Service
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	a := app.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a.Units.Now = func() time.Time { return testNow }
	a.Identity.Now = func() time.Time { return testNow }
	a.Reporting.Now = func() time.Time { return testNow }
	if err := demo.LoadUnits(ctx, a.Units); err != nil {
		t.Fatal(err)
	}
	if err := a.Reporting.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	// The suites enter 2024's reports in 2026: here entry of the seed
	// forms never closes (closing_test.go tests closing).
	neverClose(t, a.Reporting)
	return &fixture{t: t, app: a, rep: a.Reporting}
}

// actor returns an officer with role on the unit that has code today.
func (fx *fixture) actor(name string, role identity.Role, code string) *identity.Actor {
	fx.t.Helper()
	ctx := context.Background()
	g, err := fx.app.Units.Graph(ctx)
	if err != nil {
		fx.t.Fatal(err)
	}
	u, err := fx.app.Identity.CreateOfficer(ctx, identity.SystemActor, identity.NewUser{
		Username: name, FullName: "Trần Văn Bảy", Password: "mật-khẩu-dài-đủ-12",
	}, role, g.At(code, fx.app.Units.Today()).ID)
	if err != nil {
		fx.t.Fatal(err)
	}
	a, err := fx.app.Identity.ActorFor(ctx, u)
	if err != nil {
		fx.t.Fatal(err)
	}
	return a
}

func str(s string) *string { return &s }

// yearly is a complete yearly report of one old commune for 2024.
func yearly(unit string, households int) reporting.ValueSet {
	set := reporting.ValueSet{DataSet: "KTXH-XA-NAM", Period: "2024", OrgUnit: unit}
	add := func(de, co string, v int) {
		set.Values = append(set.Values, reporting.ValueIn{DataElement: de, CategoryOptionCombo: co, Value: fmt.Sprint(v)})
	}
	for _, co := range []string{"thanhthi_kinh", "thanhthi_khmer", "nongthon_kinh", "nongthon_khmer"} {
		add("CX.DS.03", co, households/4)
	}
	for _, co := range []string{"kinh", "khmer", "hoa", "khac"} {
		add("CX.XH.01", co, households/100)
		add("CX.XH.02", co, households/40)
	}
	add("CX.DS.05", "", 10)
	add("CX.CDS.05", "", 9)
	add("CX.CDS.01", "thanhthi", households/4)
	add("CX.CDS.01", "nongthon", households/3)
	return set
}

func TestImport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")

		// Data for 2024 of An Thạnh 1, a commune merged into today's An
		// Thạnh (31615) in 2025: its reporter may enter it.
		set := yearly("31618", 4000)
		sum, err := fx.rep.Import(ctx, reporter, set, false)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Status != "SUCCESS" || sum.Imported != len(set.Values) || sum.Updated != 0 || len(sum.Conflicts) != 0 || len(sum.Violations) != 0 {
			t.Fatalf("first import: %+v", sum)
		}
		// The same payload again changes nothing.
		sum, err = fx.rep.Import(ctx, reporter, set, false)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Imported != 0 || sum.Updated != 0 || sum.Ignored != len(set.Values) {
			t.Fatalf("second import: %+v", sum)
		}

		// A dry run reports what would happen and stores nothing; the
		// rule on poor households meets its violation.
		change := reporting.ValueSet{Period: "2024", OrgUnit: "31618", Values: []reporting.ValueIn{
			{DataElement: "CX.XH.01", CategoryOptionCombo: "kinh", Value: "3900", Comment: str("theo rà soát cuối năm")},
			{DataElement: "CX.CDS.03", Value: "có"},
		}}
		sum, err = fx.rep.Import(ctx, reporter, change, true)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Updated != 1 || sum.Imported != 1 || len(sum.Violations) != 1 || sum.Violations[0].Rule.Code != "R-HONGHEO" ||
			sum.Violations[0].OrgUnit != "31618" || sum.Violations[0].Right != 4000 {
			t.Fatalf("dry run: %+v %+v", sum, sum.Violations)
		}
		v, err := fx.rep.Value(ctx, reporter, "CX.XH.01", "kinh", "2024", "31618")
		if err != nil || v.Value != "40" || v.Comment != "" {
			t.Fatalf("after the dry run: %+v %v", v, err)
		}
		if _, err := fx.rep.Value(ctx, reporter, "CX.CDS.03", "", "2024", "31618"); err == nil {
			t.Fatal("the dry run stored a value")
		}
		// For real.
		if sum, err = fx.rep.Import(ctx, reporter, change, false); err != nil || sum.Updated != 1 || sum.Imported != 1 {
			t.Fatalf("import: %+v %v", sum, err)
		}
		v, err = fx.rep.Value(ctx, reporter, "CX.XH.01", "kinh", "2024", "31618")
		if err != nil || v.Value != "3900" || v.Comment != "theo rà soát cuối năm" || v.StoredBy != "baocao.anthanh" {
			t.Fatalf("after the import: %+v %v", v, err)
		}
		if v, err := fx.rep.Value(ctx, reporter, "CX.CDS.03", "default", "2024", "31618"); err != nil || v.Value != "1" {
			t.Fatalf("yes/no value: %+v %v", v, err)
		}

		// Conflicts, each with its reason; the good value is still taken.
		bad := reporting.ValueSet{DataSet: "KTXH-XA-NAM", Period: "2024", OrgUnit: "31618", Values: []reporting.ValueIn{
			{DataElement: "CX.NOPE", Value: "1"},
			{DataElement: "CX.DS.03", CategoryOptionCombo: "kinh_nongthon", Value: "1"},
			{DataElement: "CX.DS.03", Value: "1"},
			{DataElement: "CX.XH.03", Value: "2.5"},
			{DataElement: "CX.NN.01", Value: "100"},
			{DataElement: "CX.DS.05", Value: "10.5"},
			{DataElement: "CX.DS.05", OrgUnit: "31627", Value: "7"},
			{DataElement: "CX.DS.05", OrgUnit: "99999", Value: "7"},
			{DataElement: "CX.DS.05", Period: "202401", Value: "7"},
			{DataElement: "CX.CDS.05", Value: "8"},
			{DataElement: "CX.CDS.05", Value: "9"},
		}}
		sum, err = fx.rep.Import(ctx, reporter, bad, false)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"stats.unknown_indicator", "stats.bad_combo", "stats.bad_combo", "stats.computed_not_entered", "stats.not_in_form",
			"stats.value_not_integer", "stats.forbidden_unit", "stats.unknown_unit", "stats.period_type_mismatch", "stats.duplicate_value"}
		if sum.Status != "WARNING" || sum.Updated != 1 || len(sum.Conflicts) != len(want) {
			t.Fatalf("conflicts: %+v", sum)
		}
		for i, c := range sum.Conflicts {
			if c.Key != want[i] || c.Object == "" {
				t.Errorf("conflict %d: %+v, want %s", i, c, want[i])
			}
		}

		// An empty value deletes.
		sum, err = fx.rep.Import(ctx, reporter, reporting.ValueSet{Period: "2024", OrgUnit: "31618",
			Values: []reporting.ValueIn{{DataElement: "CX.CDS.03", Value: ""}}}, false)
		if err != nil || sum.Deleted != 1 {
			t.Fatalf("delete: %+v %v", sum, err)
		}

		// Reading: the statistician of the city sees the values of the old
		// commune under today's An Thạnh, with its children.
		stat := fx.actor("thongke.tp", identity.RoleStatistician, "92")
		vs, err := fx.rep.Values(ctx, stat, reporting.ValueQuery{DataSet: "KTXH-XA-NAM", Period: "2024", OrgUnit: "94", Children: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(set.Values) {
			t.Errorf("the province's values with children: %d, want %d", len(vs), len(set.Values))
		}
		if vs, err := fx.rep.Values(ctx, stat, reporting.ValueQuery{Period: "2024", OrgUnit: "94"}); err != nil || len(vs) != 0 {
			t.Errorf("the province's own values: %d %v", len(vs), err)
		}
		other := fx.actor("baocao.myphuoc", identity.RoleReporter, "31603")
		if _, err := fx.rep.Values(ctx, other, reporting.ValueQuery{Period: "2024", OrgUnit: "31618"}); err == nil {
			t.Error("another commune's reporter read An Thạnh 1's values")
		}
		if _, err := fx.rep.Import(ctx, fx.actor("tiepnhan", identity.RoleReceiver, "31615"), set, false); err == nil {
			t.Error("a receiver imported statistics")
		}
	})
}

// neverClose sets every form's entry to never close.
func neverClose(t testing.TB, rep *reporting.Service) {
	t.Helper()
	ctx := context.Background()
	cat, err := rep.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cat.Forms {
		if err := rep.SetCloseDays(ctx, identity.SystemActor, f.Code, 0); err != nil {
			t.Fatal(err)
		}
	}
}
