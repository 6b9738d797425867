package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"egov/internal/identity"
)

// The notices sent to applicants are listed for the audit readers of the
// dossiers' units, with the recipients masked; the development providers'
// messages are read there. Nobody else sees the page.
func TestAdminMessages(t *testing.T) {
	s := newDemoSite(t)
	desk := s.browser().as("motcua.31615")
	form := with(marital(), "procedure", "1.004873", "unit", "31615", "channel", "direct",
		"applicant_name", "Sơn Văn Đức", "applicant_phone", "0987654321", "applicant_email", "duc.son@example.vn")
	code := codePattern.FindStringSubmatch(redirected(t, desk.post("/intake", form), "/dossiers/"))[1]
	if n, err := s.app.Jobs.RunDue(context.Background()); err != nil || n != 2 {
		t.Fatalf("ran %d jobs: %v", n, err)
	}

	admin := s.browser().as("admin")
	expect(t, admin.get("/admin"), 200, `<a href="/admin/messages">Thông báo gửi người nộp hồ sơ</a>`)
	res := admin.get("/admin/messages")
	expect(t, res, 200, "<h1>Thông báo gửi người nộp hồ sơ</h1>", `<a href="/dossiers/`+code+`">`+code+"</a>",
		"<td>Tiếp nhận</td>", "<td>SMS</td>", "<td>Thư điện tử</td>", "<td>•••••••321</td>", "<td>d•••@example.vn</td>",
		"Đã gửi", "chỉ lưu, không gửi (môi trường phát triển)", "Số lần gửi: 1",
		"Xa An Thanh: ho so "+code+" da duoc tiep nhan, hen tra ket qua ngay 05/03/2026. Tra cuu: ",
		"<summary>Hồ sơ "+code+" đã được tiếp nhận</summary>", "Kính gửi ông/bà Sơn Văn Đức,")
	refuse(t, res, "0987654321", "duc.son@example.vn", "notify.")
	res = admin.get("/admin/messages?channel=sms")
	expect(t, res, 200, "<td>SMS</td>", `<option value="sms" selected>`)
	refuse(t, res, "<td>Thư điện tử</td>")
	expect(t, admin.get("/admin/messages?status=failed"), 200, "Chưa có thông báo nào.")
	expect(t, admin.get("/admin/messages?channel=fax"), http.StatusBadRequest, "Bộ lọc không hợp lệ.")
	expect(t, admin.get("/admin/messages?before=x"), http.StatusBadRequest)
	english := admin.follow("/admin/messages?lang=en")
	expect(t, english, 200, "<h1>Notices to applicants</h1>", "<td>Received</td>", "recorded, not sent (development)")
	refuse(t, english, "notify.")

	// The link in the notices fills in the lookup form.
	expect(t, s.browser().get("/lookup?code="+url.QueryEscape(code)), 200, `value="`+code+`"`)

	// The commune's leader reads its notices; another commune's does not.
	expect(t, s.browser().as("lanhdao.31615").get("/admin/messages"), 200, code)
	s.officer("lanhdao.31507", identity.RoleLeader, "31507")
	res = s.browser().as("lanhdao.31507").get("/admin/messages")
	expect(t, res, 200, "Chưa có thông báo nào.")
	refuse(t, res, code)
	// Desks, citizens and visitors have no such page.
	expect(t, desk.get("/admin/messages"), http.StatusForbidden)
	expect(t, s.browser().as("congdan.1").get("/admin/messages"), http.StatusForbidden)
	if loc := s.browser().get("/admin/messages").Header.Get("Location"); !strings.HasPrefix(loc, "/signin?next=") {
		t.Fatalf("a visitor is sent to %q", loc)
	}
}
