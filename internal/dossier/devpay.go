package dossier

import (
	"context"
	"crypto/hmac"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"egov"
)

// DevGateway is the payment provider for development and demonstrations.
// It behaves like a real one, without any money: a hosted payment page,
// a signed server-to-server notification and a signed return of the
// browser. It keeps no state: the checkout link carries the payment,
// signed, so several processes can serve it.
type DevGateway struct {
	Secret  []byte // shared by the platform and the provider; never a constant
	BaseURL string // where the /devpay/ pages are served; "" for this site
	// Now returns the current time (the platform's clock in tests).
	Now func() time.Time
}

// Name is "devpay".
func (g *DevGateway) Name() string { return "devpay" }

func (g *DevGateway) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// checkoutSig signs the checkout link's fields.
func (g *DevGateway) checkoutSig(ref, amount, code, ret, ts string) string {
	return sign(g.Secret, "checkout\n"+canonical(ref, amount, code, ret, ts))
}

// Start returns the hosted payment page of p. returnURL must be a path on
// the platform.
func (g *DevGateway) Start(p Payment, returnURL string) (string, error) {
	if !strings.HasPrefix(returnURL, "/") || strings.HasPrefix(returnURL, "//") || strings.ContainsAny(returnURL, "\\?#\r\n") {
		return "", fmt.Errorf("devpay: return URL %q is not a path", returnURL)
	}
	amount, ts := strconv.FormatInt(p.Amount, 10), strconv.FormatInt(g.now().Unix(), 10)
	q := url.Values{"ref": {p.Ref}, "amount": {amount}, "code": {p.DossierCode}, "return": {returnURL}, "ts": {ts},
		"sig": {g.checkoutSig(p.Ref, amount, p.DossierCode, returnURL, ts)}}
	return g.BaseURL + "/devpay/checkout?" + q.Encode(), nil
}

// Verify checks a notice the gateway signed (see VerifyNotice).
func (g *DevGateway) Verify(params url.Values) (Notice, error) {
	n, err := VerifyNotice(g.Secret, params, g.now())
	n.Provider = g.Name()
	return n, err
}

type checkout struct {
	Ref, Amount, Code, Return, TS, Sig string
	AmountText                         string
}

// checkoutOf reads and checks a checkout's signed fields; a link older
// than an hour has expired.
func (g *DevGateway) checkoutOf(v url.Values) (*checkout, error) {
	c := &checkout{Ref: v.Get("ref"), Amount: v.Get("amount"), Code: v.Get("code"), Return: v.Get("return"),
		TS: v.Get("ts"), Sig: v.Get("sig")}
	if len(g.Secret) == 0 || !hmac.Equal([]byte(c.Sig), []byte(g.checkoutSig(c.Ref, c.Amount, c.Code, c.Return, c.TS))) {
		return nil, errBadSignature
	}
	sec, err := strconv.ParseInt(c.TS, 10, 64)
	if err != nil || g.now().Sub(time.Unix(sec, 0)) > time.Hour {
		return nil, egov.Errorf(egov.EINVALID, "payment.stale_notice")
	}
	n, err := strconv.ParseInt(c.Amount, 10, 64)
	if err != nil {
		return nil, errBadSignature
	}
	c.AmountText = groupThousands(n)
	return c, nil
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The hosted page is the provider's, not the platform's: it stands alone,
// in Vietnamese, as a real provider's page would.
var checkoutPage = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thanh toán thử nghiệm</title></head>
<body>
<h1>Cổng thanh toán thử nghiệm</h1>
<p>Không có tiền thật nào được chuyển.</p>
<dl>
<dt>Hồ sơ</dt><dd>{{.Code}}</dd>
<dt>Mã giao dịch</dt><dd>{{.Ref}}</dd>
<dt>Số tiền</dt><dd><strong>{{.AmountText}} đồng</strong></dd>
</dl>
<form method="post" action="/devpay/pay">
<input type="hidden" name="ref" value="{{.Ref}}">
<input type="hidden" name="amount" value="{{.Amount}}">
<input type="hidden" name="code" value="{{.Code}}">
<input type="hidden" name="return" value="{{.Return}}">
<input type="hidden" name="ts" value="{{.TS}}">
<input type="hidden" name="sig" value="{{.Sig}}">
<button type="submit" name="action" value="pay">Thanh toán</button>
<button type="submit" name="action" value="cancel">Hủy</button>
</form>
</body></html>
`))

// Checkout serves the hosted payment page (GET /devpay/checkout).
func (g *DevGateway) Checkout(w http.ResponseWriter, r *http.Request) {
	c, err := g.checkoutOf(r.URL.Query())
	if err != nil {
		http.Error(w, "Liên kết thanh toán không hợp lệ hoặc đã hết hạn.", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	checkoutPage.Execute(w, c)
}

// Pay handles the buttons of the hosted page (POST /devpay/pay): it
// reports the outcome to the platform with notify, server to server, then
// sends the browser to the return URL with the same signed notice.
// notify stands for the POST to the platform's notification endpoint.
func (g *DevGateway) Pay(notify func(ctx context.Context, params url.Values) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "Yêu cầu không hợp lệ.", http.StatusBadRequest)
			return
		}
		c, err := g.checkoutOf(r.PostForm)
		if err != nil {
			http.Error(w, "Liên kết thanh toán không hợp lệ hoặc đã hết hạn.", http.StatusBadRequest)
			return
		}
		amount, _ := strconv.ParseInt(c.Amount, 10, 64)
		n := Notice{Ref: c.Ref, Amount: amount, Status: PaymentPaid, Txn: "DEV" + strings.ToUpper(newRef()), At: g.now()}
		if r.PostForm.Get("action") != "pay" {
			n.Status = PaymentFailed
		}
		params := SignNotice(g.Secret, n)
		if err := notify(r.Context(), params); err != nil {
			http.Error(w, "Đơn vị nhận thanh toán không xác nhận giao dịch.", http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, c.Return+"?"+params.Encode(), http.StatusSeeOther)
	}
}
