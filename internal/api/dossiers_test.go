package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"egov/internal/demo"
	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/store"
	"egov/internal/store/storetest"
	"egov/internal/workcal"
)

const demoPassword = "mat-khau-dai"

// world is a fixture holding the whole demo (units, calendar, catalogue,
// agency identifiers, accounts), with a dossier clock the test moves.
type world struct {
	*fixture
	clock  time.Time
	tokens map[string][]string
}

func newWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	w := &world{fixture: newFixture(t, db), clock: testNow, tokens: map[string][]string{}}
	now := func() time.Time { return w.clock }
	w.app.Dossiers.Now, w.app.Procedures.Now = now, now
	if err := demo.Load(context.Background(), w.app, demoPassword); err != nil {
		t.Fatal(err)
	}
	return w
}

// dossierWorlds runs fn with a world on every engine.
func dossierWorlds(t *testing.T, fn func(t *testing.T, w *world)) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) { fn(t, newWorld(t, db)) })
}

// as returns the Authorization header of a demo account.
func (w *world) as(username string) []string {
	w.t.Helper()
	if tok, ok := w.tokens[username]; ok {
		return tok
	}
	tok := w.token(username, demoPassword)
	w.tokens[username] = tok
	return tok
}

// call sends a JSON body (any value, marshalled) as username ("" for none).
func (w *world) call(username, method, target string, body any) *response {
	w.t.Helper()
	var s string
	switch b := body.(type) {
	case nil:
	case string:
		s = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			w.t.Fatal(err)
		}
		s = string(j)
	}
	var header []string
	if username != "" {
		header = w.as(username)
	}
	return w.do(method, target, s, header...)
}

// must is call that fails the test unless the status is want.
func (w *world) must(want int, username, method, target string, body any) map[string]any {
	w.t.Helper()
	r := w.call(username, method, target, body)
	if r.Status != want {
		w.t.Fatalf("%s %s as %s: %d %s, want %d", method, target, username, r.Status, r.Body, want)
	}
	return r.JSON
}

// act takes an action and returns the response.
func (w *world) act(username, key, action string, body any) *response {
	w.t.Helper()
	return w.call(username, "POST", "/api/v1/dossiers/"+url.PathEscape(key)+"/actions/"+action, body)
}

func (w *world) mustAct(username, key, action string, body any) map[string]any {
	w.t.Helper()
	r := w.act(username, key, action, body)
	if r.Status != http.StatusOK {
		w.t.Fatalf("%s by %s: %d %s", action, username, r.Status, r.Body)
	}
	return r.JSON
}

// marital is a complete form of 1.004873 (xác nhận tình trạng hôn nhân).
func marital() map[string]string {
	return map[string]string{
		"requester_full_name": "Nguyễn Thị Lan", "requester_birth_date": "1990-03-04", "requester_cccd": "094190001234",
		"requester_address": "Ấp An Thạnh, Xã An Thạnh", "requester_phone": "0912345678", "marital_status": "chua_ket_hon",
		"purpose": "Đăng ký kết hôn",
	}
}

// finish posts a multipart finishing of a dossier as username.
func (w *world) finish(username, key string, parts ...part) *response {
	w.t.Helper()
	body, ct := multipartBody(w.t, parts...)
	return w.do("POST", "/api/v1/dossiers/"+url.PathEscape(key)+"/actions/finish", body, append(w.as(username), "Content-Type", ct)...)
}

// fileOnline files a complete dossier for citizen in one request.
func (w *world) fileOnline(citizen string) map[string]any {
	w.t.Helper()
	return w.must(201, citizen, "POST", "/api/v1/dossiers",
		map[string]any{"procedure": "1.004873", "unit": "31615", "fields": marital(), "submit": true})
}

var dossierCode = regexp.MustCompile(`^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}-260302-[0-9]{4}$`)

func actions(d map[string]any) string {
	var out []string
	for _, e := range list(d, "history") {
		out = append(out, e["action"].(string))
	}
	return strings.Join(out, " ")
}

func TestDossierJourney(t *testing.T) {
	dossierWorlds(t, func(t *testing.T, w *world) {
		// A draft: a reference, no code, no due date.
		r := w.call("congdan.1", "POST", "/api/v1/dossiers", map[string]any{"procedure": "1.004873", "unit": "31615",
			"fields": map[string]string{"purpose": "Đăng ký kết hôn"}, "submit": false})
		if r.Status != http.StatusCreated || r.JSON["code"] != nil || r.JSON["status"] != "draft" || r.JSON["status_code"] != 0.0 ||
			r.JSON["due_at"] != nil || r.JSON["timeliness"] != nil || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("draft: %d %s", r.Status, r.Body)
		}
		ref := r.JSON["ref"].(string)
		if r.Header.Get("Location") != "/api/v1/dossiers/"+ref {
			t.Errorf("Location %q", r.Header.Get("Location"))
		}
		// An incomplete draft cannot be filed: a message for each field.
		r = w.act("congdan.1", ref, "submit?lang=en", nil)
		fields, _ := r.JSON["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != http.StatusBadRequest || fields["requester_full_name"] != i18n.T(i18n.EN, "form.required") ||
			fields["marital_status"] == nil || fields["purpose"] != nil {
			t.Fatalf("incomplete submit: %d %s", r.Status, r.Body)
		}
		d := w.must(200, "congdan.1", "PUT", "/api/v1/dossiers/"+ref+"/fields", map[string]any{"fields": marital()})
		if d["status"] != "draft" || d["fields"].(map[string]any)["requester_cccd"] != "094190001234" {
			t.Fatalf("saved draft: %v", d)
		}
		d = w.mustAct("congdan.1", ref, "submit", nil)
		code, _ := d["code"].(string)
		if !dossierCode.MatchString(code) || d["status"] != "new" || d["status_code"] != 1.0 || d["ref"] != ref ||
			d["submitted_at"] != "2026-03-02T03:00:00Z" || d["channel"] != "online" || d["channel_code"] != 2.0 || d["fee"] != 8000.0 {
			t.Fatalf("filed: %v", d)
		}

		// The applicant sees their identity numbers; an officer sees them masked.
		mine := w.must(200, "congdan.1", "GET", "/api/v1/dossiers/"+url.PathEscape(code), nil)
		if ap := mine["applicant"].(map[string]any); ap["cccd"] != "094190001234" || ap["phone"] != "0912345678" || ap["masked"] != false ||
			ap["name"] != "Nguyễn Thị Lan" {
			t.Errorf("the applicant's view: %v", ap)
		}
		theirs := w.must(200, "motcua.31615", "GET", "/api/v1/dossiers/"+url.PathEscape(code), nil)
		ap := theirs["applicant"].(map[string]any)
		if ap["cccd"] != identity.MaskCitizenID("094190001234") || ap["phone"] != identity.MaskPhone("0912345678") || ap["masked"] != true ||
			ap["name"] != "Nguyễn Thị Lan" || ap["email"] != "c•••@demo.egov.invalid" {
			t.Errorf("the officer's view: %v", ap)
		}
		if f := theirs["fields"].(map[string]any); f["requester_cccd"] != identity.MaskCitizenID("094190001234") ||
			f["requester_phone"] != identity.MaskPhone("0912345678") || f["purpose"] != "Đăng ký kết hôn" {
			t.Errorf("the officer's view of the form: %v", f)
		}
		if strings.Contains(string(w.get("/api/v1/dossiers/"+url.PathEscape(code), w.as("motcua.31615")...).Body), "0912345678") {
			t.Error("the phone number reaches an officer")
		}
		// Another citizen learns nothing, not even that the code exists.
		for _, key := range []string{code, ref} {
			if r := w.call("congdan.2", "GET", "/api/v1/dossiers/"+url.PathEscape(key), nil); r.Status != http.StatusNotFound {
				t.Errorf("congdan.2 reading %s: %d %s", key, r.Status, r.Body)
			}
		}
		if r := w.call("motcua.31507", "GET", "/api/v1/dossiers/"+url.PathEscape(code), nil); r.Status != http.StatusNotFound {
			t.Errorf("another commune reading: %d", r.Status)
		}

		// The desk's inbox holds it; another commune's desk may not act.
		if in := list(w.must(200, "motcua.31615", "GET", "/api/v1/inbox", nil), "dossiers"); field(in, "code") != code {
			t.Errorf("desk inbox: %v", in)
		}
		// Who may not read the dossier learns nothing of it, not even that it exists.
		if r := w.act("motcua.31507", code, "receive", nil); r.Status != http.StatusNotFound {
			t.Errorf("another commune receiving: %d %s", r.Status, r.Body)
		}
		// Received Monday 2 March 10:00: 3 working days → Thursday 5 March.
		d = w.mustAct("motcua.31615", code, "receive", map[string]any{"note": "Đủ giấy tờ"})
		if d["status"] != "received" || d["status_code"] != 2.0 || d["due_at"] != "2026-03-05" || d["timeliness"] != "not_due" ||
			d["received_at"] != "2026-03-02T03:00:00Z" {
			t.Fatalf("received: %v", d)
		}
		// Receiving again: 409, and the message names the status and the action.
		r = w.act("motcua.31615", code, "receive", "")
		if c, _, msg := errorOf(r); r.Status != http.StatusConflict || c != "conflict" ||
			!strings.Contains(msg, i18n.T(i18n.VI, "dossier.status.received")) || !strings.Contains(msg, i18n.T(i18n.VI, "dossier.action.receive")) {
			t.Errorf("second receive: %d %s", r.Status, r.Body)
		}

		as := list(w.must(200, "motcua.31615", "GET", "/api/v1/dossiers/"+url.PathEscape(code)+"/assignees", nil), "assignees")
		if !strings.Contains(field(as, "username"), "chuyenvien.31615") {
			t.Errorf("assignees: %v", as)
		}
		d = w.mustAct("motcua.31615", code, "assign", map[string]any{"assignee": "chuyenvien.31615"})
		if d["status"] != "processing" || d["status_code"] != 4.0 {
			t.Fatalf("assigned: %v", d)
		}
		if in := list(w.must(200, "chuyenvien.31615", "GET", "/api/v1/inbox?page=1", nil), "dossiers"); field(in, "code") != code {
			t.Errorf("specialist inbox: %v", in)
		}
		if r := w.act("chuyenvien.31615", code, "approve", nil); r.Status != http.StatusForbidden {
			t.Errorf("a specialist approving: %d", r.Status)
		}
		if r := w.act("chuyenvien.31615", code, "finish", nil); r.Status != http.StatusConflict {
			t.Errorf("finishing before approval: %d", r.Status)
		}
		w.clock = w.clock.Add(24 * time.Hour)
		if d = w.mustAct("lanhdao.31615", code, "approve", nil); d["approved"] != true {
			t.Errorf("approved: %v", d)
		}
		// The procedure's result is electronic: finish takes its PDF.
		if r := w.act("chuyenvien.31615", code, "finish", map[string]any{"result": "Giấy xác nhận số 12/2026"}); r.Status != http.StatusBadRequest ||
			errorField(r) != "file" {
			t.Errorf("finishing without the result file: %d %s", r.Status, r.Body)
		}
		if r := w.finish("chuyenvien.31615", code, part{"file", "kq.png", string(pngBytes)}); r.Status != http.StatusBadRequest || errorField(r) != "file" {
			t.Errorf("an image as the result: %d %s", r.Status, r.Body)
		}
		if r := w.finish("chuyenvien.31615", code, part{"assignee", "", "x"}); r.Status != http.StatusBadRequest || errorField(r) != "assignee" {
			t.Errorf("an unknown part: %d %s", r.Status, r.Body)
		}
		body, ct := multipartBody(t, part{"note", "", "Đã ký"})
		if r := w.do("POST", "/api/v1/dossiers/"+url.PathEscape(code)+"/actions/approve", body, append(w.as("lanhdao.31615"), "Content-Type", ct)...); r.Status != http.StatusBadRequest {
			t.Errorf("multipart for another action: %d %s", r.Status, r.Body)
		}
		r = w.finish("chuyenvien.31615", code, part{"result", "", "Giấy xác nhận số 12/2026"}, part{"file", "Giấy xác nhận.pdf", string(pdfBytes)})
		if r.Status != http.StatusOK {
			t.Fatalf("finish: %d %s", r.Status, r.Body)
		}
		d = r.JSON
		if d["status"] != "resolved" || d["status_code"] != 9.0 || d["finished_at"] != "2026-03-03T03:00:00Z" ||
			d["timeliness"] != "early" || d["result"] != "Giấy xác nhận số 12/2026" {
			t.Fatalf("finished: %v", d)
		}
		// The result is the applicant's as soon as it is resolved (the
		// procedure returns it electronically).
		res := list(w.must(200, "congdan.1", "GET", "/api/v1/dossiers/"+url.PathEscape(code), nil), "results")
		if len(res) != 1 || res[0]["code"] != code+"-KQ1" || res[0]["name"] != "Giấy xác nhận.pdf" {
			t.Fatalf("results: %v", res)
		}
		dl := w.do("GET", res[0]["url"].(string), "", w.as("congdan.1")...)
		if dl.Status != http.StatusOK || string(dl.Body) != string(pdfBytes) || dl.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(dl.Header.Get("Content-Disposition"), `attachment; filename="Giay xac nhan.pdf"`) ||
			dl.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("the download: %d %v", dl.Status, dl.Header)
		}
		if r := w.do("GET", res[0]["url"].(string), "", w.as("congdan.2")...); r.Status != http.StatusNotFound {
			t.Errorf("someone else's result: %d", r.Status)
		}
		if r := w.do("GET", "/api/v1/dossiers/"+url.PathEscape(code)+"/results/"+url.PathEscape(code)+"-KQ2", "", w.as("motcua.31615")...); r.Status != http.StatusNotFound {
			t.Errorf("no such result: %d", r.Status)
		}
		d = w.mustAct("motcua.31615", code, "return-result", nil)
		if d["status"] != "returned" || d["status_code"] != 10.0 || d["returned_at"] == nil {
			t.Fatalf("returned: %v", d)
		}
		if r := w.act("congdan.2", code, "rate", map[string]any{"rating": 1}); r.Status != http.StatusNotFound {
			t.Errorf("someone else rating: %d", r.Status)
		}
		d = w.mustAct("congdan.1", code, "rate", map[string]any{"rating": 1, "note": "Nhanh"})
		if d["rating"] != 1.0 {
			t.Errorf("rated: %v", d)
		}
		want := "create_draft save_draft submit receive assign approve finish return-result rate"
		if got := actions(d); got != want {
			t.Errorf("history %s, want %s", got, want)
		}
		last := list(d, "history")[8]
		if last["from"] != "returned" || last["to"] != "returned" || last["note"] != "Nhanh" || last["actor"] != "congdan.1" {
			t.Errorf("last step: %v", last)
		}
		if recv := list(d, "history")[3]; recv["from"] != "new" || recv["to"] != "received" || recv["due_at"] != "2026-03-05" || recv["note"] != "Đủ giấy tờ" {
			t.Errorf("reception step: %v", recv)
		}

		// The public lookup: the status and nothing more.
		r = w.get("/api/v1/lookup?code=" + url.QueryEscape(code) + "&phone=0912+345+678")
		if r.Status != http.StatusOK || len(r.JSON) != 4 || r.JSON["code"] != code || r.JSON["status"] != "returned" ||
			r.JSON["status_code"] != 10.0 || r.JSON["due_at"] != "2026-03-05" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("lookup: %d %s", r.Status, r.Body)
		}
		for _, q := range []string{
			"code=" + url.QueryEscape(code) + "&phone=0987654321",
			"code=" + ref + "&phone=0912345678",
			"code=000.15.31.H13-260302-0999&phone=0912345678",
		} {
			if r := w.get("/api/v1/lookup?" + q); r.Status != http.StatusNotFound {
				t.Errorf("lookup %s: %d %s", q, r.Status, r.Body)
			}
		}
		for q, f := range map[string]string{"code=" + url.QueryEscape(code): "phone", "phone=0912345678": "code", "code=x&phone=1&name=y": "name"} {
			if r := w.get("/api/v1/lookup?" + q); r.Status != http.StatusBadRequest || errorField(r) != f {
				t.Errorf("lookup %s: %d %s", q, r.Status, r.Body)
			}
		}
	})
}

func errorField(r *response) string {
	_, f, _ := errorOf(r)
	return f
}

func TestDossierCounterIntake(t *testing.T) {
	dossierWorlds(t, func(t *testing.T, w *world) {
		intake := map[string]any{"procedure": "1.004873", "unit": "31615", "channel": "direct",
			"applicant": map[string]string{"name": "Sơn  Văn Đức", "cccd": "094085004321", "phone": "0987 654 321"}, "fields": marital()}
		d := w.must(201, "motcua.31615", "POST", "/api/v1/dossiers", intake)
		code, _ := d["code"].(string)
		if !dossierCode.MatchString(code) || d["status"] != "received" || d["status_code"] != 2.0 || d["due_at"] != "2026-03-05" ||
			d["channel"] != "direct" || d["channel_code"] != 1.0 || actions(d) != "intake" {
			t.Fatalf("intake: %v", d)
		}
		if ap := d["applicant"].(map[string]any); ap["name"] != "Sơn Văn Đức" || ap["phone"] != "•••••••321" || ap["masked"] != true || ap["email"] != nil {
			t.Errorf("applicant: %v", ap)
		}
		// The walk-in follows it by code and phone.
		if r := w.get("/api/v1/lookup?code=" + url.QueryEscape(code) + "&phone=0987654321"); r.Status != http.StatusOK || r.JSON["status"] != "received" {
			t.Errorf("lookup: %d %s", r.Status, r.Body)
		}
		// By post, too.
		intake["channel"] = "postal"
		if d := w.must(201, "motcua.31615", "POST", "/api/v1/dossiers", intake); d["channel_code"] != 3.0 || d["code"] == code {
			t.Errorf("postal: %v", d)
		}

		// What the desk gets wrong, member by member.
		person := func(name, phone, cccd string) map[string]string {
			return map[string]string{"name": name, "phone": phone, "cccd": cccd}
		}
		bad := func(change func(m map[string]any)) map[string]any {
			m := map[string]any{}
			for k, v := range intake {
				m[k] = v
			}
			m["applicant"] = map[string]string{"name": "Sơn Văn Đức", "phone": "0987654321"}
			change(m)
			return m
		}
		for name, c := range map[string]struct {
			body   map[string]any
			status int
			field  string
		}{
			"no applicant":   {bad(func(m map[string]any) { delete(m, "applicant") }), 400, "applicant.name"},
			"bad phone":      {bad(func(m map[string]any) { m["applicant"] = person("A", "12", "") }), 400, "applicant.phone"},
			"bad cccd":       {bad(func(m map[string]any) { m["applicant"] = person("A", "0987654321", "12") }), 400, "applicant.cccd"},
			"online":         {bad(func(m map[string]any) { m["channel"] = "online" }), 400, "channel"},
			"no channel":     {bad(func(m map[string]any) { delete(m, "channel") }), 400, "channel"},
			"a draft":        {bad(func(m map[string]any) { m["submit"] = false }), 400, "submit"},
			"unknown unit":   {bad(func(m map[string]any) { m["unit"] = "99999" }), 400, "unit"},
			"province":       {bad(func(m map[string]any) { m["unit"] = "92" }), 400, "unit"},
			"unknown proc":   {bad(func(m map[string]any) { m["procedure"] = "9.999999" }), 400, "procedure"},
			"bad proc":       {bad(func(m map[string]any) { m["procedure"] = "khai sinh" }), 400, "procedure"},
			"no procedure":   {bad(func(m map[string]any) { delete(m, "procedure") }), 400, "procedure"},
			"unknown member": {bad(func(m map[string]any) { m["priority"] = "high" }), 400, "priority"},
		} {
			r := w.call("motcua.31615", "POST", "/api/v1/dossiers?lang=en", c.body)
			if code, f, msg := errorOf(r); r.Status != c.status || code != "invalid" || f != c.field || messageKey.MatchString(msg) {
				t.Errorf("%s: %d %s, want %d field %q", name, r.Status, r.Body, c.status, c.field)
			}
		}
		// A wrong form: a message for each wrong field, nothing stored.
		f := marital()
		f["requester_cccd"], f["requester_birth_date"], f["colour"] = "123", "2030-01-01", "blue"
		delete(f, "purpose")
		r := w.call("motcua.31615", "POST", "/api/v1/dossiers", bad(func(m map[string]any) { m["fields"] = f }))
		fields, _ := r.JSON["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != http.StatusBadRequest || len(fields) != 4 || fields["requester_birth_date"] != i18n.T(i18n.VI, "form.future_date") ||
			fields["purpose"] != i18n.T(i18n.VI, "form.required") || fields["colour"] == nil || fields["requester_cccd"] == nil {
			t.Errorf("wrong form: %d %s", r.Status, r.Body)
		}
		if n := len(list(w.must(200, "motcua.31615", "GET", "/api/v1/dossiers", nil), "dossiers")); n != 2 {
			t.Errorf("%d dossiers after the refused intakes, want 2", n)
		}
		// Who may not take dossiers at the counter.
		if r := w.call("motcua.31507", "POST", "/api/v1/dossiers", intake); r.Status != http.StatusForbidden {
			t.Errorf("another commune's desk: %d %s", r.Status, r.Body)
		}
		if r := w.call("thongke.31615", "POST", "/api/v1/dossiers", intake); r.Status != http.StatusForbidden {
			t.Errorf("a reporter: %d %s", r.Status, r.Body)
		}
	})
}

func TestDossierSupplement(t *testing.T) {
	dossierWorlds(t, func(t *testing.T, w *world) {
		d := w.fileOnline("congdan.1")
		code := d["code"].(string)
		w.mustAct("motcua.31615", code, "receive", nil)
		if r := w.act("motcua.31615", code, "request-documents", map[string]any{"note": "x"}); r.Status != http.StatusBadRequest || errorField(r) != "items" {
			t.Errorf("a request without the list: %d %s", r.Status, r.Body)
		}
		if r := w.act("motcua.31615", code, "request-documents", `{"items":[{"field":"nope"}]}`); r.Status != http.StatusBadRequest || errorField(r) != "items" {
			t.Errorf("an unknown field: %d %s", r.Status, r.Body)
		}
		d = w.mustAct("motcua.31615", code, "request-documents", map[string]any{"note": "Bổ sung một lần",
			"items": []map[string]string{{"field": "marital_status", "note": "Đã ly hôn?"}, {"field": "requester_phone"},
				{"note": "Bản sao bản án ly hôn"}}})
		if d["status"] != "supplement" || d["status_code"] != 5.0 || d["supplement_requests"] != 1.0 {
			t.Fatalf("after the request: %v", d)
		}
		sp, _ := d["supplement"].(map[string]any)
		if items, _ := sp["items"].([]any); sp["n"] != 1.0 || sp["note"] != "Bổ sung một lần" || len(items) != 3 ||
			items[0].(map[string]any)["label"] != "Tình trạng hôn nhân hiện tại" || items[2].(map[string]any)["field"] != nil || sp["supplied_at"] != nil {
			t.Errorf("the request: %v", sp)
		}
		// Only the marked fields may change.
		if r := w.act("congdan.1", code, "supply-documents", map[string]any{"fields": map[string]string{"purpose": "Khác"}}); r.Status != http.StatusBadRequest ||
			errorField(r) != "purpose" {
			t.Errorf("changing an unmarked field: %d %s", r.Status, r.Body)
		}
		// The officer may not answer for the citizen; the answer must be right.
		if r := w.act("motcua.31615", code, "supply-documents", map[string]any{"fields": map[string]string{"marital_status": "da_ly_hon"}}); r.Status != http.StatusForbidden {
			t.Errorf("the desk supplying: %d", r.Status)
		}
		r := w.act("congdan.1", code, "supply-documents", map[string]any{"fields": map[string]string{"marital_status": "gay", "requester_phone": "1"}})
		fields, _ := r.JSON["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != http.StatusBadRequest || len(fields) != 2 || fields["marital_status"] != i18n.T(i18n.VI, "form.bad_option") {
			t.Errorf("a wrong supplement: %d %s", r.Status, r.Body)
		}
		if r := w.act("congdan.1", code, "supply-documents", map[string]any{"rating": 1}); r.Status != http.StatusBadRequest || errorField(r) != "rating" {
			t.Errorf("a member the action does not take: %d %s", r.Status, r.Body)
		}
		// Answered a week later: the time limit restarts (Monday 9 → Thursday 12 March).
		w.clock = time.Date(2026, 3, 9, 9, 0, 0, 0, workcal.ICT)
		// Every item must be answered: the phone changed, the document attached.
		answer := map[string]any{"fields": map[string]string{"marital_status": "da_ly_hon", "requester_phone": "0912345679"}, "note": "Đã bổ sung"}
		if r := w.act("congdan.1", code, "supply-documents", answer); r.Status != http.StatusBadRequest || errorField(r) != "attachments" {
			t.Errorf("a supplement without the document: %d %s", r.Status, r.Body)
		}
		if r := w.upload("congdan.1", code, part{"file", "ban-an.pdf", string(pdfBytes)}); r.Status != http.StatusCreated {
			t.Fatalf("attaching: %d %s", r.Status, r.Body)
		}
		d = w.mustAct("congdan.1", code, "supply-documents", answer)
		if d["status"] != "received" || d["due_at"] != "2026-03-12" || d["fields"].(map[string]any)["marital_status"] != "da_ly_hon" ||
			d["fields"].(map[string]any)["purpose"] != "Đăng ký kết hôn" {
			t.Fatalf("after the supplement: %v", d)
		}
		// An apology with a new date, once.
		w.mustAct("motcua.31615", code, "assign", map[string]any{"assignee": "chuyenvien.31615"})
		for body, f := range map[string]string{
			`{"note":"Cần xác minh","new_date":"16/03/2026"}`:   "new_date",
			`{"note":"Cần xác minh","new_date":"2026-03-11"}`:   "new_date",
			`{"new_date":"2026-03-16"}`:                         "note",
			`{"note":"x","new_date":"2026-03-16","result":"y"}`: "result",
		} {
			if r := w.act("chuyenvien.31615", code, "apologise", body); r.Status != http.StatusBadRequest || errorField(r) != f {
				t.Errorf("apologise %s: %d %s", body, r.Status, r.Body)
			}
		}
		d = w.mustAct("chuyenvien.31615", code, "apologise", map[string]any{"note": "Cần xác minh", "new_date": "2026-03-16"})
		if d["due_at"] != "2026-03-16" || d["original_due_at"] != "2026-03-12" || d["apologised"] != true {
			t.Errorf("after the apology: %v", d)
		}
		if r := w.act("chuyenvien.31615", code, "apologise", map[string]any{"note": "y", "new_date": "2026-03-19"}); r.Status != http.StatusConflict {
			t.Errorf("a second apology: %d %s", r.Status, r.Body)
		}
		// Lists: by status, by day, by unit; the citizen's own.
		for q, want := range map[string]int{"": 1, "?status=processing": 1, "?status=received": 0, "?unit=31615": 1, "?unit=92": 1,
			"?from=2026-03-02&to=2026-03-02": 1, "?from=2026-03-03": 0, "?page=2": 0} {
			got := w.must(200, "motcua.31615", "GET", "/api/v1/dossiers"+q, nil)
			if n := len(list(got, "dossiers")); n != want {
				t.Errorf("list%s: %d, want %d", q, n, want)
			}
		}
		row := list(w.must(200, "congdan.1", "GET", "/api/v1/dossiers", nil), "dossiers")
		if len(row) != 1 || row[0]["code"] != code || row[0]["status"] != "processing" || row[0]["status_code"] != 4.0 ||
			row[0]["due_at"] != "2026-03-16" || row[0]["timeliness"] != "not_due" || row[0]["procedure"] != "1.004873" ||
			row[0]["unit"] != "31615" || row[0]["applicant"].(map[string]any)["name"] != "Nguyễn Thị Lan" {
			t.Errorf("the citizen's list: %v", row)
		}
		if n := len(list(w.must(200, "congdan.2", "GET", "/api/v1/dossiers", nil), "dossiers")); n != 0 {
			t.Errorf("congdan.2 lists %d", n)
		}
		if n := len(list(w.must(200, "motcua.31507", "GET", "/api/v1/dossiers", nil), "dossiers")); n != 0 {
			t.Errorf("another commune lists %d", n)
		}
		// The citizen withdraws; nothing more can happen but a 409.
		d = w.mustAct("congdan.1", code, "withdraw", map[string]any{"note": "Không cần nữa"})
		if d["status"] != "withdrawn" || d["status_code"] != 7.0 || d["finished_at"] == nil {
			t.Errorf("withdrawn: %v", d)
		}
		if r := w.act("lanhdao.31615", code, "stop", map[string]any{"note": "x"}); r.Status != http.StatusConflict {
			t.Errorf("stopping a withdrawn dossier: %d", r.Status)
		}
	})
}

func TestDossierBadRequests(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	filed := w.fileOnline("congdan.1")
	code := filed["code"].(string)
	draft := w.must(201, "congdan.1", "POST", "/api/v1/dossiers", map[string]any{"procedure": "1.004873", "unit": "31615"})
	ref := draft["ref"].(string)
	esc := url.PathEscape(code)

	// Filing with a wrong form stores nothing.
	f := marital()
	f["requester_birth_date"] = "1990-02-30"
	r := w.call("congdan.1", "POST", "/api/v1/dossiers", map[string]any{"procedure": "1.004873", "unit": "31615", "fields": f, "submit": true})
	if fields, _ := r.JSON["error"].(map[string]any)["fields"].(map[string]any); r.Status != 400 || len(fields) != 1 || fields["requester_birth_date"] == nil {
		t.Errorf("a wrong form filed: %d %s", r.Status, r.Body)
	}
	if n := len(list(w.must(200, "congdan.1", "GET", "/api/v1/dossiers", nil), "dossiers")); n != 2 {
		t.Errorf("the citizen has %d dossiers, want 2 (nothing stored for the wrong form)", n)
	}

	for _, c := range []struct {
		name, who, method, target string
		body                      any
		status                    int
		field                     string
	}{
		{"unknown action", "motcua.31615", "POST", "/api/v1/dossiers/" + esc + "/actions/accept", nil, 400, "action"},
		{"bad JSON", "motcua.31615", "POST", "/api/v1/dossiers/" + esc + "/actions/receive", `{"note":`, 400, ""},
		{"unknown member", "motcua.31615", "POST", "/api/v1/dossiers/" + esc + "/actions/receive", `{"reason":"x"}`, 400, "reason"},
		{"a member of another action", "motcua.31615", "POST", "/api/v1/dossiers/" + esc + "/actions/receive", `{"assignee":"x"}`, 400, "assignee"},
		{"a note to submit", "congdan.1", "POST", "/api/v1/dossiers/" + ref + "/actions/submit", `{"note":"x"}`, 400, "note"},
		{"a fractional rating", "congdan.1", "POST", "/api/v1/dossiers/" + esc + "/actions/rate", `{"rating":0.5}`, 400, "rating"},
		{"unknown dossier", "motcua.31615", "POST", "/api/v1/dossiers/000.15.31.H13-260302-0999/actions/receive", nil, 404, ""},
		{"a draft to receive", "motcua.31615", "POST", "/api/v1/dossiers/" + ref + "/actions/receive", nil, 404, ""},
		{"unknown assignee", "motcua.31615", "POST", "/api/v1/dossiers/" + esc + "/actions/assign", `{"assignee":"ai.do"}`, 400, "assignee"},
		{"filing twice", "congdan.1", "POST", "/api/v1/dossiers/" + esc + "/actions/submit", nil, 409, ""},
		{"someone else's draft", "congdan.2", "POST", "/api/v1/dossiers/" + ref + "/actions/submit", nil, 403, ""},
		{"a filed dossier's fields", "congdan.1", "PUT", "/api/v1/dossiers/" + esc + "/fields", `{"fields":{}}`, 409, ""},
		{"someone else's fields", "congdan.2", "PUT", "/api/v1/dossiers/" + ref + "/fields", `{"fields":{}}`, 403, ""},
		{"no fields", "congdan.1", "PUT", "/api/v1/dossiers/" + ref + "/fields", `{}`, 400, "fields"},
		{"a number in the fields", "congdan.1", "PUT", "/api/v1/dossiers/" + ref + "/fields", `{"fields":{"purpose":1}}`, 400, "fields"},
		{"a draft's unknown field", "congdan.1", "PUT", "/api/v1/dossiers/" + ref + "/fields", `{"fields":{"colour":"blue"}}`, 400, ""},
		{"an officer's draft", "motcua.31615", "POST", "/api/v1/dossiers", `{"procedure":"1.004873","unit":"31615","channel":"direct","submit":false}`, 400, "submit"},
		{"a citizen's applicant", "congdan.1", "POST", "/api/v1/dossiers", `{"procedure":"1.004873","unit":"31615","applicant":{"name":"X"}}`, 400, "applicant"},
		{"a citizen at the counter", "congdan.1", "POST", "/api/v1/dossiers", `{"procedure":"1.004873","unit":"31615","channel":"direct"}`, 400, "channel"},
		{"no unit", "congdan.1", "POST", "/api/v1/dossiers", `{"procedure":"1.004873"}`, 400, "unit"},
		{"a bad unit", "congdan.1", "POST", "/api/v1/dossiers", `{"procedure":"1.004873","unit":"An Thạnh"}`, 400, "unit"},
		{"a citizen's unit filter", "congdan.1", "GET", "/api/v1/dossiers?unit=31615", nil, 400, "unit"},
		{"a bad status", "motcua.31615", "GET", "/api/v1/dossiers?status=open", nil, 400, "status"},
		{"a bad day", "motcua.31615", "GET", "/api/v1/dossiers?from=2026-02-30", nil, 400, "from"},
		{"page zero", "motcua.31615", "GET", "/api/v1/inbox?page=0", nil, 400, "page"},
		{"an unknown parameter", "motcua.31615", "GET", "/api/v1/dossiers/" + esc + "?full=1", nil, 400, "full"},
		{"a reporter's list", "thongke.31615", "GET", "/api/v1/dossiers", nil, 403, ""},
		{"a reporter's assignees", "thongke.31615", "GET", "/api/v1/dossiers/" + esc + "/assignees", nil, 403, ""},
		{"no token", "", "GET", "/api/v1/dossiers", nil, 401, ""},
		{"no token to file", "", "POST", "/api/v1/dossiers", `{"procedure":"1.004873","unit":"31615"}`, 401, ""},
		{"no token to read", "", "GET", "/api/v1/dossiers/" + esc, nil, 401, ""},
		{"no token to act", "", "POST", "/api/v1/dossiers/" + esc + "/actions/receive", nil, 401, ""},
		{"no token to save", "", "PUT", "/api/v1/dossiers/" + ref + "/fields", `{"fields":{}}`, 401, ""},
		{"no token for the inbox", "", "GET", "/api/v1/inbox", nil, 401, ""},
		{"wrong method", "motcua.31615", "PUT", "/api/v1/dossiers/" + esc, `{}`, 405, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := w.call(c.who, c.method, c.target, c.body)
			if code, f, msg := errorOf(r); r.Status != c.status || f != c.field || code == "" || messageKey.MatchString(msg) || strings.Contains(msg, "%!") {
				t.Errorf("%d %s, want %d field %q", r.Status, r.Body, c.status, c.field)
			}
		})
	}
	// An unknown field of a draft is a form error like the others.
	r = w.call("congdan.1", "PUT", "/api/v1/dossiers/"+ref+"/fields?lang=en", `{"fields":{"colour":"blue"}}`)
	if fields, _ := r.JSON["error"].(map[string]any)["fields"].(map[string]any); fields["colour"] != `The procedure has no field "colour".` {
		t.Errorf("unknown draft field: %s", r.Body)
	}
	// Messages name what is wrong, in the language asked for.
	r = w.act("motcua.31615", code, "receive?lang=en", `{"rating":1}`)
	if _, _, msg := errorOf(r); msg != `The member "rating" does not apply to "receive".` {
		t.Errorf("message: %q", msg)
	}
	if r := w.call("motcua.31615", "PUT", "/api/v1/dossiers/"+esc, `{}`); !slices.Contains(strings.Split(r.Header.Get("Allow"), ", "), "GET") {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
}

// TestDossierMessageKeys: the keys this file's handlers use besides the
// error.* ones (which TestMessageKeys finds) are in both catalogues.
func TestDossierMessageKeys(t *testing.T) {
	for _, key := range []string{"dossier.citizens_only", "dossier.unknown_action", "form.invalid", "procedure.not_found",
		"error.member_not_for_action", "error.applicant_is_you", "error.counter_no_draft", "error.unit_filter_officers"} {
		if !i18n.Has(i18n.VI, key) || !i18n.Has(i18n.EN, key) {
			t.Errorf("message key %s is not in both catalogues", key)
		}
	}
	for _, a := range append([]string{actSubmit}, "receive", "refuse", "request-documents", "supply-documents", "assign",
		"approve", "finish", "return-result", "apologise", "withdraw", "stop", "rate") {
		if !knownAction(a) || !i18n.Has(i18n.VI, "dossier.action."+a) || !i18n.Has(i18n.EN, "dossier.action."+a) {
			t.Errorf("action %s", a)
		}
	}
}

func TestDossierStats(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	a := w.fileOnline("congdan.1")
	w.fileOnline("congdan.2")
	w.mustAct("congdan.1", a["code"].(string), "withdraw", nil)
	st := w.must(200, "lanhdao.92", "GET", "/api/v1/dossier-stats?unit=31615&from=2026-03-01&to=2026-03-31", nil)
	if st["received"] != 2.0 || st["received_online"] != 2.0 || st["withdrawn"] != 1.0 || st["unit"] != "31615" {
		t.Fatalf("stats: %v", st)
	}
	if _, ok := st["by_procedure"]; ok || st["procedures"] != 27.0 || st["procedures_fully_online"] != 17.0 ||
		st["eligible_fully_online"] != 2.0 || st["received_fully_online"] != 2.0 || st["payable"] != 2.0 {
		t.Fatalf("catalogue figures: %v", st)
	}
	// by=procedure adds each procedure's figures; the reporter of the
	// commune may read them.
	st = w.must(200, "thongke.31615", "GET", "/api/v1/dossier-stats?unit=31615&from=2026-03-01&to=2026-03-31&by=procedure", nil)
	ps, _ := st["by_procedure"].([]any)
	if len(ps) != 1 || ps[0].(map[string]any)["code"] != "1.004873" || ps[0].(map[string]any)["received"] != 2.0 {
		t.Fatalf("by procedure: %v", st["by_procedure"])
	}
	st = w.must(200, "lanhdao.92", "GET", "/api/v1/dossier-stats?unit=31633&from=2026-03-01&to=2026-03-31&by=procedure", nil)
	if ps, ok := st["by_procedure"].([]any); !ok || len(ps) != 0 {
		t.Fatalf("by procedure without dossiers: %v", st)
	}
	if r := w.call("lanhdao.92", "GET", "/api/v1/dossier-stats?unit=31615&by=unit", nil); r.Status != 400 {
		t.Errorf("by=unit: %d", r.Status)
	}
	// Another commune's desk may not; the unit is required; the period must run forward.
	if r := w.call("motcua.31507", "GET", "/api/v1/dossier-stats?unit=31615", nil); r.Status != 403 {
		t.Errorf("another desk: %d", r.Status)
	}
	if r := w.call("lanhdao.92", "GET", "/api/v1/dossier-stats", nil); r.Status != 400 {
		t.Errorf("without a unit: %d", r.Status)
	}
	if r := w.call("lanhdao.92", "GET", "/api/v1/dossier-stats?unit=31615&from=2026-03-31&to=2026-03-01", nil); r.Status != 400 {
		t.Errorf("a backward period: %d", r.Status)
	}
}

func TestDossierRegister(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	d := w.fileOnline("congdan.1")
	w.mustAct("motcua.31615", d["code"].(string), "receive", nil)
	r := w.call("lanhdao.31615", "GET", "/api/v1/dossier-register?unit=31615&from=2026-01-01&to=2026-12-31", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := f.GetRows("Năm 2026"); len(rows) != 9 || rows[8][0] != "01" || rows[8][1] != d["code"] {
		t.Fatalf("rows %q", rows)
	}
	// A reporter reads figures, not names; the unit is required; a year at most.
	if r := w.call("thongke.31615", "GET", "/api/v1/dossier-register?unit=31615", nil); r.Status != 403 {
		t.Errorf("a reporter: %d", r.Status)
	}
	if r := w.call("lanhdao.31615", "GET", "/api/v1/dossier-register", nil); r.Status != 400 {
		t.Errorf("without a unit: %d", r.Status)
	}
	if r := w.call("lanhdao.31615", "GET", "/api/v1/dossier-register?unit=31615&from=2024-01-01&to=2026-01-01", nil); r.Status != 400 {
		t.Errorf("two years: %d", r.Status)
	}
}
