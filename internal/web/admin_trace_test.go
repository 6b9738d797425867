package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"egov/internal/identity"
)

// An administrator registers an organisation and gives it an account,
// which then records events for it; bad input keeps what was typed.
func TestAdminTraceOrganisations(t *testing.T) {
	s, _, _ := traceSite(t)
	s.officer("quantri", identity.RoleAdmin, "")
	admin := s.browser().as("quantri")
	expect(t, admin.get("/admin"), http.StatusOK, `href="/admin/trace"`)
	expect(t, admin.get("/admin/trace"), http.StatusOK, "HTX Gia Hòa (HTX-GH)", "Hợp tác xã", "htx.gh", "Nhà máy Mỹ Xuyên (NM-MX)")

	org := url.Values{"kind": {"packer"}, "code": {"DG-CLD"}, "name": {"Cơ sở đóng gói Cù Lao Dung"}, "unit_code": {"99999"},
		"address": {"Ấp Phước Hòa"}}
	expect(t, admin.post("/admin/trace/organisations", org), http.StatusUnprocessableEntity,
		"Không có đơn vị hành chính mã 99999.", `value="Cơ sở đóng gói Cù Lao Dung"`, `<option value="packer" selected>`)
	org.Set("unit_code", "31726")
	org.Set("code", "đóng gói")
	expect(t, admin.post("/admin/trace/organisations", org), http.StatusUnprocessableEntity, "Mã tổ chức gồm 2–20 chữ cái")
	org.Set("code", "HTX-GH")
	expect(t, admin.post("/admin/trace/organisations", org), http.StatusConflict, "Mã tổ chức này đã được dùng.")
	org.Set("code", "DG-CLD")
	redirected(t, admin.post("/admin/trace/organisations", org), "/admin/trace?ok=trace_saved")
	expect(t, admin.get("/admin/trace"), http.StatusOK, "Cơ sở đóng gói Cù Lao Dung (DG-CLD)", "Cơ sở đóng gói")

	// le.loi, an operator of no organisation, cannot record until assigned.
	op := s.browser()
	op.signIn("le.loi")
	expect(t, op.get("/trace"), http.StatusForbidden)
	var orgID string
	orgs, err := s.app.Trace.Organisations(t.Context(), identity.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Code == "DG-CLD" {
			orgID = strconv.FormatInt(o.ID, 10)
		}
	}
	expect(t, admin.post("/admin/trace/members", url.Values{"username": {"khong.co"}, "org": {orgID}}),
		http.StatusUnprocessableEntity, "Không có tài khoản khong.co.")
	redirected(t, admin.post("/admin/trace/members", url.Values{"username": {"le.loi"}, "org": {orgID}}), "/admin/trace?ok=trace_saved")
	expect(t, op.get("/trace"), http.StatusOK, "Cơ sở đóng gói Cù Lao Dung")
	expect(t, admin.get("/admin/audit?action=trace.member.set"), http.StatusOK, "quantri", "le.loi")

	// Removed, the account is refused again; operators cannot do any of it.
	redirected(t, admin.post("/admin/trace/members/"+idOf(t, s, "le.loi")+"/remove", nil), "/admin/trace?ok=trace_saved")
	expect(t, op.get("/trace"), http.StatusForbidden)
	coop := s.browser()
	coop.signIn("htx.gh")
	expect(t, coop.get("/admin/trace"), http.StatusForbidden)
	expect(t, coop.post("/admin/trace/members", url.Values{"username": {"le.loi"}, "org": {orgID}}), http.StatusForbidden)
	expect(t, coop.post("/admin/trace/organisations", org), http.StatusForbidden)
}

// A trace officer capturing for the whole province sees every event, but
// neither registers organisations nor chooses who records in their name.
func TestAdminTraceNeedsTraceManage(t *testing.T) {
	s, _, _ := traceSite(t)
	s.officer("tinh.op", identity.RoleTraceOperator, "")
	op := s.browser().as("tinh.op")
	expect(t, op.get("/trace/graph"), http.StatusOK)
	expect(t, op.get("/admin/trace"), http.StatusForbidden)
	expect(t, op.post("/admin/trace/members", url.Values{"username": {"tinh.op"}, "org": {"1"}}), http.StatusForbidden)
	expect(t, op.post("/admin/trace/members/"+idOf(t, s, "htx.gh")+"/remove", nil), http.StatusForbidden)
	if _, err := s.app.Trace.OrgMembers(t.Context(), identity.SystemActor); err != nil {
		t.Errorf("the system actor: %v", err)
	}
}
