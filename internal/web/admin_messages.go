package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"egov"
	"egov/internal/identity"
	"egov/internal/notify"
)

// messagesPage is how many messages one page shows.
const messagesPage = 50

type messageRow struct {
	At, Dossier, Event, Channel, Recipient string
	Status, StatusText, Provider, Error    string
	Attempts                               int
	Subject, Body                          string
	SMS                                    bool
}

type messagesData struct {
	*page
	Form     url.Values
	Messages []messageRow
	Older    string
	Newest   string
}

// adminMessages lists the notices sent to applicants (e-mail and SMS) with
// their delivery status, newest first. It is where the development
// providers' messages are read; recipients (and any in an error) come
// masked from notify.List, which audits the list of one dossier.
func (h *handler) adminMessages(w http.ResponseWriter, r *http.Request) {
	a, err := requirePermission(r, identity.PermAuditRead)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := notify.Filter{Channel: clipRunes(q.Get("channel"), 10), Status: clipRunes(q.Get("status"), 10),
		Dossier: strings.TrimSpace(clipRunes(q.Get("dossier"), 64)), Limit: messagesPage + 1}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			h.failBack(w, r, egov.Errorf(egov.EINVALID, "error.bad_number", clipRunes(s, 20)), "/admin/messages")
			return
		}
		f.Before = n
	}
	ms, err := h.app.Notify.List(r.Context(), a, f)
	if err != nil {
		h.failBack(w, r, err, "/admin/messages")
		return
	}
	p := h.newPage(r, "admin.messages.title", "admin")
	d := &messagesData{page: p, Form: q}
	keep := url.Values{}
	for _, k := range []string{"channel", "status", "dossier"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	if len(ms) > messagesPage {
		ms = ms[:messagesPage]
		older := url.Values{}
		for k, v := range keep {
			older[k] = v
		}
		older.Set("before", strconv.FormatInt(ms[len(ms)-1].ID, 10))
		d.Older = "/admin/messages?" + older.Encode()
	}
	if f.Before > 0 {
		d.Newest = "/admin/messages?" + keep.Encode()
	}
	for _, m := range ms {
		row := messageRow{At: formatTime(p.Lang, m.CreatedAt), Dossier: m.DossierCode,
			Event:   tr(p.Lang, "notify.event."+string(m.Event)),
			Channel: tr(p.Lang, "notify.channel."+m.Channel), Status: m.Status,
			StatusText: tr(p.Lang, "notify.status."+m.Status), Provider: m.Provider, Error: m.LastError,
			Recipient: m.Recipient, // masked by notify.List
			Attempts:  m.Attempts, Subject: m.Subject, Body: m.Body, SMS: m.Channel == notify.SMS}
		if m.Provider == "dev" {
			row.Provider = tr(p.Lang, "admin.messages.recorded")
		}
		d.Messages = append(d.Messages, row)
	}
	h.render(w, r, http.StatusOK, "admin_messages", d)
}
