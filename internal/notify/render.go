package notify

import (
	"strings"
	"time"

	"egov/internal/dossier"
	"egov/internal/i18n"
	"egov/internal/vntext"
	"egov/internal/workcal"
)

// rendered is one notice in one language: the e-mail and the SMS.
type rendered struct {
	Subject, Body string
	SMS           string
}

// smsNoteRunes bounds the reason or the list of missing documents quoted
// in an SMS; the e-mail carries it whole.
const smsNoteRunes = 100

// render writes the notice n in lang. Every text comes from the
// translation catalogue (keys notify.*); the procedure's name is its
// official Vietnamese one in both languages.
func render(lang string, n dossier.Notification, unitName, link string) rendered {
	d := n.Dossier
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	date := func(x workcal.Date) string { return x.Time(time.UTC).Format(t("format.date")) }
	proc := d.ProcedureCode
	if n.Procedure != nil {
		proc = n.Procedure.Name
	}
	kind := string(n.Kind)
	note := strings.TrimSpace(n.Note)

	var body []string
	add := func(lines ...string) { body = append(body, lines...) }
	add(t("notify.greeting", d.ApplicantName), "")
	var sms string
	switch n.Kind {
	case dossier.NotifyReceived:
		add(t("notify.body.received", unitName, d.Code, proc), t("notify.due", date(d.DueDate)))
		sms = t("notify.sms.received", unitName, d.Code, date(d.DueDate))
	case dossier.NotifySupplement:
		add(t("notify.body.supplement", d.Code, proc), indent(note), t("notify.supplement_restart"))
		sms = t("notify.sms.supplement", unitName, d.Code, clip(note, smsNoteRunes))
	case dossier.NotifyRefused:
		add(t("notify.body.refused", d.Code, proc), t("notify.reason", note))
		sms = t("notify.sms.refused", unitName, d.Code, clip(note, smsNoteRunes))
	case dossier.NotifyApology:
		add(t("notify.body.apology", unitName, d.Code, proc), t("notify.reason", note), t("notify.new_date", date(d.DueDate)))
		sms = t("notify.sms.apology", unitName, d.Code, date(d.DueDate))
	case dossier.NotifyResolved:
		add(t("notify.body.resolved", d.Code, proc))
		if d.Result != "" {
			add(t("notify.result", d.Result))
		}
		sms = t("notify.sms.resolved", unitName, d.Code)
	case dossier.NotifyReturned:
		add(t("notify.body.returned", d.Code, proc))
		sms = t("notify.sms.returned", unitName, d.Code)
	}
	add("", t("notify.lookup"), link, "", t("notify.signature", unitName), "", t("notify.automatic"))
	return rendered{
		Subject: t("notify.subject."+kind, d.Code),
		Body:    vntext.NFC(strings.Join(body, "\n")) + "\n",
		// Vietnamese SMS go without diacritics, as brandname SMS usually
		// do: 160 characters a segment instead of 70.
		SMS: vntext.Unaccent(sms + " " + t("notify.sms.lookup", link)),
	}
}

// indent sets the lines of a note off from the text around them.
func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "  " + strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// clip shortens s to at most n runes on one line, marking a cut with "…".
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
