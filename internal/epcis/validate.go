package epcis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The validation below is the EPCIS 2.0 JSON Schema written out in Go (the
// schema needs a regexp engine with look-ahead and format assertions, and
// gives messages nobody can act on), plus the rules it cannot express: GS1
// keys must be valid (check digits, AI formats), and so must provincial
// identifiers. TestConformance checks that it agrees with the official
// schema on the GS1 examples and the negative test files.

// ValidationError says where a document is wrong and why.
type ValidationError struct {
	Path string // e.g. epcisBody.eventList[2].action
	Msg  string
}

func (e *ValidationError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Role is where in an event an identifier appears.
type Role string

const (
	RoleEPC         Role = "epc"    // epcList
	RoleParent      Role = "parent" // parentID
	RoleChild       Role = "child"  // childEPCs
	RoleInput       Role = "input"  // inputEPCList
	RoleOutput      Role = "output" // outputEPCList
	RoleClass       Role = "class"  // quantityList epcClass
	RoleChildClass  Role = "childClass"
	RoleInputClass  Role = "inputClass"
	RoleOutputClass Role = "outputClass"
)

// EPCRef is one identifier of an event, in canonical form; a class of a
// quantity list has its quantity and unit when given.
type EPCRef struct {
	Role     Role
	ID       string
	Quantity *float64
	UOM      string
}

// Field is an indexed value of an event besides its identifiers, named as
// the query parameter that looks for it: bizTransaction_{type},
// source_{type}, destination_{type}, transformationID, correctiveEventID,
// persistentDisposition_set, persistentDisposition_unset, and
// sensorElementList (no value) for the EXISTS_ parameter.
type Field struct {
	Name  string
	Value string
}

// Event is a validated event: its indexed fields, canonical, and its body
// as received.
type Event struct {
	Type        string
	EventTime   time.Time
	TimeZone    string
	EventID     string // as received, or empty
	Action      string
	BizStep     string // canonical URI
	Disposition string // canonical URI
	ReadPoint   string // canonical identifier
	BizLocation string // canonical identifier
	// ErrorDeclared is set when the event carries an errorDeclaration.
	ErrorDeclared bool
	ErrorReason   string
	// DeclarationTime is the errorDeclaration's, when declared.
	DeclarationTime time.Time
	EPCs            []EPCRef
	Fields          []Field
	// Body is the event as received (numbers as json.Number), without
	// recordTime, which the repository sets.
	Body map[string]any
	// Context is the @context the event was captured with: its own, or
	// its document's.
	Context any
}

// Document is a validated EPCISDocument or EPCISQueryDocument.
type Document struct {
	Type    string
	Context any
	Body    map[string]any
	Events  []*Event
}

// Parser validates documents; its Normalizer canonicalises identifiers.
type Parser struct {
	IDs Normalizer
}

// decodeJSON decodes one JSON value, numbers kept as written.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, &ValidationError{Msg: "malformed JSON: " + err.Error()}
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &ValidationError{Msg: "malformed JSON: data after the document"}
	}
	return v, nil
}

// decodeObject decodes data that must be one JSON object.
func decodeObject(data []byte, what string) (map[string]any, error) {
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &ValidationError{Msg: what + " must be a JSON object"}
	}
	return m, nil
}

// ParseDocument validates an EPCISDocument or EPCISQueryDocument.
func (p *Parser) ParseDocument(data []byte) (*Document, error) {
	m, err := decodeObject(data, "a document")
	if err != nil {
		return nil, err
	}
	c := &checker{p: p}
	doc := c.document(m)
	if c.err != nil {
		return nil, c.err
	}
	return doc, nil
}

// ParseEvent validates one event sent on its own (it needs its @context).
func (p *Parser) ParseEvent(data []byte) (*Event, error) {
	m, err := decodeObject(data, "an event")
	if err != nil {
		return nil, err
	}
	c := &checker{p: p}
	if _, ok := m["@context"]; !ok {
		c.fail("", "@context is required")
		return nil, c.err
	}
	ev := c.event("", m, nil)
	if c.err != nil {
		return nil, c.err
	}
	return ev, nil
}

// checker walks a document and keeps the first error.
type checker struct {
	p   *Parser
	err *ValidationError
}

func (c *checker) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = &ValidationError{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// isURI is the schema's format "uri": an absolute URI. A CURIE such as
// example:myField passes, a bare word does not.
func isURI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		ch := s[j]
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || j > 0 && ('0' <= ch && ch <= '9' || ch == '+' || ch == '-' || ch == '.')) {
			return false
		}
	}
	for j := 0; j < len(s); j++ {
		if s[j] <= ' ' || s[j] == 0x7f || strings.IndexByte("\"<>\\^`{|}", s[j]) >= 0 {
			return false
		}
	}
	_, err := url.Parse(s)
	return err == nil
}

// required returns m[key], failing when it is missing.
func (c *checker) required(path string, m map[string]any, key string) (any, bool) {
	v, ok := m[key]
	if !ok {
		c.fail(join(path, key), "is required")
	}
	return v, ok
}

func (c *checker) str(path string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		c.fail(path, "must be a string")
	}
	return s, ok
}

func (c *checker) uri(path string, v any) string {
	s, ok := c.str(path, v)
	if ok && !isURI(s) {
		c.fail(path, "must be an absolute URI")
	}
	return s
}

// ident checks an identifier and returns its canonical form.
func (c *checker) ident(path string, v any) string {
	s := c.uri(path, v)
	if c.err != nil {
		return ""
	}
	canon, err := c.p.IDs.Canonical(s)
	if err != nil {
		c.fail(path, "invalid identifier %q: %v", s, err)
	}
	return canon
}

// rfc3339 is the shape the schema's date-time format accepts.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`)

func (c *checker) time(path string, v any) time.Time {
	s, ok := c.str(path, v)
	if !ok {
		return time.Time{}
	}
	t, err := ParseTime(s)
	if err != nil {
		c.fail(path, "must be an RFC 3339 date-time")
	}
	return t
}

// ParseTime parses an RFC 3339 date-time as EPCIS uses it.
func ParseTime(s string) (time.Time, error) {
	if !rfc3339.MatchString(s) {
		return time.Time{}, fmt.Errorf("not an RFC 3339 date-time: %q", s)
	}
	return time.Parse(time.RFC3339Nano, strings.ToUpper(s))
}

func (c *checker) number(path string, v any) {
	n, ok := v.(json.Number)
	if !ok {
		c.fail(path, "must be a number")
		return
	}
	if _, err := strconv.ParseFloat(string(n), 64); err != nil {
		c.fail(path, "must be a number")
	}
}

func (c *checker) object(path string, v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "must be an object")
	}
	return m
}

func (c *checker) array(path string, v any, minItems int, unique bool) []any {
	a, ok := v.([]any)
	if !ok {
		c.fail(path, "must be an array")
		return nil
	}
	if len(a) < minItems {
		c.fail(path, "must have at least %d item(s)", minItems)
	}
	if unique {
		seen := map[string]bool{}
		for _, x := range a {
			k, _ := json.Marshal(x)
			if seen[string(k)] {
				c.fail(path, "items must be unique")
			}
			seen[string(k)] = true
		}
	}
	return a
}

// names checks an object's property names: the standard ones, or (when
// extensible) any URI such as a namespaced extension.
func (c *checker) names(path string, m map[string]any, extensible bool, std ...string) {
	for k := range m {
		if slices.Contains(std, k) || extensible && isURI(k) {
			continue
		}
		if extensible {
			c.fail(join(path, k), "unknown property (an extension needs a namespace prefix)")
		} else {
			c.fail(join(path, k), "unknown property")
		}
	}
}

func (c *checker) context(path string, v any) {
	switch x := v.(type) {
	case string:
		if !isURI(x) {
			c.fail(path, "must be a URI, an object or an array of them")
		}
	case map[string]any:
	case []any:
		c.array(path, v, 0, true)
		for i, e := range x {
			if s, ok := e.(string); ok && !isURI(s) || !ok && !isObject(e) {
				c.fail(fmt.Sprintf("%s[%d]", path, i), "must be a URI or an object")
			}
		}
	default:
		c.fail(path, "must be a URI, an object or an array of them")
	}
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

var versionPattern = regexp.MustCompile(`^\d+(\.\d+)*$`)

func (c *checker) document(m map[string]any) *Document {
	doc := &Document{Body: m, Context: m["@context"]}
	t, _ := c.str("type", m["type"])
	doc.Type = t
	switch t {
	case "EPCISDocument":
		c.names("", m, true, "@context", "id", "type", "schemaVersion", "creationDate", "instanceIdentifier", "sender", "receiver", "epcisHeader", "epcisBody")
		for _, req := range []string{"@context", "schemaVersion", "creationDate", "epcisBody"} {
			if _, ok := m[req]; !ok {
				c.fail(req, "is required")
			}
		}
		for _, k := range []string{"instanceIdentifier", "sender", "receiver"} {
			if v, ok := m[k]; ok {
				c.str(k, v)
			}
		}
		if v, ok := m["epcisHeader"]; ok {
			c.header(c.object("epcisHeader", v))
		}
	case "EPCISQueryDocument":
		c.names("", m, true, "@context", "id", "type", "schemaVersion", "creationDate", "epcisBody")
		for _, req := range []string{"@context", "epcisBody"} {
			if _, ok := m[req]; !ok {
				c.fail(req, "is required")
			}
		}
	default:
		c.fail("type", "must be EPCISDocument or EPCISQueryDocument")
		return nil
	}
	if v, ok := m["@context"]; ok {
		c.context("@context", v)
	}
	if v, ok := m["id"]; ok {
		c.uri("id", v)
	}
	if v, ok := m["schemaVersion"]; ok {
		if s, ok := c.str("schemaVersion", v); ok && !versionPattern.MatchString(s) {
			c.fail("schemaVersion", "must be a version such as 2.0")
		}
	}
	if v, ok := m["creationDate"]; ok {
		c.time("creationDate", v)
	}
	body := c.object("epcisBody", m["epcisBody"])
	if body == nil {
		return nil
	}
	var events any
	path := "epcisBody"
	if t == "EPCISQueryDocument" {
		c.names(path, body, true, "queryResults")
		qr := c.object(join(path, "queryResults"), body["queryResults"])
		if qr == nil {
			return nil
		}
		path = join(path, "queryResults")
		c.names(path, qr, true, "queryName", "subscriptionID", "resultsBody")
		if _, ok := qr["queryName"]; !ok {
			c.fail(join(path, "queryName"), "is required")
		}
		for _, k := range []string{"queryName", "subscriptionID"} {
			if v, ok := qr[k]; ok {
				c.str(join(path, k), v)
			}
		}
		rb := c.object(join(path, "resultsBody"), qr["resultsBody"])
		if rb == nil {
			return nil
		}
		path = join(path, "resultsBody")
		c.names(path, rb, true, "eventList", "vocabularyList")
		if v, ok := rb["vocabularyList"]; ok {
			c.vocabularies(join(path, "vocabularyList"), v)
		}
		events = rb["eventList"]
	} else {
		events = body["eventList"]
	}
	path = join(path, "eventList")
	if events == nil {
		c.fail(path, "is required")
		return nil
	}
	list := c.array(path, events, 0, false)
	for i, e := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		em := c.object(p, e)
		if em == nil {
			return nil
		}
		ev := c.event(p, em, doc.Context)
		if c.err != nil {
			return nil
		}
		doc.Events = append(doc.Events, ev)
	}
	return doc
}

func (c *checker) header(h map[string]any) {
	if h == nil {
		return
	}
	c.names("epcisHeader", h, true, "epcisMasterData")
	if v, ok := h["epcisMasterData"]; ok {
		md := c.object("epcisHeader.epcisMasterData", v)
		if vl, ok := md["vocabularyList"]; ok {
			c.vocabularies("epcisHeader.epcisMasterData.vocabularyList", vl)
		}
	}
}

func (c *checker) vocabularies(path string, v any) {
	for i, x := range c.array(path, v, 0, false) {
		p := fmt.Sprintf("%s[%d]", path, i)
		voc := c.object(p, x)
		if voc == nil {
			return
		}
		if t, ok := c.required(p, voc, "type"); ok {
			c.uri(join(p, "type"), t)
		}
		el, ok := voc["vocabularyElementList"]
		if !ok {
			continue
		}
		for j, y := range c.array(join(p, "vocabularyElementList"), el, 0, false) {
			q := fmt.Sprintf("%s.vocabularyElementList[%d]", p, j)
			e := c.object(q, y)
			if e == nil {
				return
			}
			if id, ok := c.required(q, e, "id"); ok {
				c.uri(join(q, "id"), id)
			}
			if a, ok := e["attributes"]; ok {
				for k, z := range c.array(join(q, "attributes"), a, 0, false) {
					r := fmt.Sprintf("%s.attributes[%d]", q, k)
					am := c.object(r, z)
					if am == nil {
						return
					}
					if id, ok := c.required(r, am, "id"); ok {
						c.uri(join(r, "id"), id)
					}
					if av, ok := am["attribute"]; ok {
						switch av.(type) {
						case json.Number, string, map[string]any:
						default:
							c.fail(join(r, "attribute"), "must be a number, a string or an object")
						}
					}
				}
			}
			if ch, ok := e["children"]; ok {
				for k, z := range c.array(join(q, "children"), ch, 0, false) {
					c.uri(fmt.Sprintf("%s.children[%d]", q, k), z)
				}
			}
		}
	}
}

// Standard properties of each event type besides the common ones.
var commonProps = []string{"@context", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "certificationInfo", "errorDeclaration"}

var eventProps = map[string][]string{
	"ObjectEvent": {"action", "epcList", "quantityList", "bizStep", "disposition", "persistentDisposition", "readPoint", "bizLocation",
		"bizTransactionList", "sourceList", "destinationList", "sensorElementList", "ilmd"},
	"AggregationEvent": {"parentID", "childEPCs", "childQuantityList", "action", "bizStep", "disposition", "readPoint", "bizLocation",
		"bizTransactionList", "sourceList", "destinationList", "sensorElementList"},
	"TransactionEvent": {"bizTransactionList", "parentID", "epcList", "quantityList", "action", "bizStep", "disposition", "readPoint",
		"bizLocation", "sourceList", "destinationList", "sensorElementList"},
	"TransformationEvent": {"inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID", "bizStep",
		"disposition", "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList",
		"sensorElementList", "ilmd"},
	"AssociationEvent": {"parentID", "childEPCs", "childQuantityList", "action", "bizStep", "disposition", "readPoint", "bizLocation",
		"bizTransactionList", "sourceList", "destinationList", "sensorElementList"},
}

var tzPattern = regexp.MustCompile(`^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$`)

// event validates one event; docContext is the @context of its document.
func (c *checker) event(path string, m map[string]any, docContext any) *Event {
	ev := &Event{Body: m, Context: docContext}
	t, ok := c.str(join(path, "type"), m["type"])
	if !ok {
		return nil
	}
	ev.Type = t
	props, standard := eventProps[t]
	if !standard && !isURI(t) {
		c.fail(join(path, "type"), "unknown event type %q", t)
		return nil
	}
	if standard {
		c.names(path, m, true, append(props, commonProps...)...)
	}
	if v, ok := m["@context"]; ok {
		c.context(join(path, "@context"), v)
		ev.Context = v
	}
	if v, ok := c.required(path, m, "eventTime"); ok {
		ev.EventTime = c.time(join(path, "eventTime"), v)
	}
	if v, ok := m["recordTime"]; ok {
		c.time(join(path, "recordTime"), v)
	}
	if v, ok := m["eventTimeZoneOffset"]; ok {
		if s, ok := c.str(join(path, "eventTimeZoneOffset"), v); ok && !tzPattern.MatchString(s) {
			c.fail(join(path, "eventTimeZoneOffset"), "must be an offset such as +07:00")
		}
		ev.TimeZone, _ = v.(string)
	} else {
		c.fail(join(path, "eventTimeZoneOffset"), "is required")
	}
	if v, ok := m["eventID"]; ok {
		ev.EventID = c.uri(join(path, "eventID"), v)
	}
	if v, ok := m["certificationInfo"]; ok {
		if a, isArr := v.([]any); isArr {
			for i, x := range a {
				c.uri(fmt.Sprintf("%s.certificationInfo[%d]", path, i), x)
			}
		} else {
			c.uri(join(path, "certificationInfo"), v)
		}
	}
	if v, ok := m["errorDeclaration"]; ok {
		c.errorDeclaration(join(path, "errorDeclaration"), v, ev)
	}
	if !standard || c.err != nil {
		return ev
	}
	c.eventBody(path, m, ev)
	return ev
}

func (c *checker) errorDeclaration(path string, v any, ev *Event) {
	ed := c.object(path, v)
	if ed == nil {
		return
	}
	ev.ErrorDeclared = true
	c.names(path, ed, true, "declarationTime", "reason", "correctiveEventIDs")
	if dt, ok := c.required(path, ed, "declarationTime"); ok {
		ev.DeclarationTime = c.time(join(path, "declarationTime"), dt)
	}
	if r, ok := ed["reason"]; ok {
		ev.ErrorReason = c.vocab(join(path, "reason"), r, errorReasons, "ER-")
	}
	if ids, ok := ed["correctiveEventIDs"]; ok {
		for i, x := range c.array(join(path, "correctiveEventIDs"), ids, 0, false) {
			ev.Fields = append(ev.Fields, Field{"correctiveEventID", c.uri(fmt.Sprintf("%s.correctiveEventIDs[%d]", path, i), x)})
		}
	}
}

// eventBody checks the fields of the five standard event types.
func (c *checker) eventBody(path string, m map[string]any, ev *Event) {
	has := func(k string) bool { _, ok := m[k]; return ok }
	nonEmpty := func(k string) bool { a, ok := m[k].([]any); return ok && len(a) > 0 }
	if v, ok := m["action"]; ok {
		s, _ := c.str(join(path, "action"), v)
		if s != "OBSERVE" && s != "ADD" && s != "DELETE" {
			c.fail(join(path, "action"), "must be OBSERVE, ADD or DELETE")
		}
		ev.Action = s
	} else if ev.Type != "TransformationEvent" {
		c.fail(join(path, "action"), "is required")
	}
	c.epcList(path, m, "epcList", RoleEPC, ev, ev.Type == "ObjectEvent")
	c.epcList(path, m, "childEPCs", RoleChild, ev, false)
	c.epcList(path, m, "inputEPCList", RoleInput, ev, true)
	c.epcList(path, m, "outputEPCList", RoleOutput, ev, true)
	c.quantities(path, m, "quantityList", RoleClass, ev)
	c.quantities(path, m, "childQuantityList", RoleChildClass, ev)
	c.quantities(path, m, "inputQuantityList", RoleInputClass, ev)
	c.quantities(path, m, "outputQuantityList", RoleOutputClass, ev)
	if v, ok := m["parentID"]; ok {
		ev.EPCs = append(ev.EPCs, EPCRef{Role: RoleParent, ID: c.ident(join(path, "parentID"), v)})
	}
	if v, ok := m["transformationID"]; ok {
		ev.Fields = append(ev.Fields, Field{"transformationID", c.ident(join(path, "transformationID"), v)})
	}
	if v, ok := m["bizStep"]; ok {
		ev.BizStep = c.vocab(join(path, "bizStep"), v, bizSteps, "BizStep-")
	}
	if v, ok := m["disposition"]; ok {
		ev.Disposition = c.vocab(join(path, "disposition"), v, dispositions, "Disp-")
	}
	if v, ok := m["persistentDisposition"]; ok {
		p := join(path, "persistentDisposition")
		if pd := c.object(p, v); pd != nil {
			c.names(p, pd, false, "set", "unset")
			if pd["set"] == nil && pd["unset"] == nil {
				c.fail(p, "needs set or unset")
			}
			for _, k := range []string{"set", "unset"} {
				if x, ok := pd[k]; ok {
					for i, d := range c.array(join(p, k), x, 1, true) {
						v := c.vocab(fmt.Sprintf("%s.%s[%d]", p, k, i), d, dispositions, "Disp-")
						ev.Fields = append(ev.Fields, Field{"persistentDisposition_" + k, v})
					}
				}
			}
		}
	}
	ev.ReadPoint = c.location(path, m, "readPoint")
	ev.BizLocation = c.location(path, m, "bizLocation")
	if v, ok := m["bizTransactionList"]; ok {
		p := join(path, "bizTransactionList")
		for i, x := range c.array(p, v, 0, false) {
			q := fmt.Sprintf("%s[%d]", p, i)
			bt := c.object(q, x)
			if bt == nil {
				break
			}
			c.names(q, bt, false, "type", "bizTransaction")
			name := "bizTransaction"
			if t, ok := bt["type"]; ok {
				name += "_" + strings.TrimPrefix(c.vocab(join(q, "type"), t, bizTransactionTypes, "BTT-"), CBVURI("BTT-", ""))
			}
			if id, ok := c.required(q, bt, "bizTransaction"); ok {
				ev.Fields = append(ev.Fields, Field{name, c.ident(join(q, "bizTransaction"), id)})
			}
		}
	}
	c.sourceDest(path, m, "sourceList", "source", ev)
	c.sourceDest(path, m, "destinationList", "destination", ev)
	if v, ok := m["sensorElementList"]; ok {
		c.sensors(join(path, "sensorElementList"), v)
		ev.Fields = append(ev.Fields, Field{"sensorElementList", ""})
	}
	if v, ok := m["ilmd"]; ok {
		p := join(path, "ilmd")
		if il := c.object(p, v); il != nil {
			c.names(p, il, true)
		}
		if ev.Type == "ObjectEvent" && ev.Action != "ADD" {
			c.fail(p, "ilmd is only allowed when action is ADD")
		}
	}
	if c.err != nil {
		return
	}
	// What each type needs besides (the anyOf clauses of the schema).
	switch ev.Type {
	case "ObjectEvent":
		if !has("epcList") && !nonEmpty("quantityList") && !(nonEmpty("sensorElementList") && has("readPoint")) {
			c.fail(path, "an ObjectEvent needs epcList, quantityList, or sensorElementList with readPoint")
		}
	case "AggregationEvent", "AssociationEvent":
		if ev.Type == "AssociationEvent" && !has("parentID") {
			c.fail(join(path, "parentID"), "is required")
		}
		if !nonEmpty("childEPCs") && !nonEmpty("childQuantityList") && ev.Action != "DELETE" {
			c.fail(path, "needs childEPCs or childQuantityList unless action is DELETE")
		}
	case "TransactionEvent":
		if !nonEmpty("bizTransactionList") {
			c.fail(join(path, "bizTransactionList"), "must have at least 1 item(s)")
		}
		if !has("epcList") && !nonEmpty("quantityList") && ev.Action != "DELETE" {
			c.fail(path, "needs epcList or quantityList unless action is DELETE")
		}
	case "TransformationEvent":
		in := nonEmpty("inputEPCList") || nonEmpty("inputQuantityList")
		out := nonEmpty("outputEPCList") || nonEmpty("outputQuantityList")
		if !(in && out) && !((in || out) && has("transformationID")) {
			c.fail(path, "needs inputs and outputs, or either with a transformationID")
		}
	}
}

func (c *checker) epcList(path string, m map[string]any, key string, role Role, ev *Event, unique bool) {
	v, ok := m[key]
	if !ok {
		return
	}
	p := join(path, key)
	for i, x := range c.array(p, v, 0, unique) {
		ev.EPCs = append(ev.EPCs, EPCRef{Role: role, ID: c.ident(fmt.Sprintf("%s[%d]", p, i), x)})
	}
}

var uomPattern = regexp.MustCompile(`^[A-Z0-9]{2,3}$`)

func (c *checker) quantities(path string, m map[string]any, key string, role Role, ev *Event) {
	v, ok := m[key]
	if !ok {
		return
	}
	p := join(path, key)
	for i, x := range c.array(p, v, 0, false) {
		q := fmt.Sprintf("%s[%d]", p, i)
		qe := c.object(q, x)
		if qe == nil {
			return
		}
		c.names(q, qe, false, "epcClass", "quantity", "uom")
		ref := EPCRef{Role: role}
		if cl, ok := c.required(q, qe, "epcClass"); ok {
			ref.ID = c.ident(join(q, "epcClass"), cl)
		}
		if n, ok := qe["quantity"]; ok {
			c.number(join(q, "quantity"), n)
			if x, ok := n.(json.Number); ok {
				if f, err := x.Float64(); err == nil {
					ref.Quantity = &f
				}
			}
		}
		if u, ok := qe["uom"]; ok {
			if s, ok := c.str(join(q, "uom"), u); ok && !uomPattern.MatchString(s) {
				c.fail(join(q, "uom"), "must be a UN/CEFACT unit code such as KGM")
			}
			ref.UOM, _ = u.(string)
		}
		ev.EPCs = append(ev.EPCs, ref)
	}
}

func (c *checker) location(path string, m map[string]any, key string) string {
	v, ok := m[key]
	if !ok {
		return ""
	}
	p := join(path, key)
	loc := c.object(p, v)
	if loc == nil {
		return ""
	}
	id, ok := loc["id"]
	if !ok {
		c.fail(join(p, "id"), "is required")
		return ""
	}
	return c.ident(join(p, "id"), id)
}

func (c *checker) sourceDest(path string, m map[string]any, key, field string, ev *Event) {
	v, ok := m[key]
	if !ok {
		return
	}
	p := join(path, key)
	for i, x := range c.array(p, v, 0, false) {
		q := fmt.Sprintf("%s[%d]", p, i)
		sd := c.object(q, x)
		if sd == nil {
			return
		}
		c.names(q, sd, false, "type", field)
		name := field
		if t, ok := c.required(q, sd, "type"); ok {
			name += "_" + strings.TrimPrefix(c.vocab(join(q, "type"), t, sourceDestTypes, "SDT-"), CBVURI("SDT-", ""))
		}
		if id, ok := sd[field]; ok {
			ev.Fields = append(ev.Fields, Field{name, c.ident(join(q, field), id)})
		} else {
			c.fail(join(q, field), "is required")
		}
	}
}

var sensorMetadataProps = []string{"time", "deviceID", "deviceMetadata", "rawData", "startTime", "endTime", "dataProcessingMethod", "bizRules"}

var sensorReportProps = []string{"type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "time",
	"microorganism", "chemicalSubstance", "coordinateReferenceSystem", "value", "component", "stringValue", "booleanValue",
	"hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom"}

var hexPattern = regexp.MustCompile(`^[A-Fa-f0-9]+$`)

func (c *checker) sensors(path string, v any) {
	for i, x := range c.array(path, v, 0, false) {
		p := fmt.Sprintf("%s[%d]", path, i)
		se := c.object(p, x)
		if se == nil {
			return
		}
		c.names(p, se, true, "sensorMetadata", "sensorReport")
		if md, ok := se["sensorMetadata"]; ok {
			q := join(p, "sensorMetadata")
			if mm := c.object(q, md); mm != nil {
				c.names(q, mm, true, sensorMetadataProps...)
				for _, k := range []string{"time", "startTime", "endTime"} {
					if t, ok := mm[k]; ok {
						c.time(join(q, k), t)
					}
				}
				for _, k := range []string{"deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"} {
					if u, ok := mm[k]; ok {
						c.uri(join(q, k), u)
					}
				}
			}
		}
		rep, ok := se["sensorReport"]
		if !ok {
			c.fail(join(p, "sensorReport"), "is required")
			continue
		}
		for j, y := range c.array(join(p, "sensorReport"), rep, 1, false) {
			q := fmt.Sprintf("%s.sensorReport[%d]", p, j)
			r := c.object(q, y)
			if r == nil {
				return
			}
			c.names(q, r, true, sensorReportProps...)
			if t, ok := c.required(q, r, "type"); ok {
				c.gs1WebVocab(join(q, "type"), t, measurementTypes)
			}
			if e, ok := r["exception"]; ok {
				c.gs1WebVocab(join(q, "exception"), e, []string{"ALARM_CONDITION", "ERROR_CONDITION"})
			}
			for _, k := range []string{"deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "microorganism",
				"chemicalSubstance", "coordinateReferenceSystem", "uriValue"} {
				if u, ok := r[k]; ok {
					c.uri(join(q, k), u)
				}
			}
			if t, ok := r["time"]; ok {
				c.time(join(q, "time"), t)
			}
			for _, k := range []string{"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"} {
				if n, ok := r[k]; ok {
					c.number(join(q, k), n)
				}
			}
			for _, k := range []string{"stringValue", "uom"} {
				if s, ok := r[k]; ok {
					c.str(join(q, k), s)
				}
			}
			if b, ok := r["booleanValue"]; ok {
				if _, isBool := b.(bool); !isBool {
					c.fail(join(q, "booleanValue"), "must be true or false")
				}
			}
			if h, ok := r["hexBinaryValue"]; ok {
				if s, ok := c.str(join(q, "hexBinaryValue"), h); ok && !hexPattern.MatchString(s) {
					c.fail(join(q, "hexBinaryValue"), "must be hexadecimal")
				}
			}
			if comp, ok := r["component"]; ok {
				c.vocab(join(q, "component"), comp, components, "")
			}
		}
	}
}

// vocab checks a CBV value: a bare CBV word or a URI outside the CBV
// namespaces (urn:epcglobal:cbv…, https://ns.gs1.org/cbv/). It returns the
// canonical URI: https://ref.gs1.org/cbv/{prefix}{word} for a CBV word.
func (c *checker) vocab(path string, v any, words []string, prefix string) string {
	s, ok := c.str(path, v)
	if !ok {
		return ""
	}
	if slices.Contains(words, s) {
		return CBVURI(prefix, s)
	}
	low := strings.ToLower(s)
	if !isURI(s) || strings.HasPrefix(low, "urn:epcglobal:cbv") || strings.HasPrefix(s, "http://ns.gs1.org/cbv/") || strings.HasPrefix(s, "https://ns.gs1.org/cbv/") {
		c.fail(path, "must be a CBV value or a URI outside the CBV namespace, not %q", s)
	}
	return s
}

// gs1WebVocab is vocab for values of the GS1 Web Vocabulary (measurement
// types): a bare word, or a URI outside gs1.org/voc/.
func (c *checker) gs1WebVocab(path string, v any, words []string) {
	s, ok := c.str(path, v)
	if !ok || slices.Contains(words, s) {
		return
	}
	for _, p := range []string{"http://gs1.org/voc/", "https://gs1.org/voc/", "http://www.gs1.org/voc/", "https://www.gs1.org/voc/"} {
		if strings.HasPrefix(s, p) {
			c.fail(path, "use the bare GS1 vocabulary word, not %q", s)
			return
		}
	}
	if !isURI(s) {
		c.fail(path, "must be a GS1 vocabulary word or a URI, not %q", s)
	}
}

// CBVURI is the canonical URI of a bare CBV word.
func CBVURI(prefix, word string) string {
	if prefix == "" {
		return word
	}
	return "https://ref.gs1.org/cbv/" + prefix + word
}
