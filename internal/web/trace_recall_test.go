package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"egov/internal/epcis"
	"egov/internal/identity"
)

// riceChain records on riceTraceSite, through the domain, the chain the
// browser journey enters: a paddy lot harvested on the cooperative's field
// and shipped to the mill, received, milled into white rice and packed
// into 5 kg bags on a pallet. It returns the paddy lot and the bag lot.
func riceChain(t *testing.T, s *site) (paddy, bags *epcis.Lot) {
	t.Helper()
	ctx := context.Background()
	tr := s.app.Trace
	coop, mill := s.actor("htx.giahoa"), s.actor("xay.myxuyen")
	field, err := tr.CreateLocation(ctx, coop, epcis.Location{Kind: "field", Ref: "RUONG-03", Name: "Ruộng 3 ấp Hòa Phuông"})
	if err != nil {
		t.Fatal(err)
	}
	prod, err := tr.CreateProduct(ctx, coop, epcis.Product{Kind: "paddy", Ref: "LUA-ST25", NameVI: "Lúa ST25 Gia Hòa", NameEN: "Gia Hoa ST25 paddy", UOM: "KGM"})
	if err != nil {
		t.Fatal(err)
	}
	paddy, err = tr.CreateLot(ctx, coop, epcis.Lot{ProductID: prod.ID, Lot: "GH-2026-03", Variety: "ST25", HarvestDate: "2026-02-26", LocationID: field.ID})
	if err != nil {
		t.Fatal(err)
	}
	bagProduct, err := tr.CreateProduct(ctx, mill, epcis.Product{Kind: "rice", GTIN: "8939999001014", NameVI: "Gạo ST25 Mỹ Xuyên túi 5 kg",
		NameEN: "My Xuyen ST25 rice, 5 kg bag", UOM: "EA"})
	if err != nil {
		t.Fatal(err)
	}
	var bulk *epcis.Product
	prods, err := tr.Products(ctx, mill, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prods {
		if p.Ref == "GAO-ST25" {
			bulk = p
		}
	}
	locs, err := tr.Locations(ctx, mill, 0)
	if err != nil || len(locs) == 0 {
		t.Fatal(err)
	}
	orgOf := func(a *identity.Actor) int64 {
		acc, err := tr.AccessOf(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return acc.Org
	}
	at := func(day, hour int) time.Time {
		return time.Date(2026, 2, day, hour, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	}
	q := func(f float64) *float64 { return &f }
	record := func(a *identity.Actor, r epcis.Record) *epcis.Recorded {
		t.Helper()
		out, err := tr.Record(ctx, a, r)
		if err != nil {
			t.Fatalf("%s: %v", r.Kind, err)
		}
		return out
	}
	record(coop, epcis.Record{Kind: "harvest", Time: at(26, 7), Location: field.ID, Lot: epcis.LotQty{Lot: paddy.ID, Quantity: q(7200)}})
	record(coop, epcis.Record{Kind: "shipping", Time: at(27, 14), Location: field.ID, Lot: epcis.LotQty{Lot: paddy.ID, Quantity: q(7200)},
		Party: orgOf(mill), Document: "PX-0227"})
	record(mill, epcis.Record{Kind: "receiving", Time: at(27, 17), Location: locs[0].ID, Lot: epcis.LotQty{Lot: paddy.ID, Quantity: q(7150)},
		Party: orgOf(coop)})
	milled := record(mill, epcis.Record{Kind: "milling", Time: at(28, 8), Location: locs[0].ID, Inputs: []epcis.LotQty{{Lot: paddy.ID, Quantity: q(7150)}},
		OutProduct: bulk.ID, OutLot: "MX-0228", Output: epcis.LotQty{Quantity: q(4300)}})
	packed := record(mill, epcis.Record{Kind: "packing", Time: at(28, 9).AddDate(0, 0, 1), Location: locs[0].ID,
		Inputs: []epcis.LotQty{{Lot: milled.Output.ID, Quantity: q(4300)}}, OutProduct: bagProduct.ID, OutLot: "MX-0228",
		Output: epcis.LotQty{Quantity: q(860)}, Carton: "PL-0301"})
	return paddy, packed.Output
}

// The recall page answers "what is downstream of this lot" for an
// operator, within what its organisation sees, and for the province's
// administrator over the whole chain.
func TestTraceRecallPage(t *testing.T) {
	s := riceTraceSite(t)
	paddy, bags := riceChain(t, s)
	page := "/trace/recall?id=" + url.QueryEscape(paddy.Identifier)

	if res := s.browser().get(page); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a visitor: %d", res.StatusCode)
	}
	s.officer("motcua", identity.RoleReceiver, "")
	o := s.browser()
	o.signIn("motcua")
	expect(t, o.get(page), http.StatusForbidden)

	// The mill handled every step after the cooperative's shipment.
	m := s.browser()
	m.signIn("xay.myxuyen")
	expect(t, m.get("/trace/recall"), http.StatusOK, "Truy vết để thu hồi", `action="/trace/recall"`)
	res := m.get(page)
	expect(t, res, http.StatusOK, "Xuôi chuỗi từ Lúa ST25 Gia Hòa · Lô GH-2026-03", "Lô hàng, kể cả lô được hỏi (3)",
		"Gạo trắng ST25 · Lô MX-0228", "Gạo ST25 Mỹ Xuyên túi 5 kg · Lô MX-0228", "Đơn vị hậu cần: bao, thùng, pallet (1)", "PL-0301",
		"Các lần xuất, nhận hàng (2)", "<td>14:00 27/02/2026</td><td>Xuất hàng</td><td>Ruộng 3 ấp Hòa Phuông</td>",
		"<td>HTX Nông nghiệp Gia Hòa</td><td>Nhà máy xay xát Mỹ Xuyên</td>",
		`href="/trace/graph?id=`+url.QueryEscape(bags.Identifier)+`"`, "Chỉ gồm các sự kiện tổ chức của bạn được xem")

	// The cooperative sees one step forward: the milling of its paddy,
	// not the mill's packing of the rice.
	c := s.browser()
	c.signIn("htx.giahoa")
	res = c.get(page)
	expect(t, res, http.StatusOK, "Lô hàng, kể cả lô được hỏi (2)", "Gạo trắng ST25 · Lô MX-0228", "Đơn vị hậu cần: bao, thùng, pallet (0)")
	refuse(t, res, "túi 5 kg", "PL-0301")

	// The administrator sees the whole chain, and is not told otherwise.
	s.officer("quantri", identity.RoleAdmin, "")
	a := s.browser()
	a.signIn("quantri")
	res = a.get(page)
	expect(t, res, http.StatusOK, "Lô hàng, kể cả lô được hỏi (3)", "PL-0301")
	refuse(t, res, "Chỉ gồm các sự kiện tổ chức của bạn được xem")

	// In English; a malformed identifier is refused with its reason.
	m.lang = "en"
	expect(t, m.get(page), http.StatusOK, "Recall trace", "Lots, including the one asked about (3)", "Shipments and receipts (2)", "<th scope=\"col\">From</th>")
	m.lang = ""
	expect(t, m.get("/trace/recall?id=urn:epc:id:sgtin:nope"), http.StatusUnprocessableEntity, "Mã truy xuất không hợp lệ")
}

// From the operator's list of lots to a lot's page, its label and its
// recall; the label's section carries the Digital Link the QR code holds.
func TestTraceLotLinks(t *testing.T) {
	s := riceTraceSite(t)
	paddy, bags := riceChain(t, s)
	m := s.browser()
	m.signIn("xay.myxuyen")
	// A template escapes an identifier in a query with lower-case hex.
	id := regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(url.QueryEscape(bags.Identifier), strings.ToLower)
	graph := "/trace/graph?id=" + id
	expect(t, m.get("/trace"), http.StatusOK, `<a href="`+graph+`">MX-0228</a>`, `href="`+graph+`#label"`,
		`href="/trace/recall?id=`+id+`"`, `href="/trace/recall"`)
	uri := s.srv.URL + "/01/08939999001014/10/MX-0228"
	res := m.get(graph)
	expect(t, res, http.StatusOK, `<section id="label"`, `<a class="uri" href="`+uri+`">`+uri+`</a>`,
		`src="/labels/qr.svg?id=`+id+`"`, `href="/labels/sheet.pdf?id=`+id+`&amp;copies=21"`, `href="/trace/recall?id=`+id+`"`,
		// The upstream paddy links to its own graph page.
		`<a href="/trace/graph?id=`+url.QueryEscape(paddy.Identifier)+`">Lúa ST25 Gia Hòa · Lô GH-2026-03</a>`)
	if res := m.get("/labels/qr.svg?id=" + url.QueryEscape(bags.Identifier)); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("the label's QR code: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// The public page says who carried out each stage, and that a milled or
// packed lot's date is its production date; the paddy's is its harvest.
func TestProvenanceStagesSayWho(t *testing.T) {
	s := riceTraceSite(t)
	riceChain(t, s)
	b := s.browser()
	path := "/01/08939999001014/10/MX-0228"
	res := b.get(path)
	expect(t, res, http.StatusOK, "<dt>Ngày sản xuất</dt><dd>01/03/2026</dd>", "Cơ sở thực hiện: HTX Nông nghiệp Gia Hòa",
		"Cơ sở thực hiện: Nhà máy xay xát Mỹ Xuyên",
		// The bag's lot names no variety: the paddy's is the one shown.
		"<dt>Giống</dt><dd>ST25</dd>",
		// Packing the rice, then the bags onto a pallet: two names.
		"<h3>Đóng gói</h3>", "<h3>Đóng thùng, xếp pallet</h3>")
	refuse(t, res, "Ngày thu hoạch</dt>")
	b.lang = "en"
	expect(t, b.get(path), http.StatusOK, "<dt>Production date</dt><dd>1 Mar 2026</dd>", "Carried out by: HTX Nông nghiệp Gia Hòa")
}

// A milling form refused for its output quantity says so beside the
// field and registers no lot.
func TestTraceTransformationRefusal(t *testing.T) {
	s := riceTraceSite(t)
	paddy, _ := riceChain(t, s)
	m := s.browser()
	m.signIn("xay.myxuyen")
	bulk, err := s.app.Trace.Products(context.Background(), s.actor("xay.myxuyen"), 0)
	if err != nil {
		t.Fatal(err)
	}
	var product string
	for _, p := range bulk {
		if p.Ref == "GAO-ST25" {
			product = strconv.FormatInt(p.ID, 10)
		}
	}
	form := url.Values{"time": {"2026-03-01T10:00"}, "location": {s.locationID(t, "xay.myxuyen")}, "input1": {strconv.FormatInt(paddy.ID, 10)},
		"input1_qty": {"50"}, "out_product": {product}, "out_lot": {"MX-0301"}, "output_qty": {"-30"}}
	res := m.post("/trace/events/new?kind=milling", form)
	expect(t, res, http.StatusUnprocessableEntity, `<p class="field-error" id="e-output_qty">Nhập số lượng lớn hơn 0.</p>`)
	refuse(t, m.get("/trace"), "MX-0301")
}
