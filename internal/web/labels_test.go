package web_test

import (
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"egov/internal/epcis/epcistest"
	"egov/internal/identity"
	"egov/internal/label"
)

func TestQRLabels(t *testing.T) {
	s := chainSite(t)
	b := s.browser()
	q := "?id=" + url.QueryEscape(epcistest.RiceLot)
	if res := b.get("/labels/qr.svg" + q); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a visitor: %d", res.StatusCode)
	}
	b.signIn("truyxuat")

	// The SVG carries this site's Digital Link of the lot, with the module
	// count of its QR version.
	c, err := label.Encode(s.srv.URL + riceLotPath)
	if err != nil {
		t.Fatal(err)
	}
	res := b.get("/labels/qr.svg" + q)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("svg: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	n := 4*c.Version + 17 + 8
	if !strings.Contains(res.body, `viewBox="0 0 `+itoa(int64(n))+" "+itoa(int64(n))+`"`) {
		t.Errorf("svg of version %d: %.100s", c.Version, res.body)
	}

	req, _ := http.NewRequest("GET", s.srv.URL+"/labels/qr.png"+q+"&size=330", nil)
	pres, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(pres.Body)
	pres.Body.Close()
	if err != nil {
		t.Fatalf("png: %v", err)
	}
	if want := 330 / n * n; img.Bounds().Dx() != want || img.Bounds().Dy() != want {
		t.Errorf("png %v, want %d square", img.Bounds(), want)
	}

	res = b.get("/labels/sheet.pdf" + q + "&id=" + url.QueryEscape(epcistest.Paddy1) + "&copies=11")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.body, "%PDF-") || strings.Count(res.body, "/Subtype /Image") != 2 {
		t.Errorf("sheet: %d %s, %d images", res.StatusCode, res.Header.Get("Content-Type"), strings.Count(res.body, "/Subtype /Image"))
	}

	for target, status := range map[string]int{
		"/labels/qr.png" + q + "&size=5000":                               http.StatusBadRequest,
		"/labels/qr.svg":                                                  http.StatusBadRequest,
		"/labels/qr.svg?id=urn:epc:id:sgtin:x":                            http.StatusBadRequest,
		"/labels/qr.svg" + q + "&id=" + url.QueryEscape(epcistest.Paddy1): http.StatusBadRequest,
		"/labels/sheet.pdf" + q + "&copies=121":                           http.StatusBadRequest,
		"/labels/sheet.pdf" + q + "&copies=x":                             http.StatusBadRequest,
	} {
		if res := b.get(target); res.StatusCode != status {
			t.Errorf("%s: %d, want %d", target, res.StatusCode, status)
		}
	}
	s.officer("motcua", identity.RoleReceiver, "")
	c2 := s.browser()
	c2.signIn("motcua")
	if res := c2.get("/labels/qr.svg" + q); res.StatusCode != http.StatusForbidden {
		t.Errorf("a receiver: %d", res.StatusCode)
	}
}
