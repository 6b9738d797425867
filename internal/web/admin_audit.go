package web

import (
	"net/http"
	"net/url"
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
	entries, err := h.app.Identity.AuditLog(r.Context(), a, f)
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
