package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"egov/internal/i18n"
	"egov/internal/identity"
	"egov/internal/reporting"
	"egov/internal/workcal"
)

// Every message key the pages use exists in both catalogues: the literal
// keys in the templates (every dotted lower-case string there is a key),
// the keys Go code passes to tr and to domain errors, and the keys built
// from a value (roles, kinds, months, weekdays, day statuses, levels).
func TestEveryKeyIsInBothCatalogues(t *testing.T) {
	keys := map[string]string{} // key -> where it is used
	literal := regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)
	tmpls, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(tmpls) == 0 {
		t.Fatal("no templates", err)
	}
	for _, name := range tmpls {
		b, _ := templateFS.ReadFile(name)
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = name
		}
	}
	if _, ok := keys["nav.units"]; !ok {
		t.Fatal("the template scan found no keys")
	}

	goKey := regexp.MustCompile(`(?:tr\([^,()]+, |Errorf\([^,()]+, |FieldError\("[a-z_]+", |newPage\(r, |titleKey := |titleKey = )"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)
	gos, _ := filepath.Glob("*.go")
	for _, name := range gos {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = name
		}
	}
	if _, ok := keys["error.title_forbidden"]; !ok {
		t.Fatal("the Go scan found no keys")
	}

	for _, key := range notices {
		keys[key] = "notices"
	}
	for _, r := range identity.Roles {
		keys["role."+string(r)] = "identity.Roles"
	}
	for _, k := range []identity.Kind{identity.Officer, identity.Citizen} {
		keys["kind."+string(k)] = "identity kinds"
	}
	for m := 1; m <= 12; m++ {
		keys["month."+strconv.Itoa(m)] = "calendar"
	}
	for d := 0; d < 7; d++ {
		keys["weekday."+strconv.Itoa(d)] = "weekday"
	}
	for _, s := range []workcal.Status{workcal.Workday, workcal.Weekend, workcal.Holiday, workcal.MakeUpDay} {
		keys["calendar.status."+s.String()] = "calendar"
	}
	for _, k := range []workcal.Kind{workcal.Off, workcal.Work} {
		keys["calendar.kind."+k.String()] = "admin calendar"
	}
	for l := 1; l <= 3; l++ {
		keys["unit.level."+strconv.Itoa(l)] = "unit"
	}
	for _, st := range []reporting.ApprovalStatus{reporting.StatusOpen, reporting.StatusSubmitted, reporting.StatusApproved,
		reporting.StatusAccepted, reporting.StatusReturned} {
		keys["report.status."+string(st)] = "report-status"
	}
	// The messages of the domain errors these pages show.
	for _, k := range []string{"format.date", "format.datetime", "error.internal", "error.unauthorized", "error.forbidden",
		"error.not_found", "error.body_too_large", "error.bad_date", "error.bad_number", "unit.not_found",
		"signin.failed", "signin.slow", "signin.locked", "cccd.length", "cccd.digits", "cccd.province", "cccd.year",
		"password.short", "password.long", "user.username_invalid", "user.username_taken", "user.citizen_id_taken",
		"user.full_name_required", "user.phone_invalid", "user.phone_required", "user.email_invalid", "user.not_found",
		"grant.role_invalid", "grant.unit_invalid", "grant.citizen", "grant.exists", "grant.not_found",
		"calendar.year_invalid", "calendar.day_outside_year", "calendar.days_invalid"} {
		keys[k] = "domain"
	}

	var missing []string
	for k, where := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				missing = append(missing, lang+": "+k+" (used in "+where+")")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error("missing from the catalogue:", m)
	}
}

// The content security policy allows no inline script or style, so the
// templates have none, and no JavaScript at all.
func TestTemplatesHaveNoInlineScriptOrStyle(t *testing.T) {
	bad := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|javascript:`)
	tmpls, _ := fs.Glob(templateFS, "templates/*.html")
	for _, name := range tmpls {
		b, _ := templateFS.ReadFile(name)
		if m := bad.FindString(string(b)); m != "" {
			t.Errorf("%s has %q", name, m)
		}
	}
}

func TestSafeNextPaths(t *testing.T) {
	for in, want := range map[string]string{
		"/units?at=2025-07-02": "/units?at=2025-07-02",
		"/":                    "/",
		"":                     "/",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"units":                "/",
		"/a\r\nLocation: x":    "/",
		"/%2F%2Fevil":          "/%2F%2Fevil",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
