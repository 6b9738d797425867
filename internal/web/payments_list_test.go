package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"egov/internal/dossier"
	"egov/internal/identity"
)

// actor is the actor of a demo account.
func (s *site) actor(username string) *identity.Actor {
	s.t.Helper()
	u, err := s.app.Identity.UserByName(context.Background(), username)
	if err != nil {
		s.t.Fatal(err)
	}
	a, err := s.app.Identity.ActorFor(context.Background(), u)
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

// paid pays the fee of the dossier with this code through the domain, as
// the gateway would report it, and returns the payment's reference.
func (s *site) paid(citizen, code, txn string, status dossier.PaymentStatus) string {
	s.t.Helper()
	ctx := context.Background()
	a := s.actor(citizen)
	to, err := s.app.Dossiers.StartPayment(ctx, a, code, "/payments/return")
	if err != nil {
		s.t.Fatal(err)
	}
	loc, _ := url.Parse(to)
	ref := loc.Query().Get("ref")
	d, err := s.app.Dossiers.Get(ctx, a, code)
	if err != nil {
		s.t.Fatal(err)
	}
	n := dossier.Notice{Ref: ref, Amount: d.Fee, Status: status, Txn: txn, At: s.app.Dossiers.Now()}
	if _, err := s.app.Dossiers.ConfirmPayment(ctx, n); err != nil {
		s.t.Fatal(err)
	}
	return ref
}

func TestAccountantPage(t *testing.T) {
	s := newDemoSite(t)
	a := s.fileOnline("congdan.1")
	ref := s.paid("congdan.1", a, "VNP-1", dossier.PaymentPaid)
	b := s.fileOnline("congdan.2")
	s.paid("congdan.2", b, "=HYPERLINK(\"http://x\")", dossier.PaymentFailed) // a provider's transaction number, from outside

	acc := s.browser().as("ketoan.31615")
	res := acc.get("/payments")
	expect(t, res, 200, `<a href="/payments" aria-current="page">Đối soát thu phí</a>`, "<h1>Đối soát phí, lệ phí thu trực tuyến</h1>",
		`name="unit" type="text" inputmode="numeric" value="31615"`, `value="2026-03-01"`, `value="2026-03-02"`,
		`<tr><th scope="row">Đã thanh toán</th><td class="num">1</td><td class="num">8.000</td></tr>`,
		`<tr><th scope="row">Thanh toán không thành công</th><td class="num">1</td><td class="num">8.000</td></tr>`,
		`<tr><th scope="row">Tất cả</th><td class="num">2</td><td class="num">16.000</td></tr>`,
		"<td>"+a+"</td><td>Nguyễn Thị Lan</td><td>1.004873</td>", `<a href="/payments/`+ref+`/receipt.pdf">PDF</a>`,
		`href="/payments/export.csv?from=2026-03-01&amp;to=2026-03-02&amp;unit=31615"`)
	// The accountant reads payments, not dossiers: no link to them.
	refuse(t, res, `href="/dossiers/`+a+`"`, `href="/inbox"`)
	isPDF(t, acc.get("/payments/"+ref+"/receipt.pdf"))

	res = acc.get("/payments?status=paid")
	expect(t, res, 200, "<td>"+a+"</td>")
	refuse(t, res, "<td>"+b+"</td>", "Tất cả")
	expect(t, acc.get("/payments?from=2026-13-01"), http.StatusBadRequest, `id="e-from"`)
	expect(t, acc.get("/payments?unit=31633"), http.StatusForbidden)
	expect(t, acc.get("/payments?from=2025-01-01&to=2026-03-02"), http.StatusBadRequest, "Danh sách đối soát lấy cho tối đa 366 ngày")
	expect(t, acc.get("/payments/export.csv?unit=31615&from=2025-01-01&to=2026-03-02"), http.StatusBadRequest)

	res = acc.get("/payments/export.csv?unit=31615&from=2026-03-01&to=2026-03-02")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(res.body, "\ufeff") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "doi-soat-31615-2026-03-01-2026-03-02.csv") {
		t.Fatalf("export: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "Mã thanh toán" || rows[1][0] != ref || rows[1][1] != a ||
		rows[1][3] != "Nguyễn Thị Lan" || rows[1][4] != "8000" || rows[1][5] != "Đã thanh toán" || rows[1][7] != "VNP-1" ||
		rows[1][9] != "2026-03-02 10:00:00" || rows[2][5] != "Thanh toán không thành công" || rows[2][7] != `'=HYPERLINK("http://x")` {
		t.Fatalf("csv %q %v", rows, err)
	}

	// The desk links the dossiers; a citizen and a specialist have no such page.
	expect(t, s.browser().as("motcua.31615").get("/payments"), 200, `<a href="/dossiers/`+a+`">`+a+`</a>`)
	expect(t, s.browser().as("congdan.1").get("/payments"), http.StatusForbidden)
	expect(t, s.browser().as("chuyenvien.31615").get("/payments/export.csv"), http.StatusForbidden)
	refuse(t, s.browser().as("chuyenvien.31615").get("/"), `href="/payments"`)

	// The payer finds the receipt on the dossier page; nobody else gets it.
	citizen := s.browser().as("congdan.1")
	expect(t, citizen.get("/dossiers/"+a), 200, `<a href="/payments/`+ref+`/receipt.pdf">Biên lai thu phí, lệ phí (PDF)</a>`)
	isPDF(t, citizen.get("/payments/"+ref+"/receipt.pdf"))
	expect(t, s.browser().as("congdan.2").get("/payments/"+ref+"/receipt.pdf"), http.StatusNotFound)
	expect(t, s.browser().as("motcua.31507").get("/payments/"+ref+"/receipt.pdf"), http.StatusNotFound)
}
