package web_test

// These tests drive the pages through the whole server (router, security
// headers, cross-origin protection) over a real SQLite database with the
// demo units, as a browser without JavaScript would.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"egov/internal/app"
	"egov/internal/demo"
	"egov/internal/identity"
	"egov/internal/server"
	"egov/internal/store/storetest"
)

const password = "mat-khau-dai-1"

// site is a running server over a fresh database.
type site struct {
	t     *testing.T
	app   *app.App
	srv   *httptest.Server
	clock atomic.Int64 // unix nanoseconds
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{t: t, logs: &syncBuffer{}}
	s.clock.Store(time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, s.clock.Load()) }
	s.app = app.New(storetest.SQLite(t), slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	s.app.Units.Now = now
	s.app.Identity.Now = now
	ctx := context.Background()
	if err := demo.LoadUnits(ctx, s.app.Units); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadHolidays(ctx, s.app); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(server.New(s.app))
	t.Cleanup(func() {
		s.srv.Close()
		// No page may have failed with an internal error.
		if strings.Contains(s.logs.String(), "level=ERROR") {
			t.Errorf("errors were logged:\n%s", s.logs.String())
		}
	})
	return s
}

func (s *site) advance(d time.Duration) { s.clock.Add(int64(d)) }

// unitID is the id of the unit with code on the site's today.
func (s *site) unitID(code string) int64 {
	s.t.Helper()
	g, err := s.app.Units.Graph(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	u := g.At(code, s.app.Units.Today())
	if u == nil {
		s.t.Fatalf("no unit %s today", code)
	}
	return u.ID
}

// officer creates an officer with role on the unit with code ("" for the
// whole tree).
func (s *site) officer(name string, role identity.Role, code string) *identity.User {
	s.t.Helper()
	var unit int64
	if code != "" {
		unit = s.unitID(code)
	}
	u, err := s.app.Identity.CreateOfficer(context.Background(), identity.SystemActor,
		identity.NewUser{Username: name, FullName: "Cán bộ " + name, Password: password}, role, unit)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// browser is a visitor with its own cookies. It does not follow redirects,
// so that tests see them.
type browser struct {
	s      *site
	client *http.Client
	lang   string // Accept-Language
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) response {
	b.s.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res, string(body)}
}

func (b *browser) get(path string) response {
	b.s.t.Helper()
	req, _ := http.NewRequest("GET", b.s.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	b.s.t.Helper()
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow GETs path and follows redirects on this site.
func (b *browser) follow(path string) response {
	b.s.t.Helper()
	res := b.get(path)
	for i := 0; i < 5 && res.StatusCode/100 == 3; i++ {
		res = b.get(res.Header.Get("Location"))
	}
	return res
}

func (b *browser) signIn(username string) {
	b.s.t.Helper()
	res := b.post("/signin", url.Values{"username": {username}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		b.s.t.Fatalf("sign-in of %s: %d\n%s", username, res.StatusCode, res.body)
	}
}

func expect(t *testing.T, res response, status int, texts ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Errorf("%s %s: status %d, want %d", res.Request.Method, res.Request.URL.RequestURI(), res.StatusCode, status)
	}
	for _, s := range texts {
		if !strings.Contains(res.body, s) {
			t.Errorf("%s %s: the page lacks %q", res.Request.Method, res.Request.URL.RequestURI(), s)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%.3000s", res.body)
	}
}

func refuse(t *testing.T, res response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(res.body, s) {
			t.Errorf("%s: the page shows %q", res.Request.URL.RequestURI(), s)
		}
	}
}

func TestSignIn(t *testing.T) {
	s := newSite(t)
	s.officer("canbo", identity.RoleReceiver, "31615")
	b := s.browser()

	res := b.get("/signin?next=/units%3Fat%3D2025-07-02")
	expect(t, res, 200, `<h1>Đăng nhập</h1>`, `name="next" value="/units?at=2025-07-02"`)

	res = b.post("/signin", url.Values{"username": {"canbo"}, "password": {"sai-mat-khau"}})
	expect(t, res, http.StatusUnauthorized, "Tên đăng nhập hoặc mật khẩu không đúng.", `value="canbo"`)

	res = b.post("/signin", url.Values{"username": {"canbo"}, "password": {password}, "next": {"/units?at=2025-07-02"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/units?at=2025-07-02" {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "egov_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.Value == "" {
		t.Fatalf("session cookie: %+v", session)
	}
	expect(t, b.get("/"), 200, "Đang đăng nhập: Cán bộ canbo", `action="/signout"`)

	// Behind a TLS-terminating proxy the cookie is Secure.
	req, _ := http.NewRequest("POST", s.srv.URL+"/signin", strings.NewReader(url.Values{"username": {"canbo"}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	if res := s.browser().do(req); len(res.Cookies()) != 1 || !res.Cookies()[0].Secure {
		t.Errorf("behind https: cookies %v", res.Cookies())
	}

	// Sign-out is a POST; afterwards the account page asks to sign in.
	res = b.post("/signout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", res.StatusCode)
	}
	res = b.get("/account")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next=%2Faccount" {
		t.Fatalf("/account after sign-out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSignInIsSlowedThenLocked(t *testing.T) {
	s := newSite(t)
	s.officer("canbo", identity.RoleReceiver, "31615")
	b := s.browser()
	for i := 0; i < identity.SlowAfter; i++ {
		expect(t, b.post("/signin", url.Values{"username": {"canbo"}, "password": {"sai"}}), http.StatusUnauthorized)
	}
	// At once again, even with the right password: slowed, with the wait.
	res := b.post("/signin", url.Values{"username": {"canbo"}, "password": {password}})
	expect(t, res, http.StatusTooManyRequests, "Đăng nhập sai nhiều lần. Xin chờ 1 giây rồi thử lại.")

	// Keep failing, slowly enough to be counted, until the lock.
	for i := identity.SlowAfter; i < identity.LockAfter; i++ {
		s.advance(time.Hour)
		expect(t, b.post("/signin", url.Values{"username": {"canbo"}, "password": {"sai"}}), http.StatusUnauthorized)
	}
	s.advance(time.Minute)
	expect(t, b.post("/signin", url.Values{"username": {"canbo"}, "password": {password}}),
		http.StatusTooManyRequests, "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Xin thử lại sau 14 phút.")

	// The administrator sees the failures and the lock, and unlocks.
	s.officer("quantri", identity.RoleAdmin, "")
	admin := s.browser()
	admin.signIn("quantri")
	res = admin.get("/admin/users")
	expect(t, res, 200, `<td class="num">10</td>`, "Khóa đến 17:15 02/03/2026", "Mở khóa")
	res = admin.post("/admin/users/"+idOf(t, s, "canbo")+"/unlock", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d\n%s", res.StatusCode, res.body)
	}
	res = admin.follow(res.Header.Get("Location"))
	expect(t, res, 200, "Đã mở khóa đăng nhập.")
	refuse(t, res, "Khóa đến")
	b.signIn("canbo")
}

func idOf(t *testing.T, s *site, username string) string {
	t.Helper()
	u, err := s.app.Identity.UserByName(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return itoa(u.ID)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSafeNext(t *testing.T) {
	s := newSite(t)
	s.officer("canbo", identity.RoleReceiver, "31615")
	for _, next := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example", "units", ""} {
		b := s.browser()
		res := b.post("/signin", url.Values{"username": {"canbo"}, "password": {password}, "next": {next}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("next=%q: %d to %q, want /", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestRegistration(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	expect(t, b.get("/register"), 200, "Đăng ký tài khoản công dân", `name="citizen_id"`)

	form := url.Values{"full_name": {"Nguyễn Văn An"}, "citizen_id": {"09419000123"}, "phone": {"0912345678"},
		"email": {"an@example.vn"}, "username": {"nguyenvanan"}, "password": {"mat-khau-rat-dai"}}
	res := b.post("/register", form)
	expect(t, res, http.StatusUnprocessableEntity,
		`<p class="field-error" id="e-citizen_id">Số CCCD phải có đúng 12 chữ số.</p>`,
		`value="Nguyễn Văn An"`, `value="09419000123"`, `value="0912345678"`, `value="an@example.vn"`, `value="nguyenvanan"`,
		`aria-invalid="true"`)
	refuse(t, res, "mat-khau-rat-dai")

	form.Set("citizen_id", "094190001234")
	res = b.post("/register", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account?ok=registered" {
		t.Fatalf("registration: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), res.body)
	}
	res = b.get("/account?ok=registered")
	expect(t, res, 200, "Đã tạo tài khoản.", "Nguyễn Văn An", "094•••••••34", "Công dân")
	refuse(t, res, "094190001234")

	// The same citizen ID again is refused beside the field.
	form.Set("username", "nguyenvanan2")
	expect(t, s.browser().post("/register", form), http.StatusUnprocessableEntity, "Số CCCD này đã được đăng ký tài khoản.")
}

func TestChangePassword(t *testing.T) {
	s := newSite(t)
	s.officer("canbo", identity.RoleReceiver, "31615")
	b := s.browser()
	b.signIn("canbo")
	expect(t, b.get("/account"), 200, "Cán bộ canbo", "Một cửa (tiếp nhận)", "Xã An Thạnh")

	res := b.post("/account/password", url.Values{"current_password": {"sai"}, "new_password": {"mat-khau-moi-1"}, "confirm_password": {"mat-khau-moi-1"}})
	expect(t, res, http.StatusUnprocessableEntity, "Mật khẩu hiện tại không đúng.", `href="/account?lang=en"`)
	res = b.post("/account/password", url.Values{"current_password": {password}, "new_password": {"ngan"}, "confirm_password": {"ngan"}})
	expect(t, res, http.StatusUnprocessableEntity, "Mật khẩu cần ít nhất 8 ký tự.")
	res = b.post("/account/password", url.Values{"current_password": {password}, "new_password": {"mat-khau-moi-1"}, "confirm_password": {"mat-khau-moi-1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", res.StatusCode, res.body)
	}
	// Still signed in on a fresh session; the new password works.
	expect(t, b.follow(res.Header.Get("Location")), 200, "Đã đổi mật khẩu.")
	res = s.browser().post("/signin", url.Values{"username": {"canbo"}, "password": {"mat-khau-moi-1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the new password: %d", res.StatusCode)
	}
}

func TestUnitsThroughTime(t *testing.T) {
	s := newSite(t)
	b := s.browser()

	res := b.get("/units?at=2024-01-01")
	expect(t, res, 200, "Tỉnh Sóc Trăng", "Huyện Cù Lao Dung", "Thị trấn Cù Lao Dung", `value="2024-01-01"`, "<details open>")
	refuse(t, res, "Thành phố Cần Thơ")

	res = b.get("/units?at=2025-07-02")
	expect(t, res, 200, "Thành phố Cần Thơ", ">Xã An Thạnh<", `href="/units/31615?at=2025-07-02"`)
	refuse(t, res, "Tỉnh Sóc Trăng")

	// Today by default.
	expect(t, b.get("/units"), 200, `value="2026-03-02"`, "Thành phố Cần Thơ")

	// Search without accents, with the parent path.
	res = b.get("/units?at=2025-07-02&q=an+thanh")
	expect(t, res, 200, ">Xã An Thạnh<", "Thành phố Cần Thơ")
	refuse(t, res, "Xã Kế Sách")
	res = b.get("/units?at=2024-01-01&q=AN+THANH+1")
	expect(t, res, 200, "Xã An Thạnh 1", "Tỉnh Sóc Trăng › Huyện Cù Lao Dung")

	// Bad dates are the visitor's mistake, not the server's.
	for _, at := range []string{"2025-13-01", "hôm-nay", "2025-02-30", "99999-01-01"} {
		expect(t, b.get("/units?at="+url.QueryEscape(at)), http.StatusBadRequest, "không hợp lệ; cần dạng YYYY-MM-DD")
		expect(t, b.get("/units/31615?at="+url.QueryEscape(at)), http.StatusBadRequest, "không hợp lệ")
	}
}

func TestUnitPage(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	res := b.get("/units/31615?at=2025-07-02")
	expect(t, res, 200, "<h1>Xã An Thạnh</h1>", "31615", "Cấp xã",
		`<a href="/units/92?at=2025-07-02">Thành phố Cần Thơ</a>`,
		"Đơn vị tiền thân",
		`<a href="/units/31618?at=2025-06-30">Xã An Thạnh 1</a>`,
		`<a href="/units/31615?at=2025-06-30">Thị trấn Cù Lao Dung</a>`,
		"01/07/2025", "Các đơn vị khác từng mang mã này")

	// The predecessor on its last day: its district, and its successor.
	res = b.get("/units/31618?at=2025-06-30")
	expect(t, res, 200, "<h1>Xã An Thạnh 1</h1>", "Huyện Cù Lao Dung", "Tỉnh Sóc Trăng", "Đơn vị kế thừa",
		`<a href="/units/31615?at=2025-07-01">Xã An Thạnh</a>`, "từ 01/01/2021 đến hết 30/06/2025")

	// A district has its communes as children.
	expect(t, b.get("/units/945?at=2024-01-01"), 200, "Huyện Cù Lao Dung", "Xã An Thạnh Tây")

	// A code that names nothing on that day: 404, with its other times.
	res = b.get("/units/31618?at=2025-07-02")
	expect(t, res, http.StatusNotFound, "Không có đơn vị mã 31618 vào ngày 2025-07-02.", `href="/units/31618?at=2021-01-01"`)
	expect(t, b.get("/units/00000"), http.StatusNotFound, "Không có đơn vị mã 00000")
}

func TestEnglish(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	expect(t, b.get("/units?at=2025-07-02"), 200, `<html lang="vi">`, "Đơn vị hành chính", `href="/units?at=2025-07-02&amp;lang=en"`)

	res := b.get("/units?at=2025-07-02&lang=en")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/units?at=2025-07-02" {
		t.Fatalf("switch: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = b.get("/units?at=2025-07-02")
	expect(t, res, 200, `<html lang="en">`, "<h1>Administrative units</h1>", "Structure on 2 Jul 2025", "Thành phố Cần Thơ", "Tiếng Việt")
	refuse(t, res, "Cơ cấu ngày")
	expect(t, b.get("/units/31615?at=2025-07-02"), 200, "Predecessors", "its territory passed to this unit on 1 Jul 2025")

	// And back.
	b.get("/?lang=vi")
	expect(t, b.get("/"), 200, `<html lang="vi">`)

	// Without a cookie, the browser's languages decide.
	en := s.browser()
	en.lang = "en-GB,en;q=0.9,vi;q=0.5"
	expect(t, en.get("/"), 200, `<html lang="en">`, "Everyone")
	vi := s.browser()
	vi.lang = "fr-FR"
	expect(t, vi.get("/"), 200, `<html lang="vi">`, "Mọi người")
}

func TestHome(t *testing.T) {
	s := newSite(t)
	res := s.browser().get("/")
	expect(t, res, 200, `<a class="skip" href="#main">`, `<main id="main"`, `href="/register"`, `href="/signin"`,
		`href="/units"`, `href="/calendar"`, `<link rel="stylesheet" href="/static/style.css">`)
	refuse(t, res, `href="/admin"`, "<script", " style=")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP: %q", csp)
	}
	expect(t, s.browser().get("/no/such/page"), http.StatusNotFound, "Không tìm thấy")
	res = s.browser().post("/units", nil)
	expect(t, res, http.StatusMethodNotAllowed, "Phương thức không được hỗ trợ.")
	if allow := res.Header.Get("Allow"); allow != "GET" {
		t.Errorf("Allow: %q", allow)
	}
	expect(t, s.browser().get("/signout"), http.StatusMethodNotAllowed)
}

func TestStylesheet(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	res := b.get("/static/style.css")
	expect(t, res, 200, ":focus-visible", "max-width")
	if ct := res.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	etag := res.Header.Get("ETag")
	if !strings.Contains(res.Header.Get("Cache-Control"), "max-age=") || etag == "" {
		t.Errorf("cache headers: %v", res.Header)
	}
	req, _ := http.NewRequest("GET", s.srv.URL+"/static/style.css", nil)
	req.Header.Set("If-None-Match", etag)
	if res := b.do(req); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d", res.StatusCode)
	}
	expect(t, b.get("/static/nothing.js"), http.StatusNotFound)
}

func TestAdminPagesNeedAnAdministrator(t *testing.T) {
	s := newSite(t)
	s.officer("motcua", identity.RoleReceiver, "31615")
	anonymous := s.browser()
	receiver := s.browser()
	receiver.signIn("motcua")
	expect(t, receiver.get("/"), 200)
	refuse(t, receiver.get("/"), `href="/admin"`)
	for _, path := range []string{"/admin", "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/audit", "/admin/calendar"} {
		res := anonymous.get(path)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
			t.Errorf("%s as a visitor: %d to %q", path, res.StatusCode, res.Header.Get("Location"))
		}
		expect(t, receiver.get(path), http.StatusForbidden, "Bạn không có quyền thực hiện việc này.")
	}
	expect(t, receiver.post("/admin/users/1/unlock", nil), http.StatusForbidden)
	expect(t, receiver.post("/admin/users/new", url.Values{"username": {"x"}}), http.StatusForbidden)
}

func TestAdminsManageTheirSubtreeOnly(t *testing.T) {
	s := newSite(t)
	s.officer("quantri.31615", identity.RoleAdmin, "31615")
	s.officer("motcua.31615", identity.RoleReceiver, "31615")
	other := s.officer("motcua.31507", identity.RoleReceiver, "31507")
	b := s.browser()
	b.signIn("quantri.31615")

	res := b.get("/admin")
	expect(t, res, 200, `href="/admin/users"`, `href="/admin/audit"`)
	res = b.get("/admin/users")
	expect(t, res, 200, "motcua.31615", "Một cửa (tiếp nhận) — Xã An Thạnh")
	refuse(t, res, "motcua.31507")

	// Another commune's officer is out of sight.
	expect(t, b.get("/admin/users/"+itoa(other.ID)), http.StatusNotFound, "Không tìm thấy người dùng.")
	expect(t, b.post("/admin/users/"+itoa(other.ID)+"/unlock", nil), http.StatusNotFound)
	expect(t, b.post("/admin/users/"+itoa(other.ID)+"/grants", url.Values{"role": {"specialist"}, "unit_code": {"31615"}}), http.StatusNotFound)

	// Creating an officer on another commune: the domain's refusal, on the form.
	form := url.Values{"full_name": {"Trần Văn Bình"}, "username": {"tranvanbinh"}, "password": {password},
		"role": {"specialist"}, "unit_code": {"31507"}}
	res = b.post("/admin/users/new", form)
	expect(t, res, http.StatusForbidden, "Bạn không có quyền thực hiện việc này.", `value="Trần Văn Bình"`)
	form.Set("unit_code", "99999")
	expect(t, b.post("/admin/users/new", form), http.StatusUnprocessableEntity, "Hôm nay không có đơn vị mã 99999.")
	form.Set("unit_code", "")
	expect(t, b.post("/admin/users/new", form), http.StatusUnprocessableEntity, "Cần nhập mã đơn vị")
	form.Set("unit_code", "31615")
	form.Set("username", "X")
	expect(t, b.post("/admin/users/new", form), http.StatusUnprocessableEntity, `id="e-username"`)

	// On their own commune it works, and grants can be added and removed.
	form.Set("username", "tranvanbinh")
	res = b.post("/admin/users/new", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.body)
	}
	userPath := strings.Split(res.Header.Get("Location"), "?")[0]
	expect(t, b.follow(res.Header.Get("Location")), 200, "Đã tạo tài khoản cán bộ.", "Trần Văn Bình", "Chuyên viên")
	res = b.post(userPath+"/grants", url.Values{"role": {"leader"}, "unit_code": {"31615"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add grant: %d\n%s", res.StatusCode, res.body)
	}
	expect(t, b.follow(res.Header.Get("Location")), 200, "Đã thêm vai trò.", "<td>Lãnh đạo</td>")
	expect(t, b.post(userPath+"/grants", url.Values{"role": {"leader"}, "unit_code": {"31615"}}),
		http.StatusConflict, "Người dùng đã có vai trò này trên đơn vị này.")
	expect(t, b.post(userPath+"/grants", url.Values{"role": {"leader"}, "whole_tree": {"1"}}),
		http.StatusForbidden, "Bạn không có quyền thực hiện việc này.")

	u, err := s.app.Identity.UserByName(context.Background(), "tranvanbinh")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.app.Identity.ActorFor(context.Background(), u)
	res = b.post(userPath+"/grants/"+itoa(a.Grants[1].ID)+"/remove", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove grant: %d\n%s", res.StatusCode, res.body)
	}
	res = b.follow(res.Header.Get("Location"))
	expect(t, res, 200, "Đã thu hồi vai trò.")
	refuse(t, res, "<td>Lãnh đạo</td>")
}

func TestAuditLog(t *testing.T) {
	s := newSite(t)
	s.officer("quantri", identity.RoleAdmin, "")
	s.officer("motcua.31615", identity.RoleReceiver, "31615")
	s.officer("motcua.31507", identity.RoleReceiver, "31507")
	b := s.browser()
	b.signIn("quantri")
	res := b.get("/admin/audit")
	expect(t, res, 200, "Nhật ký hệ thống", "user.create", "grant.add", "tạo cán bộ motcua.31615", "tạo cán bộ motcua.31507", "units.import")
	res = b.get("/admin/audit?action=grant.&actor=system")
	expect(t, res, 200, "grant.add")
	refuse(t, res, "user.create")
	today := time.Now().In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02")
	expect(t, b.get("/admin/audit?from="+today+"&to="+today), 200, "user.create")
	refuse(t, b.get("/admin/audit?to=2020-01-01"), "user.create")
	expect(t, b.get("/admin/audit?from=bad"), http.StatusBadRequest, "không hợp lệ")
	expect(t, b.get("/admin/audit?before=x"), http.StatusBadRequest)

	// Paging backwards by sequence number.
	res = b.get("/admin/audit?before=3")
	expect(t, res, 200, `<td class="num">2</td>`, `<td class="num">1</td>`, "Mới nhất")
	refuse(t, res, `<td class="num">3</td>`)

	// A commune's leader reads the entries of that commune only.
	s.officer("lanhdao.31615", identity.RoleLeader, "31615")
	l := s.browser()
	l.signIn("lanhdao.31615")
	res = l.get("/admin/audit")
	expect(t, res, 200, "tạo cán bộ motcua.31615")
	refuse(t, res, "motcua.31507", "units.import")
}

func TestCalendar(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	res := b.get("/calendar?year=2026")
	expect(t, res, 200, "Lịch làm việc năm 2026", "Tết Nguyên Đán", "Bính Ngọ", "17/02/2026",
		`<span class="d">17</span><span class="l"><span class="vh">Âm lịch </span>1/1</span>`,
		`class="holiday"`, `class="weekend"`, "Tháng Hai", "Thứ Ba", "Ngày nghỉ",
		`href="/calendar?year=2025"`, `href="/calendar?year=2027"`)
	// Today is marked.
	expect(t, b.get("/calendar"), 200, "Lịch làm việc năm 2026", `today"`)
	// 2024 had a make-up Saturday.
	expect(t, b.get("/calendar?year=2024"), 200, "Làm bù cho ngày 29/4", `class="makeup"`)
	for _, y := range []string{"abc", "0", "99999", "1899"} {
		expect(t, b.get("/calendar?year="+y), http.StatusBadRequest, "không hợp lệ")
	}
	b.get("/?lang=en")
	expect(t, b.get("/calendar?year=2026"), 200, "Working calendar 2026", "February", "Tết Nguyên Đán", "Day off")
}

func TestAdminCalendar(t *testing.T) {
	s := newSite(t)
	s.officer("quantri", identity.RoleAdmin, "")
	s.officer("quantri.31615", identity.RoleAdmin, "31615")
	b := s.browser()
	b.signIn("quantri")
	res := b.get("/admin/calendar?year=2026")
	expect(t, res, 200, "Lịch nghỉ năm 2026", "Tết Nguyên Đán", "date,kind,name\n2026-01-01,off,Tết Dương lịch", `enctype="multipart/form-data"`)

	// A wrong file: every bad line with its number, nothing applied.
	bad := "date,kind,name\n2026-01-01,off,Tết Dương lịch\n2026-13-01,off,X\n2026-01-05,work,Thứ Hai\n"
	res = b.postMultipart("/admin/calendar", map[string]string{"year": "2026"}, "file", bad)
	expect(t, res, http.StatusUnprocessableEntity, "Tệp có lỗi, chưa thay đổi gì:", "Dòng 3:", "Dòng 4:")
	refuse(t, res, "Dòng 2:")
	days, _ := s.app.Calendar.Announced(context.Background(), 2026)
	if len(days) < 10 {
		t.Fatalf("the schedule changed after a wrong file: %d days", len(days))
	}
	// A day outside the year, pasted.
	expect(t, b.post("/admin/calendar", url.Values{"year": {"2026"}, "csv": {"date,kind,name\n2027-01-01,off,Tết Dương lịch\n"}}),
		http.StatusUnprocessableEntity, "Ngày 2027-01-01 không thuộc năm 2026.")

	// A good one, pasted.
	good := "date,kind,name\n2026-01-01,off,Tết Dương lịch\n2026-01-02,off,Nghỉ thêm\n"
	res = b.post("/admin/calendar", url.Values{"year": {"2026"}, "csv": {good}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set year: %d\n%s", res.StatusCode, res.body)
	}
	expect(t, b.follow(res.Header.Get("Location")), 200, "Đã lưu lịch nghỉ của năm.", "Nghỉ thêm")
	expect(t, b.get("/calendar?year=2026"), 200, "Nghỉ thêm")

	// A commune's administrator sees the schedule but may not replace it.
	c := s.browser()
	c.signIn("quantri.31615")
	res = c.get("/admin/calendar?year=2026")
	expect(t, res, 200, "Chỉ quản trị viên toàn hệ thống")
	refuse(t, res, "<textarea")
	expect(t, c.post("/admin/calendar", url.Values{"year": {"2026"}, "csv": {good}}), http.StatusForbidden, "Bạn không có quyền")
}

func (b *browser) postMultipart(path string, fields map[string]string, fileField, content string) response {
	b.s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(fileField, "lich.csv")
	fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestFormBodiesAreLimited(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	big := url.Values{"username": {strings.Repeat("a", 100<<10)}, "password": {"x"}}
	expect(t, b.post("/signin", big), http.StatusRequestEntityTooLarge)
}
