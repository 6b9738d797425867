package demo

import (
	"context"
	"fmt"
	"time"

	"egov"
	"egov/internal/app"
	"egov/internal/epcis"
	"egov/internal/identity"
)

// The traceability demo: three complete chains on the former Sóc Trăng
// territory, recorded through the operators' forms (epcis.Record), so the
// events are what an operator would have entered.
//
//   - ST25 rice: a cooperative's fields in Gia Hòa (Mỹ Xuyên) → a mill in
//     Mỹ Xuyên → a packer in Sóc Trăng → a supermarket in Phú Lợi;
//   - brackish-water shrimp: ponds in Vĩnh Hải (Vĩnh Châu) → a processing
//     plant in Vĩnh Châu → an exporter at Trần Đề;
//   - fruit (the Cù Lao Dung pilot): a cooperative's pomelo orchard →
//     the same supermarket.
//
// Every company and number is invented. The companies with GS1 keys use
// the prefixes 8939990–8939999: inside GS1 Vietnam's 893 range but
// FICTITIOUS, allotted to no one; the farmers use the provincial scheme.

// Fictitious GS1 company prefixes of the demo (see above).
const (
	demoPrefixMill      = "8939999"
	demoPrefixPacker    = "8939998"
	demoPrefixProcessor = "8939997"
)

// gs1 completes a company prefix and a reference with the check digit.
func gs1(prefix, ref string) string {
	s := prefix + ref
	return s + string(epcis.CheckDigit(s))
}

// traceOrg is one organisation of the demo with its operator.
type traceOrg struct {
	Code, Kind, Name, Unit, Address, GCP, GLN, Operator string
}

var traceOrgs = []traceOrg{
	{"HTX-ST25-GH", epcis.OrgCooperative, "HTX Nông nghiệp Lúa gạo ST25 Gia Hòa", "31726", "Ấp Hòa Phuông, Xã Gia Hòa", "", "", "htx.st25"},
	{"XX-MYXUYEN", epcis.OrgMill, "Công ty TNHH Xay xát Mỹ Xuyên", "31684", "Quốc lộ 1A, Phường Mỹ Xuyên", demoPrefixMill, gs1(demoPrefixMill, "00001"), "xay.myxuyen"},
	{"GAO-ST25-ST", epcis.OrgPacker, "Công ty CP Gạo ST25 Sóc Trăng", "31507", "Đường Lê Hồng Phong, Phường Sóc Trăng", demoPrefixPacker, gs1(demoPrefixPacker, "00001"), "donggoi.st25"},
	{"ST-PHULOI", epcis.OrgRetailer, "Siêu thị Phú Lợi", "31510", "Phường Phú Lợi", "", "", "sieuthi.phuloi"},
	{"THT-TOM-VH", epcis.OrgProducer, "Tổ hợp tác nuôi tôm Vĩnh Hải", "31795", "Ấp Âu Thọ B, Xã Vĩnh Hải", "", "", "tom.vinhhai"},
	{"TS-VINHCHAU", epcis.OrgProcessor, "Công ty CP Chế biến Thủy sản Vĩnh Châu", "31783", "Phường Vĩnh Châu", demoPrefixProcessor, gs1(demoPrefixProcessor, "00001"), "chebien.vinhchau"},
	{"XNK-TRANDE", epcis.OrgExporter, "Công ty TNHH Xuất nhập khẩu Thủy sản Trần Đề", "31673", "Cảng Trần Đề, Xã Trần Đề", "", "", "xuatkhau.trande"},
	{"HTX-TC-CLD", epcis.OrgCooperative, "HTX Trái cây Cù Lao Dung", "31633", "Ấp Phước Hòa, Xã Cù Lao Dung", "", "", "htx.culaodung"},
}

// demoRetailBag is the retail bag of ST25 rice the demo prints the
// provenance URL of: its GTIN and lot.
var demoRetailBag = struct{ GTIN, Lot string }{gs1(demoPrefixPacker, "00012"), "ST25-260310"}

// ProvenancePath is the Digital Link path of the demo's retail bag of ST25
// rice, e.g. /01/08939998000124/10/ST25-260310 (its provenance page).
func ProvenancePath() string {
	return "/01/0" + demoRetailBag.GTIN + "/10/" + demoRetailBag.Lot
}

// LoadTrace loads the traceability demo once: the organisations, their
// operators, places, products, lots and certificates, and the events of
// the three chains. It does nothing when the rice cooperative exists.
func LoadTrace(ctx context.Context, a *app.App) error {
	orgs, err := a.Trace.Organisations(ctx, identity.SystemActor)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.Code == traceOrgs[0].Code {
			return nil
		}
	}
	l := &traceLoader{ctx: ctx, a: a, orgs: map[string]*epcis.Organisation{}, actors: map[string]*identity.Actor{},
		locs: map[string]*epcis.Location{}, prods: map[string]*epcis.Product{}, lots: map[string]*epcis.Lot{}}
	if err := l.masterData(); err != nil {
		return fmt.Errorf("trace master data: %w", err)
	}
	for _, chain := range []func() error{l.rice, l.shrimp, l.fruit} {
		if err := chain(); err != nil {
			return fmt.Errorf("trace events: %w", err)
		}
	}
	return nil
}

type traceLoader struct {
	ctx    context.Context
	a      *app.App
	err    error
	orgs   map[string]*epcis.Organisation // by code
	actors map[string]*identity.Actor     // by organisation code
	locs   map[string]*epcis.Location     // by ref
	prods  map[string]*epcis.Product      // by key given below
	lots   map[string]*epcis.Lot          // by lot number
}

func f(v float64) *float64 { return &v }

// at is a local time in Vietnam.
func at(date string, hour, min int) time.Time {
	d, _ := time.Parse(time.DateOnly, date)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, min, 0, 0, time.FixedZone("ICT", 7*3600))
}

func (l *traceLoader) masterData() error {
	ctx, a := l.ctx, l.a
	g, err := a.Units.Graph(ctx)
	if err != nil {
		return err
	}
	for _, o := range traceOrgs {
		u := g.At(o.Unit, a.Units.Today())
		if u == nil {
			return fmt.Errorf("no unit %s today", o.Unit)
		}
		org, err := a.Trace.CreateOrganisation(ctx, identity.SystemActor, epcis.Organisation{Code: o.Code, Kind: o.Kind, Name: o.Name,
			UnitID: u.ID, Address: o.Address, GCP: o.GCP, GLN: o.GLN})
		if err != nil {
			return err
		}
		l.orgs[o.Code] = org
		user, err := a.Identity.UserByName(ctx, o.Operator)
		if err != nil {
			return fmt.Errorf("operator %s: %w", o.Operator, err)
		}
		if err := a.Trace.SetMember(ctx, identity.SystemActor, user.ID, org.ID); err != nil {
			return err
		}
		if l.actors[o.Code], err = a.Identity.ActorFor(ctx, user); err != nil {
			return err
		}
	}
	type loc struct {
		org, ref, parent, kind, name, gln string
		lat, lon, area                    float64
	}
	for _, x := range []loc{
		{"HTX-ST25-GH", "RUONG-HP-01", "", "field", "Ruộng ấp Hòa Phuông số 1", "", 9.4871, 105.9442, 25000},
		{"HTX-ST25-GH", "RUONG-HP-02", "", "field", "Ruộng ấp Hòa Phuông số 2", "", 9.4893, 105.9468, 18000},
		{"HTX-ST25-GH", "SAN-PHOI", "", "drying_yard", "Sân phơi, lò sấy HTX Gia Hòa", "", 9.4902, 105.9501, 0},
		{"XX-MYXUYEN", "NHA-MAY", "", "mill", "Nhà máy xay xát Mỹ Xuyên", gs1(demoPrefixMill, "00010"), 9.5562, 105.9853, 0},
		{"XX-MYXUYEN", "LO-SAY", "NHA-MAY", "drying_yard", "Lò sấy nhà máy Mỹ Xuyên", gs1(demoPrefixMill, "00020"), 9.5565, 105.9857, 0},
		{"GAO-ST25-ST", "XUONG-DG", "", "packhouse", "Xưởng đóng gói Gạo ST25 Sóc Trăng", gs1(demoPrefixPacker, "00010"), 9.6031, 105.9742, 0},
		{"ST-PHULOI", "CUA-HANG", "", "shop", "Siêu thị Phú Lợi", "", 9.5984, 105.9651, 0},
		{"THT-TOM-VH", "AO-01", "", "pond", "Ao nuôi số 1 ấp Âu Thọ B", "", 9.3452, 106.1503, 5000},
		{"THT-TOM-VH", "AO-02", "", "pond", "Ao nuôi số 2 ấp Âu Thọ B", "", 9.3468, 106.1527, 4500},
		{"TS-VINHCHAU", "NHA-MAY-CB", "", "plant", "Nhà máy chế biến Vĩnh Châu", gs1(demoPrefixProcessor, "00010"), 9.3271, 105.9853, 0},
		{"TS-VINHCHAU", "KHO-LANH", "NHA-MAY-CB", "warehouse", "Kho lạnh nhà máy Vĩnh Châu", gs1(demoPrefixProcessor, "00020"), 9.3274, 105.9859, 0},
		{"XNK-TRANDE", "KHO-CANG", "", "port", "Kho lạnh cảng Trần Đề", "", 9.5052, 106.2047, 0},
		{"HTX-TC-CLD", "VUON-PH-07", "", "orchard", "Vườn bưởi ấp Phước Hòa số 7", "", 9.6207, 106.1722, 12000},
		{"HTX-TC-CLD", "NHA-SO-CHE", "", "packhouse", "Nhà sơ chế, đóng gói HTX Cù Lao Dung", "", 9.6181, 106.1690, 0},
	} {
		in := epcis.Location{OrgID: l.orgs[x.org].ID, Kind: x.kind, Ref: x.ref, Name: x.name, GLN: x.gln, Lat: f(x.lat), Lon: f(x.lon)}
		if x.area > 0 {
			in.AreaM2 = f(x.area)
		}
		if x.parent != "" {
			in.ParentID = l.locs[x.parent].ID
		}
		loc, err := a.Trace.CreateLocation(ctx, identity.SystemActor, in)
		if err != nil {
			return fmt.Errorf("location %s: %w", x.ref, err)
		}
		l.locs[x.ref] = loc
	}
	for key, p := range map[string]epcis.Product{
		"paddy":  {OrgID: l.orgs["HTX-ST25-GH"].ID, Kind: "paddy", Ref: "LUA-ST25", NameVI: "Lúa ST25", NameEN: "ST25 paddy"},
		"bulk":   {OrgID: l.orgs["XX-MYXUYEN"].ID, Kind: "rice", GTIN: gs1(demoPrefixMill, "00015"), NameVI: "Gạo ST25 xát trắng (hàng rời)", NameEN: "Milled ST25 rice (bulk)"},
		"bag":    {OrgID: l.orgs["GAO-ST25-ST"].ID, Kind: "rice", GTIN: demoRetailBag.GTIN, NameVI: "Gạo ST25 Sóc Trăng túi 5 kg", NameEN: "ST25 Sóc Trăng rice, 5 kg bag", UOM: "EA"},
		"shrimp": {OrgID: l.orgs["THT-TOM-VH"].ID, Kind: "shrimp", Ref: "TOM-THE", NameVI: "Tôm thẻ chân trắng nguyên liệu", NameEN: "Whiteleg shrimp, raw"},
		"frozen": {OrgID: l.orgs["TS-VINHCHAU"].ID, Kind: "shrimp", GTIN: gs1(demoPrefixProcessor, "00018"), NameVI: "Tôm thẻ PD đông lạnh", NameEN: "Frozen peeled whiteleg shrimp"},
		"box":    {OrgID: l.orgs["TS-VINHCHAU"].ID, Kind: "shrimp", GTIN: gs1(demoPrefixProcessor, "00025"), NameVI: "Tôm thẻ PD đông lạnh hộp 1 kg", NameEN: "Frozen peeled shrimp, 1 kg box", UOM: "EA"},
		"pomelo": {OrgID: l.orgs["HTX-TC-CLD"].ID, Kind: "fruit", Ref: "BUOI-DX", NameVI: "Bưởi da xanh", NameEN: "Green-skin pomelo"},
		"crate":  {OrgID: l.orgs["HTX-TC-CLD"].ID, Kind: "fruit", Ref: "BUOI-DX-10KG", NameVI: "Bưởi da xanh thùng 10 kg", NameEN: "Green-skin pomelo, 10 kg crate", UOM: "EA"},
	} {
		pr, err := a.Trace.CreateProduct(ctx, identity.SystemActor, p)
		if err != nil {
			return fmt.Errorf("product %s: %w", key, err)
		}
		l.prods[key] = pr
	}
	type lot struct {
		product, lot, variety, harvest, loc string
		area                                float64
	}
	for _, x := range []lot{
		{"paddy", "GH-DX2526-01", "ST25", "2026-02-24", "RUONG-HP-01", 25000},
		{"paddy", "GH-DX2526-02", "ST25", "2026-02-25", "RUONG-HP-02", 18000},
		{"shrimp", "VH-AO1-2026", "", "2026-06-18", "AO-01", 5000},
		{"pomelo", "CLD-PH7-2608", "Da xanh", "2026-08-12", "VUON-PH-07", 12000},
	} {
		p := l.prods[x.product]
		in := epcis.Lot{ProductID: p.ID, OrgID: p.OrgID, Lot: x.lot, Variety: x.variety, HarvestDate: x.harvest, LocationID: l.locs[x.loc].ID, AreaM2: f(x.area)}
		lt, err := a.Trace.CreateLot(ctx, identity.SystemActor, in)
		if err != nil {
			return fmt.Errorf("lot %s: %w", x.lot, err)
		}
		l.lots[x.lot] = lt
	}
	type cert struct {
		org, scheme, number, issuer, from, to, loc, product string
	}
	for _, c := range []cert{
		{"HTX-ST25-GH", "vietgap", "VietGAP-TT-25-01-0457 (giả lập)", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng (giả lập)", "2025-03-01", "2028-02-29", "RUONG-HP-01", ""},
		{"HTX-ST25-GH", "vietgap", "VietGAP-TT-25-01-0458 (giả lập)", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng (giả lập)", "2025-03-01", "2028-02-29", "RUONG-HP-02", ""},
		{"GAO-ST25-ST", "gi", "Chỉ dẫn địa lý “Gạo ST25 Sóc Trăng” — số 000xx (giả lập)", "Cục Sở hữu trí tuệ (giả lập)", "2024-01-01", "2099-12-31", "", "bag"},
		{"XX-MYXUYEN", "haccp", "HACCP-2025-MX-112 (giả lập)", "Tổ chức chứng nhận (giả lập)", "2025-05-01", "2028-04-30", "", ""},
		{"THT-TOM-VH", "vietgap", "VietGAP-TS-26-0093 (giả lập)", "Trung tâm Chứng nhận Thủy sản (giả lập)", "2026-01-15", "2029-01-14", "AO-01", ""},
		{"TS-VINHCHAU", "asc", "ASC-C-02871 (giả lập)", "Tổ chức chứng nhận ASC (giả lập)", "2025-09-01", "2028-08-31", "", ""},
		{"HTX-TC-CLD", "globalgap", "GGN 4069999000123 (giả lập)", "Tổ chức chứng nhận GlobalGAP (giả lập)", "2025-06-01", "2026-05-31", "VUON-PH-07", ""},
		{"HTX-TC-CLD", "vietgap", "VietGAP-TT-26-07-0211 (giả lập)", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng (giả lập)", "2026-06-01", "2029-05-31", "VUON-PH-07", ""},
	} {
		in := epcis.Certification{OrgID: l.orgs[c.org].ID, Scheme: c.scheme, Number: c.number, Issuer: c.issuer, ValidFrom: c.from, ValidTo: c.to}
		if c.loc != "" {
			in.LocationID = l.locs[c.loc].ID
		}
		if c.product != "" {
			in.ProductID = l.prods[c.product].ID
		}
		if _, err := a.Trace.CreateCertification(ctx, identity.SystemActor, in); err != nil {
			return fmt.Errorf("certification %s: %w", c.number, err)
		}
	}
	return nil
}

// record records a form for an organisation's operator; the first error
// sticks.
func (l *traceLoader) record(org string, r epcis.Record) *epcis.Recorded {
	if l.err != nil {
		return nil
	}
	out, err := l.a.Trace.Record(l.ctx, l.actors[org], r)
	if err != nil {
		key, args := egov.ErrorKey(err)
		l.err = fmt.Errorf("%s %s at %s: %w (%s %v)", org, r.Kind, r.Time.Format(time.DateTime), err, key, args)
		return nil
	}
	if out.Output != nil {
		l.lots[out.Output.Lot+"@"+org] = out.Output
	}
	return out
}

func (l *traceLoader) lot(key string) int64   { return l.lots[key].ID }
func (l *traceLoader) place(ref string) int64 { return l.locs[ref].ID }
func (l *traceLoader) org(code string) int64  { return l.orgs[code].ID }

func (l *traceLoader) rice() error {
	const coop, mill, packer, shop = "HTX-ST25-GH", "XX-MYXUYEN", "GAO-ST25-ST", "ST-PHULOI"
	for i, x := range []struct{ lot, field string }{{"GH-DX2526-01", "RUONG-HP-01"}, {"GH-DX2526-02", "RUONG-HP-02"}} {
		d := i // the second field a day later
		l.record(coop, epcis.Record{Kind: "sowing", Time: at("2025-11-18", 6, 30).AddDate(0, 0, d), Location: l.place(x.field),
			Lot: epcis.LotQty{Lot: l.lot(x.lot)}, Ext: map[string]string{"variety": "ST25", "seedKg": "150", "note": "Sạ hàng, giống xác nhận"}})
		l.record(coop, epcis.Record{Kind: "inputs", Time: at("2025-12-10", 7, 0).AddDate(0, 0, d), Location: l.place(x.field),
			Lot: epcis.LotQty{Lot: l.lot(x.lot)}, Ext: map[string]string{"inputType": "phân bón", "inputName": "NPK 20-20-15", "dose": "100", "doseUnit": "kg/ha"}})
		l.record(coop, epcis.Record{Kind: "inputs", Time: at("2026-01-20", 7, 0).AddDate(0, 0, d), Location: l.place(x.field),
			Lot: epcis.LotQty{Lot: l.lot(x.lot)}, Ext: map[string]string{"inputType": "thuốc BVTV sinh học", "inputName": "Chế phẩm Trichoderma", "dose": "2", "doseUnit": "kg/ha", "preharvestDays": "7"}})
		l.record(coop, epcis.Record{Kind: "harvest", Time: at("2026-02-24", 8, 0).AddDate(0, 0, d), Location: l.place(x.field),
			Lot: epcis.LotQty{Lot: l.lot(x.lot), Quantity: f([]float64{17500, 12600}[i])}})
		l.record(coop, epcis.Record{Kind: "drying", Time: at("2026-02-26", 16, 0).AddDate(0, 0, d), Location: l.place("SAN-PHOI"),
			Lot: epcis.LotQty{Lot: l.lot(x.lot), Quantity: f([]float64{15400, 11100}[i])}, Ext: map[string]string{"moisturePercent": "14.5"}})
		l.record(coop, epcis.Record{Kind: "shipping", Time: at("2026-03-02", 7, 0).AddDate(0, 0, d), Location: l.place("SAN-PHOI"),
			Lot: epcis.LotQty{Lot: l.lot(x.lot), Quantity: f([]float64{15400, 11100}[i])}, Party: l.org(mill), Document: fmt.Sprintf("PX-GH-26-%02d", i+1)})
		l.record(mill, epcis.Record{Kind: "receiving", Time: at("2026-03-02", 10, 30).AddDate(0, 0, d), Location: l.place("LO-SAY"),
			Lot: epcis.LotQty{Lot: l.lot(x.lot), Quantity: f([]float64{15380, 11090}[i])}, Party: l.org(coop), Document: fmt.Sprintf("PX-GH-26-%02d", i+1)})
	}
	l.record(mill, epcis.Record{Kind: "milling", Time: at("2026-03-05", 8, 0), Location: l.place("NHA-MAY"),
		Inputs:     []epcis.LotQty{{Lot: l.lot("GH-DX2526-01"), Quantity: f(15380)}, {Lot: l.lot("GH-DX2526-02"), Quantity: f(11090)}},
		OutProduct: l.prods["bulk"].ID, OutLot: "MX-260305", Output: epcis.LotQty{Quantity: f(16800)}, Ext: map[string]string{"note": "Xát trắng, lau bóng, tách màu"}})
	if l.err != nil {
		return l.err
	}
	bulk := l.lot("MX-260305@" + mill)
	l.record(mill, epcis.Record{Kind: "shipping", Time: at("2026-03-07", 6, 0), Location: l.place("NHA-MAY"),
		Lot: epcis.LotQty{Lot: bulk, Quantity: f(16800)}, Party: l.org(packer), Document: "XK-MX-0307"})
	l.record(packer, epcis.Record{Kind: "receiving", Time: at("2026-03-07", 9, 15), Location: l.place("XUONG-DG"),
		Lot: epcis.LotQty{Lot: bulk, Quantity: f(16800)}, Party: l.org(mill), Document: "XK-MX-0307"})
	// 400 bags of 5 kg, 20 bags a carton: the first carton's aggregation
	// is recorded with the packing, the others as their own packing forms.
	for c := 1; c <= 3; c++ {
		l.record(packer, epcis.Record{Kind: "packing", Time: at("2026-03-10", 8, 0).Add(time.Duration(c) * 20 * time.Minute), Location: l.place("XUONG-DG"),
			Inputs: []epcis.LotQty{{Lot: bulk, Quantity: f(100)}}, OutProduct: l.prods["bag"].ID, OutLot: demoRetailBag.Lot,
			Output: epcis.LotQty{Quantity: f(20)}, Carton: fmt.Sprintf("THUNG-0310-%03d", c)})
	}
	if l.err != nil {
		return l.err
	}
	bags := l.lot(demoRetailBag.Lot + "@" + packer)
	l.record(packer, epcis.Record{Kind: "shipping", Time: at("2026-03-11", 7, 0), Location: l.place("XUONG-DG"),
		Lot: epcis.LotQty{Lot: bags, Quantity: f(60)}, Party: l.org(shop), Document: "PX-ST25-0311"})
	l.record(shop, epcis.Record{Kind: "receiving", Time: at("2026-03-11", 9, 40), Location: l.place("CUA-HANG"),
		Lot: epcis.LotQty{Lot: bags, Quantity: f(60)}, Party: l.org(packer), Document: "PX-ST25-0311"})
	return l.err
}

func (l *traceLoader) shrimp() error {
	const farm, plant, exporter = "THT-TOM-VH", "TS-VINHCHAU", "XNK-TRANDE"
	crop := l.lot("VH-AO1-2026")
	pond := l.place("AO-01")
	l.record(farm, epcis.Record{Kind: "stocking", Time: at("2026-03-20", 6, 0), Location: pond, Lot: epcis.LotQty{Lot: crop},
		Ext: map[string]string{"species": "Litopenaeus vannamei", "seedSource": "Trại giống Vĩnh Châu (giả lập)", "note": "500.000 con PL12"}})
	for i, d := range []string{"2026-04-05", "2026-05-05", "2026-06-05"} {
		l.record(farm, epcis.Record{Kind: "feeding", Time: at(d, 7, 0), Location: pond, Lot: epcis.LotQty{Lot: crop},
			Ext: map[string]string{"feedName": "Thức ăn tôm thẻ 40% đạm", "feedKg": []string{"35", "80", "120"}[i]}})
		l.record(farm, epcis.Record{Kind: "water", Time: at(d, 16, 0), Location: pond, Lot: epcis.LotQty{Lot: crop},
			Sensors: map[string]*float64{"temperature": f([]float64{28.6, 30.1, 31.2}[i]), "ph": f([]float64{7.8, 7.9, 8.1}[i]),
				"salinity": f([]float64{14, 17, 19}[i]), "oxygen": f([]float64{5.6, 5.1, 4.8}[i])}})
	}
	l.record(farm, epcis.Record{Kind: "harvest", Time: at("2026-06-18", 5, 0), Location: pond, Lot: epcis.LotQty{Lot: crop, Quantity: f(6200)}})
	l.record(farm, epcis.Record{Kind: "shipping", Time: at("2026-06-18", 8, 0), Location: pond, Lot: epcis.LotQty{Lot: crop, Quantity: f(6200)},
		Party: l.org(plant), Document: "VH-0618"})
	l.record(plant, epcis.Record{Kind: "receiving", Time: at("2026-06-18", 10, 30), Location: l.place("NHA-MAY-CB"), Lot: epcis.LotQty{Lot: crop, Quantity: f(6180)},
		Party: l.org(farm), Document: "VH-0618"})
	l.record(plant, epcis.Record{Kind: "processing", Time: at("2026-06-19", 7, 0), Location: l.place("NHA-MAY-CB"),
		Inputs: []epcis.LotQty{{Lot: crop, Quantity: f(6180)}}, OutProduct: l.prods["frozen"].ID, OutLot: "VC-260619", Output: epcis.LotQty{Quantity: f(3900)},
		Ext: map[string]string{"note": "Lột vỏ, bỏ đầu (PD), cấp đông IQF"}})
	if l.err != nil {
		return l.err
	}
	frozen := l.lot("VC-260619@" + plant)
	l.record(plant, epcis.Record{Kind: "packing", Time: at("2026-06-20", 8, 0), Location: l.place("KHO-LANH"),
		Inputs: []epcis.LotQty{{Lot: frozen, Quantity: f(3900)}}, OutProduct: l.prods["box"].ID, OutLot: "VC-260620",
		Output: epcis.LotQty{Quantity: f(3900)}, Carton: gs1("0"+demoPrefixProcessor, "000000001")})
	if l.err != nil {
		return l.err
	}
	boxes := l.lot("VC-260620@" + plant)
	l.record(plant, epcis.Record{Kind: "shipping", Time: at("2026-06-22", 6, 0), Location: l.place("KHO-LANH"), Lot: epcis.LotQty{Lot: boxes, Quantity: f(3900)},
		Party: l.org(exporter), Document: "VC-XK-0622"})
	l.record(exporter, epcis.Record{Kind: "receiving", Time: at("2026-06-22", 9, 0), Location: l.place("KHO-CANG"), Lot: epcis.LotQty{Lot: boxes, Quantity: f(3900)},
		Party: l.org(plant), Document: "VC-XK-0622"})
	return l.err
}

func (l *traceLoader) fruit() error {
	const coop, shop = "HTX-TC-CLD", "ST-PHULOI"
	crop := l.lot("CLD-PH7-2608")
	orchard := l.place("VUON-PH-07")
	l.record(coop, epcis.Record{Kind: "inputs", Time: at("2026-06-10", 7, 0), Location: orchard, Lot: epcis.LotQty{Lot: crop},
		Ext: map[string]string{"inputType": "phân bón hữu cơ", "inputName": "Phân hữu cơ vi sinh", "dose": "5", "doseUnit": "kg/cây"}})
	l.record(coop, epcis.Record{Kind: "harvest", Time: at("2026-08-12", 6, 30), Location: orchard, Lot: epcis.LotQty{Lot: crop, Quantity: f(4200)}})
	l.record(coop, epcis.Record{Kind: "sorting", Time: at("2026-08-12", 14, 0), Location: l.place("NHA-SO-CHE"), Lot: epcis.LotQty{Lot: crop, Quantity: f(3600)},
		Ext: map[string]string{"grade": "Loại 1 (1,2–1,8 kg/trái)"}})
	l.record(coop, epcis.Record{Kind: "packing", Time: at("2026-08-13", 7, 0), Location: l.place("NHA-SO-CHE"),
		Inputs: []epcis.LotQty{{Lot: crop, Quantity: f(3600)}}, OutProduct: l.prods["crate"].ID, OutLot: "CLD-260813",
		Output: epcis.LotQty{Quantity: f(360)}})
	if l.err != nil {
		return l.err
	}
	crates := l.lot("CLD-260813@" + coop)
	l.record(coop, epcis.Record{Kind: "shipping", Time: at("2026-08-14", 5, 30), Location: l.place("NHA-SO-CHE"), Lot: epcis.LotQty{Lot: crates, Quantity: f(120)},
		Party: l.org(shop), Document: "CLD-0814"})
	l.record(shop, epcis.Record{Kind: "receiving", Time: at("2026-08-14", 9, 0), Location: l.place("CUA-HANG"), Lot: epcis.LotQty{Lot: crates, Quantity: f(120)},
		Party: l.org(coop), Document: "CLD-0814"})
	return l.err
}
