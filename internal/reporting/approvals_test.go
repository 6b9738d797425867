package reporting_test

import (
	"context"
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
		step := func(a *identity.Actor, act reporting.ApprovalAction, unit, reason string) (*reporting.Approval, error) {
			return fx.rep.Approve(ctx, a, act, form, "2024", unit, reason)
		}

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
			Values: []reporting.ValueIn{{DataElement: "CX.DS.05", Value: "11"}}}, false)
		if err != nil || sum.Updated != 1 {
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
