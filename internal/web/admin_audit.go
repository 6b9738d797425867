package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"egov"
	"egov/internal/audit"
	"egov/internal/identity"
	"egov/internal/workcal"
)

// auditPage is how many entries one page of the log shows.
const auditPage = 50

type auditData struct {
	*page
	Form    url.Values
	Entries []*audit.Entry
	Older   string // the link to the next, older page; "" on the last
	Newest  string // the link back to the newest page when paging
}

// adminAudit browses the audit log (nhật ký hệ thống), newest first, with
// filters by actor, action prefix, object and dates, paging backwards by
// sequence number.
func (h *handler) adminAudit(w http.ResponseWriter, r *http.Request) {
	a, err := requirePermission(r, identity.PermAuditRead)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	clip := func(k string) string {
		s := strings.TrimSpace(q.Get(k))
		if len(s) > 100 {
			s = s[:100]
		}
		return s
	}
	f := audit.Filter{ActorName: clip("actor"), Action: clip("action"), ObjectType: clip("object_type"),
		ObjectID: clip("object_id"), Limit: auditPage + 1}
	for _, k := range []string{"from", "to"} {
		s := clip(k)
		if s == "" {
			continue
		}
		d, err := workcal.ParseDate(s)
		if err != nil {
			h.failBack(w, r, egov.Errorf(egov.EINVALID, "error.bad_date", s), "/admin/audit")
			return
		}
		// Dates are Vietnamese days; "to" includes its whole day.
		t := d.Time(vietnam)
		if k == "from" {
			f.From = t
		} else {
			f.To = t.Add(24 * time.Hour)
		}
	}
	if s := clip("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			h.failBack(w, r, egov.Errorf(egov.EINVALID, "error.bad_number", s), "/admin/audit")
			return
		}
		f.BeforeSeq = n
	}
	if f.UnitCodes, err = h.auditScope(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	entries, err := audit.List(r.Context(), h.app.DB, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &auditData{page: h.newPage(r, "admin.audit.title", "admin"), Form: q}
	if len(entries) > auditPage {
		entries = entries[:auditPage]
		older := url.Values{}
		for k, v := range q {
			if k != "before" && k != "ok" && len(v) > 0 && v[0] != "" {
				older.Set(k, v[0])
			}
		}
		older.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		d.Older = "/admin/audit?" + older.Encode()
	}
	if f.BeforeSeq > 0 {
		newest := url.Values{}
		for k, v := range q {
			if k != "before" && k != "ok" && len(v) > 0 && v[0] != "" {
				newest.Set(k, v[0])
			}
		}
		d.Newest = "/admin/audit?" + newest.Encode()
	}
	d.Entries = entries
	h.render(w, r, http.StatusOK, "admin_audit", d)
}

// auditScope returns the unit codes whose entries the actor may read: nil
// for the whole tree, else the codes of every unit in the territory of the
// actor's grants (entries on no unit are the whole tree's).
//
// This belongs in the audit domain (a List that takes the actor); until it
// is there, the web applies the same territory rule as identity.Can.
func (h *handler) auditScope(r *http.Request, a *identity.Actor) ([]string, error) {
	ids, all := a.Scope(identity.PermAuditRead)
	if all {
		return nil, nil
	}
	g, err := h.app.Units.Graph(r.Context())
	if err != nil {
		return nil, err
	}
	today := h.app.Units.Today()
	seen := map[string]bool{}
	codes := []string{}
	for _, id := range ids {
		u := g.ByID(id)
		if u == nil {
			continue
		}
		for uid := range g.Territory(u, today) {
			if x := g.ByID(uid); x != nil && !seen[x.Code] {
				seen[x.Code] = true
				codes = append(codes, x.Code)
			}
		}
	}
	sort.Strings(codes)
	return codes, nil
}
