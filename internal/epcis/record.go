package epcis

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/identity"
	"egov/internal/store"
)

// The operators' forms record the critical events of each chain. Each
// form fills a Record; Record builds standard EPCIS 2.0 events from it and
// captures them through Capture, like any client of /epcis/capture, so a
// form can produce nothing the repository would refuse from a client.
//
// Business steps the CBV lacks, the extension fields and the measurement
// types the forms use are the province's vocabulary, under
// {base}/voc/ (base: the provincial identifier scheme's): the README lists
// them.

// VocabNamespace is the namespace of the province's vocabulary.
func (s *Service) VocabNamespace() string { return s.Parser.IDs.Provincial.Base + "/voc/" }

// Chains are the value chains the forms serve.
var Chains = []string{"rice", "shrimp", "fruit"}

// Event shapes: what a form asks for and what events it makes.
const (
	ShapeObserve   = "observe"   // an ObjectEvent about one lot at one place
	ShapeSensor    = "sensor"    // an ObjectEvent with sensor reports (water quality)
	ShapeTransform = "transform" // a TransformationEvent: input lots → an output lot
	ShapePack      = "pack"      // a TransformationEvent into retail units, and their AggregationEvent into a carton
	ShapeShip      = "ship"      // an ObjectEvent shipping a lot to another organisation
	ShapeReceive   = "receive"   // an ObjectEvent receiving a lot from another organisation
)

// EventKind is one kind of critical event with its form.
type EventKind struct {
	Name    string
	Chains  []string
	Shape   string
	Action  string // ADD or OBSERVE (ObjectEvent shapes)
	BizStep string // a CBV word, or a provincial step (Custom)
	Custom  bool   // BizStep is under the provincial vocabulary: {voc}BizStep-{name}
	Disp    string // a CBV disposition, or ""
	Ext     []string
}

// ExtFields are the province's extension fields, as {voc}{name} (prefix
// tx: in the events' @context), with whether each is a number.
var ExtFields = map[string]bool{
	"variety": false, "seedKg": true, "inputType": false, "inputName": false, "dose": true, "doseUnit": false,
	"preharvestDays": true, "moisturePercent": true, "feedName": false, "feedKg": true, "seedSource": false,
	"species": false, "grade": false, "note": false,
}

// EventKinds lists the critical events in the order the forms show them.
var EventKinds = []EventKind{
	{Name: "sowing", Chains: []string{"rice"}, Shape: ShapeObserve, Action: "ADD", BizStep: "sowing", Custom: true, Disp: "active", Ext: []string{"variety", "seedKg", "note"}},
	{Name: "inputs", Chains: []string{"rice", "fruit"}, Shape: ShapeObserve, Action: "OBSERVE", BizStep: "applying_inputs", Custom: true, Ext: []string{"inputType", "inputName", "dose", "doseUnit", "preharvestDays", "note"}},
	{Name: "stocking", Chains: []string{"shrimp"}, Shape: ShapeObserve, Action: "ADD", BizStep: "pond_stocking", Custom: true, Disp: "active", Ext: []string{"species", "seedSource", "note"}},
	{Name: "feeding", Chains: []string{"shrimp"}, Shape: ShapeObserve, Action: "OBSERVE", BizStep: "feeding", Custom: true, Ext: []string{"feedName", "feedKg", "note"}},
	{Name: "water", Chains: []string{"shrimp"}, Shape: ShapeSensor, Action: "OBSERVE", BizStep: "sensor_reporting", Ext: []string{"note"}},
	{Name: "harvest", Chains: []string{"rice", "shrimp", "fruit"}, Shape: ShapeObserve, Action: "OBSERVE", BizStep: "harvesting", Custom: true, Disp: "active", Ext: []string{"note"}},
	{Name: "drying", Chains: []string{"rice"}, Shape: ShapeObserve, Action: "OBSERVE", BizStep: "drying", Custom: true, Ext: []string{"moisturePercent", "note"}},
	{Name: "sorting", Chains: []string{"fruit"}, Shape: ShapeObserve, Action: "OBSERVE", BizStep: "sorting", Custom: true, Ext: []string{"grade", "note"}},
	{Name: "milling", Chains: []string{"rice"}, Shape: ShapeTransform, BizStep: "milling", Custom: true, Disp: "active", Ext: []string{"note"}},
	{Name: "processing", Chains: []string{"shrimp"}, Shape: ShapeTransform, BizStep: "processing", Custom: true, Disp: "active", Ext: []string{"note"}},
	{Name: "packing", Chains: []string{"rice", "shrimp", "fruit"}, Shape: ShapePack, BizStep: "packing", Disp: "active", Ext: []string{"note"}},
	{Name: "shipping", Chains: []string{"rice", "shrimp", "fruit"}, Shape: ShapeShip, Action: "OBSERVE", BizStep: "shipping", Disp: "in_transit", Ext: []string{"note"}},
	{Name: "receiving", Chains: []string{"rice", "shrimp", "fruit"}, Shape: ShapeReceive, Action: "OBSERVE", BizStep: "receiving", Disp: "in_progress", Ext: []string{"note"}},
}

// QuantityRequired reports whether the lot's quantity must be given: a
// harvest's yield, and what a shipment or a receipt carried, are what the
// chain's mass balance rests on.
func (k EventKind) QuantityRequired() bool {
	return k.Name == "harvest" || k.Shape == ShapeShip || k.Shape == ShapeReceive
}

// Kind returns the event kind with a name.
func Kind(name string) (EventKind, bool) {
	i := slices.IndexFunc(EventKinds, func(k EventKind) bool { return k.Name == name })
	if i < 0 {
		return EventKind{}, false
	}
	return EventKinds[i], true
}

// Measurements are the water-quality measurements of the sensor form: GS1
// Temperature, and the province's pH, salinity (‰) and dissolved oxygen
// (mg/L, UN/CEFACT M1).
var Measurements = []struct {
	Name, Type, UOM string
	Custom          bool
	Min, Max        float64
}{
	{"temperature", "Temperature", "CEL", false, -5, 50},
	{"ph", "pH", "", true, 0, 14},
	{"salinity", "salinity", "", true, 0, 60},
	{"oxygen", "dissolved_oxygen", "M1", true, 0, 30},
}

// LotQty is a lot and a quantity of it (in its product's unit).
type LotQty struct {
	Lot      int64
	Quantity *float64
}

// Record is what an operator's form says about one critical event.
type Record struct {
	Kind     string
	Time     time.Time // when it happened
	Location int64     // where: one of the organisation's places
	Lot      LotQty    // the lot (observe, sensor, ship, receive)
	Inputs   []LotQty  // transform, pack: the lots used
	// Output is the lot made (transform, pack): an existing lot of the
	// organisation, or OutProduct and OutLot for a new one.
	Output     LotQty
	OutProduct int64
	OutLot     string
	Carton     string            // pack: the carton's reference or SSCC (optional)
	Party      int64             // ship: to whom; receive: from whom
	Document   string            // ship, receive: the despatch advice's number (optional)
	Ext        map[string]string // extension values by ExtFields name
	Sensors    map[string]*float64
}

// Recorded is the outcome of a form: the events captured.
type Recorded struct {
	EventIDs []string
	Output   *Lot // the lot a transformation or packing made
}

// Record captures the events of a form for the actor's organisation.
func (s *Service) Record(ctx context.Context, a *identity.Actor, rec Record) (*Recorded, error) {
	// Capture's own check, first: a form refused there must not have
	// created its output lot on the way.
	orgID, unit, err := s.captureFor(ctx, a)
	if err != nil {
		return nil, err
	}
	if orgID == 0 {
		return nil, egov.Errorf(egov.EFORBIDDEN, "trace.error.no_organisation")
	}
	kind, ok := Kind(rec.Kind)
	if !ok {
		return nil, egov.FieldError("kind", "trace.error.kind")
	}
	org, err := s.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	b := &builder{s: s, ctx: ctx, org: org, kind: kind, rec: rec}
	if err := b.common(); err != nil {
		return nil, err
	}
	var events []map[string]any
	switch kind.Shape {
	case ShapeObserve, ShapeSensor, ShapeShip, ShapeReceive:
		ev, err := b.objectEvent(a)
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	case ShapeTransform, ShapePack:
		evs, err := b.transformation(a)
		if err != nil {
			return nil, err
		}
		events = evs
	}
	doc := map[string]any{
		"@context":      []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"tx": s.VocabNamespace()}},
		"type":          "EPCISDocument",
		"schemaVersion": "2.0",
		"creationDate":  EventTimeUTC(s.Now()),
		"epcisBody":     map[string]any{"eventList": events},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	job, err := s.captureDocument(ctx, a, orgID, unit, data)
	if err != nil {
		return nil, err
	}
	if !job.Success {
		return nil, egov.Errorf(egov.ECONFLICT, "trace.error.capture_failed", job.Errors[0].Detail)
	}
	out := &Recorded{Output: b.output}
	for _, ev := range events {
		out.EventIDs = append(out.EventIDs, ev["eventID"].(string))
	}
	return out, nil
}

// builder turns a Record into events.
type builder struct {
	s      *Service
	ctx    context.Context
	org    *Organisation
	kind   EventKind
	rec    Record
	place  *Location
	output *Lot
}

// common checks what every form has: the time, the place, the extension
// values.
func (b *builder) common() error {
	now := b.s.Now()
	switch {
	case b.rec.Time.IsZero():
		return egov.FieldError("time", "trace.error.time")
	case b.rec.Time.After(now.Add(5 * time.Minute)):
		return egov.FieldError("time", "trace.error.time_future")
	}
	l, err := b.s.LocationByID(b.ctx, b.rec.Location)
	if err != nil || l.OrgID != b.org.ID {
		return egov.FieldError("location", "trace.error.location")
	}
	b.place = l
	for name, v := range b.rec.Ext {
		number, known := ExtFields[name]
		switch {
		case !known || !slices.Contains(b.kind.Ext, name):
			return egov.FieldError(name, "trace.error.unknown_field")
		case len([]rune(v)) > 200:
			return egov.FieldError(name, "trace.error.too_long")
		case number && v != "":
			if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
				return egov.FieldError(name, "trace.error.number")
			}
		}
	}
	return nil
}

// base is an event's common fields.
func (b *builder) base(typ string) map[string]any {
	ev := map[string]any{
		"type":                typ,
		"eventTime":           b.rec.Time.In(ict).Format(time.RFC3339),
		"eventTimeZoneOffset": "+07:00",
		"readPoint":           map[string]any{"id": b.place.Identifier},
		"bizLocation":         map[string]any{"id": b.place.Identifier},
	}
	if b.kind.Custom {
		ev["bizStep"] = b.s.VocabNamespace() + "BizStep-" + b.kind.BizStep
	} else {
		ev["bizStep"] = b.kind.BizStep
	}
	if b.kind.Disp != "" {
		ev["disposition"] = b.kind.Disp
	}
	for name, v := range b.rec.Ext {
		if v == "" {
			continue
		}
		if ExtFields[name] {
			f, _ := strconv.ParseFloat(v, 64)
			ev["tx:"+name] = f
		} else {
			ev["tx:"+name] = text(v)
		}
	}
	return ev
}

// ict is Vietnam's zone, in which the forms' times are entered.
var ict = time.FixedZone("ICT", 7*3600)

// lotQty resolves a lot the organisation may name (its own, or one sent
// to it) and its quantity element.
func (b *builder) lotQty(field string, lq LotQty, usable map[int64]bool) (map[string]any, *Lot, error) {
	if !usable[lq.Lot] {
		return nil, nil, egov.FieldError(field, "trace.error.lot_choice")
	}
	l, err := b.s.LotByID(b.ctx, lq.Lot)
	if err != nil {
		return nil, nil, egov.FieldError(field, "trace.error.lot_choice")
	}
	p, err := b.s.ProductByID(b.ctx, l.ProductID)
	if err != nil {
		return nil, nil, err
	}
	qe := map[string]any{"epcClass": l.Identifier}
	if lq.Quantity != nil {
		if *lq.Quantity <= 0 {
			return nil, nil, egov.FieldError(field+"_qty", "trace.error.quantity_positive")
		}
		qe["quantity"] = *lq.Quantity
		if p.UOM != "EA" {
			qe["uom"] = p.UOM
		}
	}
	return qe, l, nil
}

// usableLots are the ids of the lots the organisation may name.
func (b *builder) usableLots(a *identity.Actor) (map[int64]bool, error) {
	lots, err := b.s.UsableLots(b.ctx, a)
	if err != nil {
		return nil, err
	}
	m := map[int64]bool{}
	for _, l := range lots {
		m[l.ID] = true
	}
	return m, nil
}

func (b *builder) objectEvent(a *identity.Actor) (map[string]any, error) {
	usable, err := b.usableLots(a)
	if err != nil {
		return nil, err
	}
	qe, _, err := b.lotQty("lot", b.rec.Lot, usable)
	if err != nil {
		return nil, err
	}
	if b.rec.Lot.Quantity == nil && b.kind.QuantityRequired() {
		return nil, egov.FieldError("lot_qty", "trace.error.quantity_positive")
	}
	ev := b.base("ObjectEvent")
	ev["action"] = b.kind.Action
	ev["quantityList"] = []any{qe}
	switch b.kind.Shape {
	case ShapeSensor:
		var reports []any
		for _, m := range Measurements {
			v := b.rec.Sensors[m.Name]
			if v == nil {
				continue
			}
			if *v < m.Min || *v > m.Max {
				return nil, egov.FieldError(m.Name, "trace.error.out_of_range", m.Min, m.Max)
			}
			r := map[string]any{"type": m.Type, "value": *v}
			if m.Custom {
				r["type"] = b.s.VocabNamespace() + "Measurement-" + m.Type
			}
			if m.UOM != "" {
				r["uom"] = m.UOM
			}
			reports = append(reports, r)
		}
		if len(reports) == 0 {
			return nil, egov.FieldError("temperature", "trace.error.measurement_required")
		}
		ev["sensorElementList"] = []any{map[string]any{
			"sensorMetadata": map[string]any{"time": ev["eventTime"]},
			"sensorReport":   reports,
		}}
	case ShapeShip, ShapeReceive:
		other, err := b.s.Organisation(b.ctx, b.rec.Party)
		if err != nil || other.ID == b.org.ID {
			return nil, egov.FieldError("party", "trace.error.party")
		}
		from, to := b.org, other
		if b.kind.Shape == ShapeReceive {
			from, to = other, b.org
		}
		ev["sourceList"] = []any{map[string]any{"type": "owning_party", "source": from.Identifier}}
		ev["destinationList"] = []any{map[string]any{"type": "owning_party", "destination": to.Identifier}}
		if b.rec.Document != "" {
			if !validLot(b.rec.Document) {
				return nil, egov.FieldError("document", "trace.error.document")
			}
			// The CBV 1.2 form of a business transaction URI: the
			// issuing party (its GLN, else its provincial code), then
			// its number.
			issuer := from.GLN
			if issuer == "" {
				issuer = from.Code
			}
			ev["bizTransactionList"] = []any{map[string]any{"type": "desadv",
				"bizTransaction": "urn:epcglobal:cbv:bt:" + issuer + ":" + b.rec.Document}}
		}
	}
	b.s.finish(ev)
	return ev, nil
}

// transformation makes the TransformationEvent of milling, processing or
// packing, and for packing into a carton the carton's AggregationEvent.
func (b *builder) transformation(a *identity.Actor) ([]map[string]any, error) {
	usable, err := b.usableLots(a)
	if err != nil {
		return nil, err
	}
	var inputs []any
	for i, in := range b.rec.Inputs {
		if in.Lot == 0 {
			continue
		}
		if in.Quantity == nil {
			return nil, egov.FieldError("input"+strconv.Itoa(i+1)+"_qty", "trace.error.quantity_positive")
		}
		qe, _, err := b.lotQty("input"+strconv.Itoa(i+1), in, usable)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, qe)
	}
	if len(inputs) == 0 {
		return nil, egov.FieldError("input1", "trace.error.lot_choice")
	}
	// Everything the form says is checked before the output lot is
	// registered: a refused form leaves no lot behind.
	if q := b.rec.Output.Quantity; q == nil || *q <= 0 {
		return nil, egov.FieldError("output_qty", "trace.error.quantity_positive")
	}
	var carton string
	if b.kind.Shape == ShapePack && b.rec.Carton != "" {
		var ok bool
		if carton, ok = b.cartonID(); !ok {
			return nil, egov.FieldError("carton", "trace.error.carton")
		}
	}
	out, err := b.outputLot()
	if err != nil {
		return nil, err
	}
	usable[out.ID] = true
	oq, _, err := b.lotQty("output", LotQty{Lot: out.ID, Quantity: b.rec.Output.Quantity}, usable)
	if err != nil {
		return nil, err
	}
	ev := b.base("TransformationEvent")
	ev["inputQuantityList"] = inputs
	ev["outputQuantityList"] = []any{oq}
	b.s.finish(ev)
	events := []map[string]any{ev}
	if carton != "" {
		agg := b.base("AggregationEvent")
		agg["action"] = "ADD"
		agg["parentID"] = carton
		agg["childQuantityList"] = []any{oq}
		agg["eventTime"] = b.rec.Time.Add(time.Second).In(ict).Format(time.RFC3339)
		b.s.finish(agg)
		events = append(events, agg)
	}
	return events, nil
}

// outputLot is the lot a transformation makes: one chosen, or a new one
// of the organisation's product.
func (b *builder) outputLot() (*Lot, error) {
	if b.rec.Output.Lot != 0 {
		l, err := b.s.LotByID(b.ctx, b.rec.Output.Lot)
		if err != nil || l.OrgID != b.org.ID {
			return nil, egov.FieldError("output", "trace.error.lot_choice")
		}
		b.output = l
		return l, nil
	}
	p, err := b.s.ProductByID(b.ctx, b.rec.OutProduct)
	if err != nil || p.OrgID != b.org.ID {
		return nil, egov.FieldError("out_product", "trace.error.product")
	}
	if l, err := b.s.Lot(b.ctx, p.Identifier, b.rec.OutLot); err == nil {
		b.output = l
		return l, nil
	}
	l, err := b.s.CreateLot(b.ctx, identity.SystemActor, Lot{ProductID: p.ID, OrgID: b.org.ID, Lot: b.rec.OutLot,
		HarvestDate: b.rec.Time.In(ict).Format(time.DateOnly), Quantity: b.rec.Output.Quantity})
	if err != nil {
		if e, ok := err.(*egov.Error); ok && e.Field == "lot" {
			e.Field = "out_lot"
		}
		return nil, err
	}
	b.output = l
	return l, nil
}

// cartonID is the carton's identifier: an SSCC (18 digits) as a Digital
// Link, else a provincial logistic unit of the organisation.
func (b *builder) cartonID() (string, bool) {
	if len(b.rec.Carton) == 18 {
		if id, ok := gs1Identifier("00", b.rec.Carton); ok {
			return id, true
		}
	}
	if !refPattern.MatchString(b.rec.Carton) {
		return "", false
	}
	return b.s.provincial(ProvincialID{Org: b.org.Code, Kind: "lu", Ref: b.rec.Carton})
}

// finish gives an event its eventID (the CBV event hash), so the form can
// link to it.
func (s *Service) finish(ev map[string]any) {
	ctx := []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"tx": s.VocabNamespace()}}
	data, _ := json.Marshal(ev)
	var body map[string]any
	json.Unmarshal(data, &body)
	ev["eventID"], _ = s.Hasher.EventHash(body, ctx)
}

// UsableLots are the lots an operator's forms may name: its
// organisation's own and those other organisations shipped to it.
func (s *Service) UsableLots(ctx context.Context, a *identity.Actor) ([]*Lot, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, scanLot, `SELECT `+lotColumns+` FROM trace_lots WHERE org_id = ?
		OR identifier IN (SELECT x.epc FROM epcis_event_epcs x JOIN epcis_event_fields f ON f.event = x.event
			WHERE f.name = 'destination_owning_party' AND f.value IN (SELECT identifier FROM trace_organisations WHERE id = ?))
		ORDER BY id DESC LIMIT 500`, acc.Org, acc.Org)
}

// EventSummary is one event in an operator's list.
type EventSummary struct {
	EventID   string
	Type      string
	EventTime time.Time
	BizStep   string // the CBV word or the provincial step's name
	Where     string // the place's name, or its identifier
	What      []string
}

// RecentEvents are the latest events of the actor's organisation (by
// event time), at most n.
func (s *Service) RecentEvents(ctx context.Context, a *identity.Actor, n int) ([]EventSummary, error) {
	acc, err := s.AccessOf(ctx, a)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.event_id, e.event_type, e.event_time, e.biz_step, coalesce(l.name, e.read_point)
		FROM epcis_events e LEFT JOIN trace_locations l ON l.identifier = e.read_point
		WHERE e.org_id = ? ORDER BY e.event_time DESC, e.id DESC LIMIT ?`, acc.Org, n)
	if err != nil {
		return nil, err
	}
	var out []EventSummary
	var ids []int64
	for rows.Next() {
		var e EventSummary
		var id int64
		var t string
		if err := rows.Scan(&id, &e.EventID, &e.Type, &t, &e.BizStep, &e.Where); err != nil {
			rows.Close()
			return nil, err
		}
		e.EventTime, _ = store.ParseTime(t)
		e.BizStep = shortStep(e.BizStep, s.VocabNamespace())
		out = append(out, e)
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, id := range ids {
		// What each event is about: lot numbers where the master data
		// knows them, else the identifiers.
		r, err := s.db.QueryContext(ctx, `SELECT coalesce(l.lot, x.epc) FROM epcis_event_epcs x LEFT JOIN trace_lots l ON l.identifier = x.epc
			WHERE x.event = ? ORDER BY x.role, x.epc`, id)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var w string
			if err := r.Scan(&w); err != nil {
				r.Close()
				return nil, err
			}
			if !slices.Contains(out[i].What, w) {
				out[i].What = append(out[i].What, w)
			}
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// shortStep is a business step as a word: the CBV word, or the name of a
// provincial step.
func shortStep(uri, voc string) string {
	if w, ok := strings.CutPrefix(uri, CBVURI("BizStep-", "")); ok {
		return w
	}
	if w, ok := strings.CutPrefix(uri, voc+"BizStep-"); ok {
		return w
	}
	return uri
}
