package reporting_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"egov"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/store"
	"egov/internal/store/storetest"
)

func TestApprovals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		reporter := fx.actor("baocao.anthanh", identity.RoleReporter, "31615")
		leader := fx.actor("lanhdao.anthanh", identity.RoleLeader, "31615")
		otherLeader := fx.actor("lanhdao.myphuoc", identity.RoleLeader, "31603")
		stat := fx.actor("thongke.tp", identity.RoleStatistician, "92")
		const form = "KTXH-XA-NAM"
		set := yearly("31618", 4000)
		if _, err := fx.rep.Import(ctx, reporter, set, false); err != nil {
			t.Fatal(err)
		}
		code := func(err error) string { return egov.ErrorCode(err) }
		missing := func(err error, ind string) bool {
			k, args := egov.ErrorKey(err)
			return k == "stats.submit_missing" && strings.Contains(fmt.Sprint(args...), ind)
		}
		step := func(a *identity.Actor, act reporting.ApprovalAction, unit, reason string) (*reporting.Approval, error) {
			return fx.rep.Approve(ctx, a, act, form, "2024", unit, reason)
		}
		// A leader approving a report nobody submitted takes the
		// submission's step, and its check.
		if _, err := step(leader, reporting.ActApprove, "31618", ""); !missing(err, "CX.XH.09") {
			t.Fatalf("approving an incomplete open report: %v", err)
		}
		complete(t, fx, "31618")

		if _, err := step(otherLeader, reporting.ActApprove, "31618", ""); code(err) != egov.EFORBIDDEN {
			t.Errorf("another commune's leader approves: %v", err)
		}
		if _, err := step(reporter, reporting.ActApprove, "31618", ""); code(err) != egov.EFORBIDDEN {
			t.Errorf("the reporter approves: %v", err)
		}
		if _, err := step(stat, reporting.ActAccept, "31618", ""); code(err) != egov.ECONFLICT {
			t.Errorf("accepting an open report: %v", err)
		}
		ap, err := step(leader, reporting.ActApprove, "31618", "")
		if err != nil || ap.Status != reporting.StatusApproved || ap.UpdatedBy != "lanhdao.anthanh" {
			t.Fatalf("approve: %+v %v", ap, err)
		}
		// Approved data is locked.
		sum, err := fx.rep.Import(ctx, reporter, reporting.ValueSet{DataSet: form, Period: "2024", OrgUnit: "31618",
			Values: []reporting.ValueIn{{DataElement: "CX.DS.05", Value: "11"}}}, false)
		if err != nil || sum.Status != "ERROR" || len(sum.Conflicts) != 1 || sum.Conflicts[0].Key != "stats.locked" {
			t.Fatalf("import into an approved report: %+v %v", sum, err)
		}
		// The level above (district 945 then, within today's city) returns it once.
		if _, err := step(leader, reporting.ActReturn, "31618", "Số hộ chưa khớp"); code(err) != egov.EFORBIDDEN {
			t.Errorf("the commune returns its own report: %v", err)
		}
		if _, err := step(stat, reporting.ActReturn, "31618", " "); code(err) != egov.EINVALID {
			t.Errorf("return without a reason: %v", err)
		}
		if ap, err = step(stat, reporting.ActReturn, "31618", "Số hộ chưa khớp với điều tra"); err != nil || ap.Status != reporting.StatusReturned {
			t.Fatalf("return: %+v %v", ap, err)
		}
		sum, err = fx.rep.Import(ctx, reporter, reporting.ValueSet{DataSet: form, Period: "2024", OrgUnit: "31618",
			Values: []reporting.ValueIn{{DataElement: "CX.DS.05", Value: ""}}}, false)
		if err != nil || sum.Deleted != 1 {
			t.Fatalf("import into a returned report: %+v %v", sum, err)
		}
		if _, err := step(leader, reporting.ActApprove, "31618", ""); !missing(err, "CX.DS.05") {
			t.Fatalf("approving a returned report that lacks a value: %v", err)
		}
		sum, err = fx.rep.Import(ctx, reporter, reporting.ValueSet{DataSet: form, Period: "2024", OrgUnit: "31618",
			Values: []reporting.ValueIn{{DataElement: "CX.DS.05", Value: "11"}}}, false)
		if err != nil || sum.Imported != 1 {
			t.Fatalf("import into a returned report: %+v %v", sum, err)
		}
		if _, err = step(leader, reporting.ActApprove, "31618", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := step(leader, reporting.ActApprove, "31618", ""); code(err) != egov.ECONFLICT {
			t.Errorf("approving twice: %v", err)
		}
		if ap, err = step(stat, reporting.ActAccept, "31618", ""); err != nil || ap.Status != reporting.StatusAccepted {
			t.Fatalf("accept: %+v %v", ap, err)
		}
		// The district is approved only when all its communes are accepted.
		if _, err := step(stat, reporting.ActApprove, "945", ""); code(err) != egov.ECONFLICT {
			t.Errorf("the district approved before its communes: %v", err)
		}
		// Its page offers approval, not a submission of figures it has
		// none of; a commune's offers the submission.
		if st, err := fx.rep.State(ctx, stat, form, "2024", "945"); err != nil || st.Editable ||
			!slices.Equal(st.Actions, []reporting.ApprovalAction{reporting.ActApprove}) {
			t.Errorf("the district's page: %+v %v", st, err)
		}
		if st, err := fx.rep.State(ctx, reporter, form, "2024", "31615"); err != nil || !st.Editable ||
			!slices.Equal(st.Actions, []reporting.ApprovalAction{reporting.ActSubmit}) {
			t.Errorf("a commune's page: %+v %v", st, err)
		}
		aps, err := fx.rep.Approvals(ctx, stat, form, "2024", "945")
		if err != nil || len(aps) < 3 || aps[0].Unit != "945" || aps[0].Status != reporting.StatusOpen {
			t.Fatalf("approvals of 945: %+v %v", aps, err)
		}
		accepted := 0
		for _, x := range aps[1:] {
			if x.Status == reporting.StatusAccepted {
				accepted++
				if x.Unit != "31618" {
					t.Errorf("%s accepted", x.Unit)
				}
			}
		}
		if accepted != 1 {
			t.Errorf("%d communes accepted", accepted)
		}
		for _, x := range aps[1:] {
			if x.Unit == "31618" {
				continue
			}
			complete(t, fx, x.Unit)
			for _, act := range []reporting.ApprovalAction{reporting.ActApprove, reporting.ActAccept} {
				if _, err := step(stat, act, x.Unit, ""); err != nil {
					t.Fatalf("%s %s: %v", act, x.Unit, err)
				}
			}
		}
		if ap, err = step(stat, reporting.ActApprove, "945", ""); err != nil || ap.Status != reporting.StatusApproved {
			t.Fatalf("the district: %+v %v", ap, err)
		}
		// A commune's report cannot be returned under an approved district.
		if _, err := step(stat, reporting.ActReturn, "31618", "Sửa lại"); code(err) != egov.ECONFLICT {
			t.Errorf("returned under an approved district: %v", err)
		}
		if _, err := fx.rep.Approvals(ctx, otherLeader, form, "2024", "31618"); code(err) != egov.EFORBIDDEN {
			t.Errorf("another commune's leader reads the status: %v", err)
		}
		if _, err := fx.rep.Approve(ctx, stat, "sign", form, "2024", "31618", ""); code(err) != egov.EINVALID {
			t.Errorf("an unknown action: %v", err)
		}
		if _, err := fx.rep.Approve(ctx, stat, reporting.ActApprove, form, "202401", "31618", ""); code(err) != egov.EINVALID {
			t.Errorf("a monthly period for a yearly form: %v", err)
		}
	})
}

// complete stores a commune's 2024 yearly report whole and valid.
func complete(t *testing.T, fx *fixture, unit string) {
	t.Helper()
	set := yearly(unit, 4000)
	for _, v := range [][2]string{{"CX.DS.04", "nam_kinh"}, {"CX.XH.09", ""}, {"CX.CDS.03", ""}, {"CX.CDS.06", ""}, {"CX.CDS.08", "nam_kinh"},
		{"CX.CDS.10", "nam_kinh"}, {"CX.CDS.14", "nam"}, {"CX.CDS.15", "nam"}} {
		set.Values = append(set.Values, reporting.ValueIn{DataElement: v[0], CategoryOptionCombo: v[1], Value: "1"})
	}
	sum, err := fx.rep.Import(context.Background(), identity.SystemActor, set, false)
	if err != nil || sum.Status != "SUCCESS" {
		t.Fatalf("%s's report: %+v %v", unit, sum, err)
	}
}
