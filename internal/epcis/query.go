package epcis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"egov/internal/identity"
	"egov/internal/store"
)

// Query is a SimpleEventQuery: the parameters of GET /epcis/events.
type Query struct {
	where []string
	args  []any
	// orderBy is the column results are sorted on (id: capture order).
	orderBy string
	desc    bool
	// limit is eventCountLimit (0: none); maxCount is maxEventCount.
	limit, maxCount int
	perPage         int
	after           *pageToken
	// namespaces are the prefixes of extension parameters the client
	// declared (GS1-Extensions header) over the standard ones.
	namespaces map[string]string
}

// pageToken is where the previous page ended: the sort key and id of its
// last event and how many events the query has returned so far.
type pageToken struct {
	Key  string `json:"k"`
	ID   int64  `json:"i"`
	Seen int    `json:"n"`
	// Sum binds the token to its query's parameters.
	Sum string `json:"q"`
}

// Paging defaults.
const (
	DefaultPerPage = 30
	MaxPerPage     = 1000
)

// epcParams are the MATCH_ parameters and the roles each matches.
var epcParams = map[string][]Role{
	"MATCH_epc":            {RoleEPC, RoleChild},
	"MATCH_parentID":       {RoleParent},
	"MATCH_inputEPC":       {RoleInput},
	"MATCH_outputEPC":      {RoleOutput},
	"MATCH_anyEPC":         {RoleEPC, RoleParent, RoleChild, RoleInput, RoleOutput},
	"MATCH_epcClass":       {RoleClass, RoleChildClass},
	"MATCH_inputEPCClass":  {RoleInputClass},
	"MATCH_outputEPCClass": {RoleOutputClass},
	"MATCH_anyEPCClass":    {RoleClass, RoleChildClass, RoleInputClass, RoleOutputClass},
}

// vocabParams are the EQ_ parameters on a CBV value or location.
var vocabParams = map[string]struct {
	column string
	words  []string
	prefix string
}{
	"EQ_bizStep":     {"biz_step", bizSteps, "BizStep-"},
	"EQ_disposition": {"disposition", dispositions, "Disp-"},
	"EQ_errorReason": {"error_reason", errorReasons, "ER-"},
	"EQ_readPoint":   {"read_point", nil, ""},
	"EQ_bizLocation": {"biz_location", nil, ""},
	// A location and every location within it in the master data
	// (trace_locations.parent_id).
	"WD_readPoint":   {"read_point", nil, ""},
	"WD_bizLocation": {"biz_location", nil, ""},
}

var timeParams = map[string]string{
	"GE_eventTime": "event_time >= ?", "LT_eventTime": "event_time < ?",
	"GE_recordTime": "record_time >= ?", "LT_recordTime": "record_time < ?",
}

func queryError(format string, args ...any) *Exception {
	return exception(QueryParameterException, http.StatusBadRequest, format, args...)
}

// alternatives splits a pipe-separated parameter value.
func alternatives(name, v string) ([]string, error) {
	parts := strings.Split(v, "|")
	for _, p := range parts {
		if p == "" {
			return nil, queryError("%s: empty value", name)
		}
	}
	return parts, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// ParseQuery reads SimpleEventQuery parameters; unknown, repeated or
// malformed ones are a QueryParameterException.
func (s *Service) ParseQuery(v url.Values, extensions map[string]string) (*Query, error) {
	q := &Query{orderBy: "id", perPage: DefaultPerPage, namespaces: namespaces(nil)}
	for p, ns := range extensions {
		q.namespaces[p] = ns
	}
	for _, name := range slices.Sorted(mapsKeys(v)) {
		vals := v[name]
		if len(vals) != 1 {
			return nil, queryError("%s is given %d times; separate alternatives with |", name, len(vals))
		}
		val := vals[0]
		if err := s.queryParam(q, name, val); err != nil {
			return nil, err
		}
	}
	if q.after != nil && q.after.Sum != querySum(v) {
		return nil, queryError("nextPageToken belongs to another query")
	}
	return q, nil
}

func mapsKeys(v url.Values) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range v {
			if !yield(k) {
				return
			}
		}
	}
}

func (s *Service) queryParam(q *Query, name, val string) error {
	if roles, ok := epcParams[name]; ok {
		return s.matchEPC(q, name, val, roles)
	}
	if vp, ok := vocabParams[name]; ok {
		alts, err := alternatives(name, val)
		if err != nil {
			return err
		}
		for i, a := range alts {
			switch {
			case vp.words != nil && slices.Contains(vp.words, a):
				alts[i] = CBVURI(vp.prefix, a)
			case vp.words == nil:
				c, err := s.queryID(name, a)
				if err != nil {
					return err
				}
				alts[i] = c
			case !isURI(a):
				return queryError("%s: %q is neither a CBV value nor a URI", name, a)
			}
		}
		if strings.HasPrefix(name, "WD_") {
			q.where = append(q.where, "("+vp.column+" IN ("+placeholders(len(alts))+") OR "+vp.column+" IN ("+descendantLocations(len(alts))+"))")
			for range 2 {
				for _, a := range alts {
					q.args = append(q.args, a)
				}
			}
			return nil
		}
		q.in(vp.column, alts)
		return nil
	}
	if cond, ok := timeParams[name]; ok {
		t, err := ParseTime(val)
		if err != nil {
			return queryError("%s: %v", name, err)
		}
		q.where = append(q.where, cond)
		q.args = append(q.args, store.FormatTime(t))
		return nil
	}
	if ok, err := s.fieldParam(q, name, val); ok {
		return err
	}
	if ok, err := quantityParam(q, name, val); ok {
		return err
	}
	if ok, err := sensorParam(q, name, val); ok {
		return err
	}
	if ok, err := q.extensionParam(name, val); ok {
		return err
	}
	switch name {
	case "GE_errorDeclaration_Time", "LT_errorDeclaration_Time":
		t, err := ParseTime(val)
		if err != nil {
			return queryError("%s: %v", name, err)
		}
		op := ">="
		if name[:2] == "LT" {
			op = "<"
		}
		q.where = append(q.where, "error_declared = 1 AND declaration_time "+op+" ?")
		q.args = append(q.args, store.FormatTime(t))
	case "EXISTS_sensorElementList":
		if val != "" && val != "true" {
			return queryError("EXISTS_sensorElementList takes no value")
		}
		q.where = append(q.where, "id IN (SELECT event FROM epcis_event_fields WHERE name = 'sensorElementList')")
	case "eventType":
		alts, err := alternatives(name, val)
		if err != nil {
			return err
		}
		for _, a := range alts {
			if _, ok := eventProps[a]; !ok && !isURI(a) {
				return queryError("eventType: unknown type %q", a)
			}
		}
		q.in("event_type", alts)
	case "EQ_action":
		alts, err := alternatives(name, val)
		if err != nil {
			return err
		}
		for _, a := range alts {
			if a != "ADD" && a != "OBSERVE" && a != "DELETE" {
				return queryError("EQ_action: %q is not ADD, OBSERVE or DELETE", a)
			}
		}
		q.in("action", alts)
	case "EQ_eventID":
		alts, err := alternatives(name, val)
		if err != nil {
			return err
		}
		q.in("event_id", alts)
	case "EXISTS_errorDeclaration":
		if val != "" && val != "true" {
			return queryError("EXISTS_errorDeclaration takes no value")
		}
		q.where = append(q.where, "error_declared = 1")
	case "orderBy":
		switch val {
		case "eventTime":
			q.orderBy = "event_time"
		case "recordTime":
			q.orderBy = "record_time"
		default:
			return queryError("orderBy: %q is not eventTime or recordTime", val)
		}
	case "orderDirection":
		if val != "ASC" && val != "DESC" {
			return queryError("orderDirection must be ASC or DESC")
		}
		q.desc = val == "DESC"
	case "eventCountLimit", "maxEventCount", "perPage":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return queryError("%s must be a positive integer", name)
		}
		switch name {
		case "eventCountLimit":
			q.limit = n
		case "maxEventCount":
			q.maxCount = n
		default:
			if n > MaxPerPage {
				return queryError("perPage is at most %d", MaxPerPage)
			}
			q.perPage = n
		}
	case "nextPageToken":
		raw, err := base64.RawURLEncoding.DecodeString(val)
		var t pageToken
		if err != nil || json.Unmarshal(raw, &t) != nil {
			return queryError("malformed nextPageToken")
		}
		q.after = &t
	default:
		return queryError("unknown or unsupported query parameter %s", name)
	}
	return nil
}

// queryID is an identifier of a query in canonical form. A URI that is not
// a valid key (a wrong check digit) is still a URI, the type the parameter
// takes: it is looked for as it is, and finds nothing.
func (s *Service) queryID(name, a string) (string, error) {
	if !isURI(a) {
		return "", queryError("%s: %q is not a URI", name, a)
	}
	if c, err := s.Parser.IDs.Canonical(a); err == nil {
		return c, nil
	}
	return a, nil
}

func (q *Query) in(column string, vals []string) {
	q.where = append(q.where, column+" IN ("+placeholders(len(vals))+")")
	for _, v := range vals {
		q.args = append(q.args, v)
	}
}

// matchEPC adds a MATCH_ parameter: identifiers in any form; a pattern
// urn:epc:idpat:…:* matches every identifier of its class.
func (s *Service) matchEPC(q *Query, name, val string, roles []Role) error {
	alts, err := alternatives(name, val)
	if err != nil {
		return err
	}
	var conds []string
	var args []any
	var exact []any
	for _, a := range alts {
		c, err := s.queryID(name, a)
		if err != nil {
			return err
		}
		if strings.HasPrefix(a, "urn:epc:idpat:") {
			// Everything under the class's URI: prefix/ up to prefix0.
			conds = append(conds, "(epc = ? OR epc >= ? AND epc < ?)")
			args = append(args, c, c+"/", c+"0")
			continue
		}
		exact = append(exact, c)
	}
	if len(exact) > 0 {
		conds = append(conds, "epc IN ("+placeholders(len(exact))+")")
		args = append(args, exact...)
	}
	rs := make([]any, len(roles))
	for i, r := range roles {
		rs[i] = string(r)
	}
	q.where = append(q.where, "id IN (SELECT event FROM epcis_event_epcs WHERE role IN ("+placeholders(len(rs))+") AND ("+
		strings.Join(conds, " OR ")+"))")
	q.args = append(append(q.args, rs...), args...)
	return nil
}

// querySum identifies a query's parameters, paging ones aside.
func querySum(v url.Values) string {
	c := url.Values{}
	for k, vs := range v {
		if k != "nextPageToken" {
			c[k] = vs
		}
	}
	return strconv.FormatUint(uint64(fnv(c.Encode())), 36)
}

func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// Page is one page of query results.
type Page struct {
	Events []StoredEvent
	// Next is the token of the next page, empty on the last one.
	Next string
}

// QueryEvents runs a query for a trace operator, over the events its
// organisation may see (visibility.go).
func (s *Service) QueryEvents(ctx context.Context, a *identity.Actor, q *Query, v url.Values) (*Page, error) {
	org, err := s.scope(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.queryEvents(ctx, org, q, v)
}

// queryEvents runs a query over what organisation org sees (0: all).
func (s *Service) queryEvents(ctx context.Context, org int64, q *Query, v url.Values) (*Page, error) {
	where, args := limitTo(org, slices.Clone(q.where), slices.Clone(q.args))
	seen := 0
	cmp := ">"
	if q.desc {
		cmp = "<"
	}
	if q.after != nil {
		seen = q.after.Seen
		if q.orderBy == "id" {
			where = append(where, "id "+cmp+" ?")
			args = append(args, q.after.ID)
		} else {
			where = append(where, fmt.Sprintf("(%s %s ? OR %s = ? AND id %s ?)", q.orderBy, cmp, q.orderBy, cmp))
			args = append(args, q.after.Key, q.after.Key, q.after.ID)
		}
	}
	if q.maxCount > 0 && q.after == nil {
		// maxEventCount: the whole result must not exceed it.
		var n int
		err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM epcis_events"+whereClause(where), args...).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n > q.maxCount {
			return nil, exception(QueryTooLargeException, http.StatusRequestEntityTooLarge, "%d events match, more than maxEventCount %d", n, q.maxCount)
		}
	}
	n := q.perPage
	if q.limit > 0 {
		n = min(n, q.limit-seen)
	}
	if n <= 0 {
		return &Page{}, nil
	}
	dir := "ASC"
	if q.desc {
		dir = "DESC"
	}
	order := "id " + dir
	if q.orderBy != "id" {
		order = q.orderBy + " " + dir + ", id " + dir
	}
	sortCol := q.orderBy
	if sortCol == "id" {
		sortCol = "''"
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, "+sortCol+", body, context FROM epcis_events"+whereClause(where)+
		" ORDER BY "+order+" LIMIT ?", append(args, n+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &Page{}
	var last pageToken
	for rows.Next() {
		var id int64
		var key, body, c string
		if err := rows.Scan(&id, &key, &body, &c); err != nil {
			return nil, err
		}
		if len(page.Events) == n {
			page.Next = "more"
			break
		}
		page.Events = append(page.Events, StoredEvent{Body: json.RawMessage(body), Context: json.RawMessage(c)})
		last = pageToken{Key: key, ID: id}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if page.Next != "" && (q.limit == 0 || seen+len(page.Events) < q.limit) {
		last.Seen = seen + len(page.Events)
		last.Sum = querySum(v)
		b, _ := json.Marshal(last)
		page.Next = base64.RawURLEncoding.EncodeToString(b)
	} else {
		page.Next = ""
	}
	return page, nil
}

func whereClause(w []string) string {
	if len(w) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w, " AND ")
}

// QueryDocument wraps events in an EPCISQueryDocument whose @context holds
// every context the events were captured with.
func QueryDocument(events []StoredEvent, now time.Time) map[string]any {
	ctx := []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}
	seen := map[string]bool{`"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"`: true}
	add := func(c any) {
		b, _ := json.Marshal(c)
		if !seen[string(b)] {
			seen[string(b)] = true
			ctx = append(ctx, c)
		}
	}
	list := make([]json.RawMessage, 0, len(events))
	for _, e := range events {
		var c any
		if json.Unmarshal(e.Context, &c) == nil {
			if arr, ok := c.([]any); ok {
				for _, x := range arr {
					add(x)
				}
			} else if c != nil {
				add(c)
			}
		}
		list = append(list, e.Body)
	}
	return map[string]any{
		"@context":      ctx,
		"type":          "EPCISQueryDocument",
		"schemaVersion": "2.0",
		"creationDate":  EventTimeUTC(now),
		"epcisBody": map[string]any{"queryResults": map[string]any{
			"queryName":   "SimpleEventQuery",
			"resultsBody": map[string]any{"eventList": list},
		}},
	}
}

// Resource is a top-level resource of the REST binding: the query
// parameter its /{resource}/{id}/events sub-resource sets.
type Resource struct {
	Name  string // eventTypes, epcs, bizSteps, bizLocations, readPoints, dispositions
	Param string
}

// Resources are the top-level resources with their event sub-resources.
var Resources = []Resource{
	{"eventTypes", "eventType"}, {"epcs", "MATCH_anyEPC"}, {"bizSteps", "EQ_bizStep"},
	{"bizLocations", "EQ_bizLocation"}, {"readPoints", "EQ_readPoint"}, {"dispositions", "EQ_disposition"},
}

// Members lists the values a top-level resource has, in order, at most
// perPage after the value after: for event types, business steps and
// dispositions the standard ones and those stored (a few dozen); for
// identifiers and locations those stored, paged in the database.
func (s *Service) Members(ctx context.Context, a *identity.Actor, resource, after string, perPage int) (members []string, more bool, err error) {
	org, err := s.scope(ctx, a)
	if err != nil {
		return nil, false, err
	}
	// vis limits the events the values come from to what the actor sees.
	vis, visArgs := "", []any(nil)
	if org != 0 {
		vis, visArgs = " AND "+visibleSQL, visibleArgs(org)
	}
	column := map[string]string{"eventTypes": "event_type", "bizSteps": "biz_step", "dispositions": "disposition",
		"bizLocations": "biz_location", "readPoints": "read_point"}[resource]
	var std []string
	var prefix string
	switch resource {
	case "eventTypes":
		std = []string{"AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent", "TransformationEvent"}
	case "bizSteps":
		std, prefix = bizSteps, "https://ref.gs1.org/cbv/BizStep-"
	case "dispositions":
		std, prefix = dispositions, "https://ref.gs1.org/cbv/Disp-"
	case "bizLocations", "readPoints":
		return s.distinct(ctx, "SELECT DISTINCT "+column+" FROM epcis_events WHERE "+column+" > ?"+vis+" ORDER BY "+column+" LIMIT ?", after, visArgs, perPage)
	case "epcs":
		return s.distinct(ctx, "SELECT DISTINCT epc FROM epcis_event_epcs WHERE epc > ? AND role IN ('epc', 'parent', 'child', 'input', 'output')"+
			" AND event IN (SELECT id FROM epcis_events WHERE 1 = 1"+vis+") ORDER BY epc LIMIT ?", after, visArgs, perPage)
	default:
		return nil, false, exception(NoSuchResourceException, http.StatusNotFound, "no resource %s", resource)
	}
	stored, _, err := s.distinct(ctx, "SELECT DISTINCT "+column+" FROM epcis_events WHERE "+column+" > ?"+vis+" ORDER BY "+column+" LIMIT ?", "", visArgs, 10000)
	if err != nil {
		return nil, false, err
	}
	all := slices.Clone(std)
	for _, v := range stored {
		// A CBV URI is shown as its bare word, already in the list.
		if w, ok := strings.CutPrefix(v, prefix); !ok || prefix == "" || !slices.Contains(std, w) {
			if !slices.Contains(all, v) {
				all = append(all, v)
			}
		}
	}
	slices.Sort(all)
	i, found := slices.BinarySearch(all, after)
	if found {
		i++
	}
	end := min(i+perPage, len(all))
	return all[i:end], end < len(all), nil
}

// distinct runs a keyset query of one text column: its arguments are
// after, the visibility's, then the limit.
func (s *Service) distinct(ctx context.Context, query, after string, visArgs []any, perPage int) ([]string, bool, error) {
	args := append(append([]any{after}, visArgs...), perPage+1)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, false, err
		}
		if v != "" {
			out = append(out, v)
		}
	}
	if len(out) > perPage {
		return out[:perPage], true, rows.Err()
	}
	return out, false, rows.Err()
}

// fieldParam reads the parameters on epcis_event_fields: ok is false when
// name is none of them.
func (s *Service) fieldParam(q *Query, name, val string) (ok bool, err error) {
	field, isEQ := strings.CutPrefix(name, "EQ_")
	if !isEQ {
		return false, nil
	}
	kind := field
	if k, t, found := strings.Cut(field, "_"); found && (k == "bizTransaction" || k == "source" || k == "destination") {
		if t == "" {
			return true, queryError("%s: a type is needed after %s_", name, k)
		}
		kind = k
	}
	switch kind {
	case "bizTransaction", "source", "destination", "transformationID", "correctiveEventID",
		"persistentDisposition_set", "persistentDisposition_unset":
	default:
		return false, nil
	}
	alts, err := alternatives(name, val)
	if err != nil {
		return true, err
	}
	for i, a := range alts {
		switch {
		case strings.HasPrefix(kind, "persistentDisposition"):
			if slices.Contains(dispositions, a) {
				alts[i] = CBVURI("Disp-", a)
			} else if !isURI(a) {
				return true, queryError("%s: %q is neither a disposition nor a URI", name, a)
			}
		case kind == "correctiveEventID":
			if !isURI(a) {
				return true, queryError("%s: %q is not a URI", name, a)
			}
		default:
			c, err := s.queryID(name, a)
			if err != nil {
				return true, err
			}
			alts[i] = c
		}
	}
	args := []any{field}
	for _, a := range alts {
		args = append(args, a)
	}
	q.where = append(q.where, "id IN (SELECT event FROM epcis_event_fields WHERE name = ? AND value IN ("+placeholders(len(alts))+"))")
	q.args = append(q.args, args...)
	return true, nil
}

var quantityOps = map[string]string{"EQ": "=", "GT": ">", "GE": ">=", "LT": "<", "LE": "<="}

// quantityParam reads EQ_/GT_/GE_/LT_/LE_quantity, optionally with a unit
// (GE_quantity_KGM): a quantity of any quantity list of the event.
func quantityParam(q *Query, name, val string) (ok bool, err error) {
	op, rest, found := strings.Cut(name, "_")
	if !found || quantityOps[op] == "" {
		return false, nil
	}
	rest, isQ := strings.CutPrefix(rest, "quantity")
	if !isQ || rest != "" && !strings.HasPrefix(rest, "_") {
		return false, nil
	}
	uom := strings.TrimPrefix(rest, "_")
	if rest != "" && !uomPattern.MatchString(uom) {
		return true, queryError("%s: %q is not a unit code", name, uom)
	}
	n, err := strconv.ParseFloat(val, 64)
	if err != nil {
		return true, queryError("%s: %q is not a number", name, val)
	}
	cond := "role IN ('class', 'childClass', 'inputClass', 'outputClass') AND quantity " + quantityOps[op] + " ?"
	args := []any{n}
	if uom != "" {
		cond += " AND uom = ?"
		args = append(args, uom)
	}
	q.where = append(q.where, "id IN (SELECT event FROM epcis_event_epcs WHERE "+cond+")")
	q.args = append(q.args, args...)
	return true, nil
}

// extensionParam reads the parameters on extension fields:
// {EQ,GT,GE,LT,LE}_[ILMD_]{prefix}:{local} and EXISTS_[ILMD_]{prefix}:{local}.
// The prefix is resolved through the request's GS1-Extensions header
// (prefix=namespace pairs) when it names it, else matched as captured.
// Comparisons other than EQ_ are numeric.
func (q *Query) extensionParam(name, val string) (ok bool, err error) {
	op, field, found := strings.Cut(name, "_")
	if !found || quantityOps[op] == "" && op != "EXISTS" {
		return false, nil
	}
	scope := ""
	if f, isILMD := strings.CutPrefix(field, "ILMD_"); isILMD {
		scope, field = "ILMD", f
	}
	prefix, local, isExt := strings.Cut(field, ":")
	if !isExt || prefix == "" || local == "" || strings.ContainsAny(field, "/{}") {
		return false, nil
	}
	column, key := "name", field
	if ns := q.namespaces[prefix]; ns != "" {
		column, key = "iri", "{"+ns+"}"+local
	}
	cond := "scope = ? AND " + column + " = ?"
	args := []any{scope, key}
	switch op {
	case "EXISTS":
		if val != "" && val != "true" {
			return true, queryError("%s takes no value", name)
		}
	case "EQ":
		alts, err := alternatives(name, val)
		if err != nil {
			return true, err
		}
		cond += " AND value IN (" + placeholders(len(alts)) + ")"
		for _, a := range alts {
			args = append(args, a)
		}
	default:
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return true, queryError("%s: %q is not a number", name, val)
		}
		cond += " AND num " + quantityOps[op] + " ?"
		args = append(args, n)
	}
	q.where = append(q.where, "id IN (SELECT event FROM epcis_event_extensions WHERE "+cond+")")
	q.args = append(q.args, args...)
	return true, nil
}

// ParseExtensionsHeader reads a GS1-Extensions header: prefix=namespace
// pairs separated by commas.
func ParseExtensionsHeader(h string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, ns, ok := strings.Cut(part, "=")
		p, ns = strings.TrimSpace(p), strings.Trim(strings.TrimSpace(ns), `"`)
		if !ok || p == "" || !isURI(ns) {
			return nil, queryError("GS1-Extensions: %q is not prefix=namespace", part)
		}
		out[p] = ns
	}
	return out, nil
}
