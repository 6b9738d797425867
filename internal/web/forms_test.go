package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func isPDF(t *testing.T, res response) {
	t.Helper()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.body, "%PDF-") ||
		res.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("%s: %d %s %.20q", res.Request.URL.Path, res.StatusCode, res.Header.Get("Content-Type"), res.body)
	}
}

// The dossier page links the forms that exist, to whom they concern, and
// each form is refused before its step.
func TestDossierForms(t *testing.T) {
	s := newDemoSite(t)
	code := s.fileOnline("congdan.1")
	citizen := s.browser().as("congdan.1")
	desk := s.browser().as("motcua.31615")
	forms := "/dossiers/" + code + "/forms/"

	refuse(t, citizen.get("/dossiers/"+code), forms)
	expect(t, desk.get("/dossiers/"+code), 200, `<a href="`+forms+`05">Phiếu kiểm soát quá trình giải quyết hồ sơ</a>`)
	refuse(t, desk.get("/dossiers/"+code), forms+"01", forms+"02")
	expect(t, citizen.get(forms+"02"), http.StatusConflict, "chưa có phiếu yêu cầu (Mẫu 02)")
	expect(t, citizen.get(forms+"03"), http.StatusConflict, "không có phiếu từ chối (Mẫu 03)")
	expect(t, citizen.get(forms+"04"), http.StatusConflict, "Mẫu 04")
	expect(t, citizen.get(forms+"05"), http.StatusForbidden, "chỉ dành cho cán bộ")
	expect(t, citizen.get(forms+"07"), http.StatusNotFound)
	isPDF(t, desk.get(forms+"05"))

	redirected(t, desk.post("/dossiers/"+code+"/act/receive", url.Values{}), "/dossiers/")
	redirected(t, desk.post("/dossiers/"+code+"/act/request-documents", url.Values{"item_other": {"Bản sao bản án ly hôn"}, "note": {"hết hạn"}}), "/dossiers/")
	res := citizen.get("/dossiers/" + code)
	expect(t, res, 200, `<a href="`+forms+`01">Giấy tiếp nhận hồ sơ và hẹn trả kết quả</a>`,
		`<a href="`+forms+`02">Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ</a> <span class="muted">(Mẫu 02, PDF)</span>`)
	refuse(t, res, forms+"03", forms+"04", forms+"05")
	for _, b := range []*browser{citizen, desk, s.browser().as("lanhdao.92")} {
		isPDF(t, b.get(forms+"02"))
	}
	isPDF(t, citizen.get("/dossiers/"+code+"/receipt.pdf"))
	for _, who := range []string{"congdan.2", "motcua.31507"} {
		expect(t, s.browser().as(who).get(forms+"02"), http.StatusNotFound)
	}
	redirected(t, s.browser().get(forms+"02"), "/signin?next=")
}
