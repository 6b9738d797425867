package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)

func TestOnlinePaymentThroughTheDevGateway(t *testing.T) {
	s := newDemoSite(t)
	code := s.fileOnline("congdan.1")
	citizen := s.browser().as("congdan.1")
	expect(t, citizen.get("/dossiers/"+code), http.StatusOK, "Thanh toán trực tuyến (", `action="/dossiers/`+code+`/pay"`)
	// The desk sees no button, and nothing paid yet.
	desk := s.browser().as("motcua.31615")
	page0 := desk.get("/dossiers/" + code)
	expect(t, page0, http.StatusOK, "Chưa thanh toán trực tuyến")
	refuse(t, page0, "Thanh toán trực tuyến (", "Đã thanh toán")

	res := citizen.post("/dossiers/"+code+"/pay", url.Values{})
	checkout := redirected(t, res, "/devpay/checkout?")
	expect(t, desk.post("/dossiers/"+code+"/pay", url.Values{}), http.StatusForbidden)

	page := citizen.get(checkout)
	expect(t, page, http.StatusOK, "Cổng thanh toán thử nghiệm", "Thanh toán</button>", "Hủy</button>", code, " đồng")
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	// A tampered amount is refused by the gateway itself.
	tampered := url.Values{}
	for k, v := range form {
		tampered[k] = v
	}
	tampered.Set("amount", "1")
	tampered.Set("action", "pay")
	expect(t, citizen.post("/devpay/pay", tampered), http.StatusBadRequest)

	form.Set("action", "pay")
	res = citizen.post("/devpay/pay", form)
	back := redirected(t, res, "/payments/return?")
	res = citizen.get(back)
	redirected(t, res, "/dossiers/"+code+"?ok=paid")
	page = citizen.get("/dossiers/" + code + "?ok=paid")
	expect(t, page, http.StatusOK, "Đã thanh toán phí, lệ phí của hồ sơ.", "Đã thanh toán ", "thanh toán trực tuyến")
	refuse(t, page, "Thanh toán trực tuyến (")
	expect(t, desk.get("/dossiers/"+code), http.StatusOK, "Đã thanh toán ")

	// The same return again changes nothing.
	redirected(t, citizen.get(back), "/dossiers/"+code+"?ok=paid")
	if n := strings.Count(citizen.get("/dossiers/"+code).body, `<td class="cap">thanh toán trực tuyến</td>`); n != 1 {
		t.Errorf("%d payment steps in the history", n)
	}

	// The server-to-server notification: no session, no Origin, so
	// cross-origin protection lets it through; the signature decides.
	u, _ := url.Parse(back)
	notice := u.Query()
	post := func(v url.Values, header ...string) *http.Response {
		req, _ := http.NewRequest("POST", s.srv.URL+"/payments/notify", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := post(notice); res.StatusCode != http.StatusOK {
		t.Errorf("repeated notification: %d", res.StatusCode)
	}
	forged := url.Values{}
	for k, v := range notice {
		forged[k] = v
	}
	forged.Set("txn", "DEVFORGED")
	if res := post(forged); res.StatusCode != http.StatusBadRequest {
		t.Errorf("forged notification: %d", res.StatusCode)
	}
	// A browser's cross-site POST is what the protection blocks.
	if res := post(notice, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site browser POST: %d", res.StatusCode)
	}
}

func TestCancelledPayment(t *testing.T) {
	s := newDemoSite(t)
	code := s.fileOnline("congdan.1")
	citizen := s.browser().as("congdan.1")
	page := citizen.get(redirected(t, citizen.post("/dossiers/"+code+"/pay", url.Values{}), "/devpay/checkout?"))
	form := url.Values{"action": {"cancel"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	back := redirected(t, citizen.post("/devpay/pay", form), "/payments/return?")
	redirected(t, citizen.get(back), "/dossiers/"+code+"?ok=payment_failed")
	expect(t, citizen.get("/dossiers/"+code+"?ok=payment_failed"), http.StatusOK,
		"Thanh toán không thành công; bạn có thể thử lại.", "Thanh toán trực tuyến (")
}
